/** The worker's side of the invariance lab (see context.ts). */
import type { WorkerContext } from './context';

export interface InvarianceApi {}

export function invarianceApi(_ctx: WorkerContext): InvarianceApi {
  return {};
}
