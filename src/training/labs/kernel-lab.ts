/** The worker's side of the kernel-lab lab (see context.ts). */
import type { WorkerContext } from './context';

export interface KernelLabApi {}

export function kernelLabApi(_ctx: WorkerContext): KernelLabApi {
  return {};
}
