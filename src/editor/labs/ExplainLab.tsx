/** What the network looks at: saliency and Grad-CAM on the probe image (issue 10, part 4). */
import type { DatasetInfo } from '../../training/protocol';

export function ExplainLab(_props: { dataset: DatasetInfo }) {
  return null;
}
