/** Training reports notices through its own store; the editor shows them with its own notices. */
import { describe, expect, it } from 'vitest';
import { useTraining } from '../training/store';
import { useEditor } from './store';

describe('notices from training', () => {
  it('show up as editor notices, each one (the same text twice is two notices)', () => {
    useTraining.getState().set({ notice: { kind: 'error', text: 'The webgpu backend is not available here; using wasm.', id: 1 } });
    const first = useEditor.getState().notice;
    expect(first).toMatchObject({ kind: 'error', text: 'The webgpu backend is not available here; using wasm.' });
    useTraining.getState().set({ notice: { kind: 'error', text: 'The webgpu backend is not available here; using wasm.', id: 2 } });
    expect(useEditor.getState().notice!.id).toBeGreaterThan(first!.id);
    useTraining.getState().set({ notice: { kind: 'info', text: 'Now on webgl, with the trained weights from epoch 1, batch 5: press Continue to train on.', id: 3 } });
    expect(useEditor.getState().notice).toMatchObject({ kind: 'info', text: /^Now on webgl/ });
    // Other training updates leave the editor's notice alone.
    useEditor.getState().clearNotice();
    useTraining.getState().set({ phase: 'training' });
    expect(useEditor.getState().notice).toBeNull();
  });
});
