/** The worker's side of the window lab (see context.ts). */
import type { WorkerContext } from './context';

export interface WindowApi {}

export function windowApi(_ctx: WorkerContext): WindowApi {
  return {};
}
