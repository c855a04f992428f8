/** The graph core: pure TypeScript, no DOM, no tfjs. */
export * from './types';
export { LIMITS } from './limits';
export { parseGraph, parseGraphText, checkFileSize, ID_PATTERN, type ParseResult } from './parse';
export { serializeGraph } from './serialize';
export { migrate, MIGRATIONS, type Migration } from './migrate';
export { analyzeGraph, type Analysis, type NodeAnalysis, type Totals } from './analyze';
export { MESSAGES, type DiagnosticCode } from './diagnostics';
export { formatShape } from '../../nodes/shape';
