/**
 * Which image the probe looks at: a test image (by index), the drawing, a dropped file or the
 * camera. A store, so that other views can point the probe somewhere ("why did it say 2?" from
 * the confusion matrix opens that test image in the Probe tab).
 */
import { create } from 'zustand';

export type ProbeSource = 'test' | 'drawing' | 'file' | 'camera';

interface ProbeState {
  source: ProbeSource;
  /** The test image shown when the source is 'test'. */
  index: number;
  /** Bumped by requestExplain: the Probe tab's "What the network looks at" section opens and explains this class. */
  explainRequest: { seq: number; classIndex: number | null } | null;
}

export const useProbe = create<ProbeState>()(() => ({ source: 'test', index: 0, explainRequest: null }));

/** Points the probe at test image `index`. */
export function showTestImage(index: number) {
  useProbe.setState({ source: 'test', index: Math.max(0, Math.floor(index)) });
}

export function setProbeSource(source: ProbeSource) {
  useProbe.setState({ source });
}

/** Asks the Probe tab to explain the probe image (for `classIndex`, or the predicted class when null). */
export function requestExplain(classIndex: number | null = null) {
  useProbe.setState((s) => ({ explainRequest: { seq: (s.explainRequest?.seq ?? 0) + 1, classIndex } }));
}
