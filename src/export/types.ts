/**
 * Shared types of the exporters (pure TypeScript: no DOM, no tfjs at run time).
 */

/** Named weights in TensorFlow.js layout (defined in src/model/weights.ts, shared with training). */
export type { NamedWeight } from '../model/weights';

/** A file an exporter produces: a path relative to the export folder and its content. */
export interface ExportFile {
  name: string;
  data: string | Uint8Array;
}
