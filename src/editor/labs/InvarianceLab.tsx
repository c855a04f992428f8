/** The invariance lab: transform sliders on the probe image, sweeps and pinned models (issue 10, part 3). */
import type { DatasetInfo } from '../../training/protocol';

export function InvarianceLab(_props: { dataset: DatasetInfo; refresh(): Promise<void> }) {
  return null;
}
