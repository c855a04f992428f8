/** The probe from the webcam (and recording classes from it): see issue 10, part 5. */
import type { DatasetInfo } from '../../training/protocol';

export function CameraSource(_props: { dataset: DatasetInfo; active: boolean; onFrame(image: Float32Array): Promise<void> }) {
  return null;
}
