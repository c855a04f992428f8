/** The worker's side of the explain lab (see context.ts). */
import type { WorkerContext } from './context';

export interface ExplainApi {}

export function explainApi(_ctx: WorkerContext): ExplainApi {
  return {};
}
