/**
 * Record your own classes from the camera, as Teachable Machine does (issue 10, part 5): name the
 * classes, hold a class's button (mouse, touch, or Space/Enter held on it) to add about 10 frames
 * a second, at the Input node's shape and as the network sees them (the camera's invert, contrast
 * and threshold apply). "Use as training data" makes them the graph's own-images dataset
 * (src/labs/recorded-dataset.ts: a seeded 20% test hold-out, at least one per class) in one
 * undoable edit that also sets the dataset to "your own images" and the output's units to the
 * number of classes; "Save as zip" writes class folders of PNGs that the Train tab opens again.
 * The recordings live in a store: closing the dialog or changing tabs keeps them.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { setParam } from '../../graph/edit';
import { TRAINING_DEFAULTS } from '../../graph/types';
import { buildRecordedDataset, classNameProblem, nextClassName, recordedZip, recordingProblem } from '../../labs/recorded-dataset';
import { initTrainer, loadDataset } from '../../training/client';
import type { DatasetInfo } from '../../training/protocol';
import { useTraining } from '../../training/store';
import { ImageThumb } from '../../viz/SampleGrid';
import { downloadBlob } from '../download';
import { useFolder } from '../FolderAdvice';
import { Modal } from '../Modal';
import { rootAnalysis, rootDoc, useEditor } from '../store';

type Shape = [number, number, number];

/** The dataset's (and the zip's) name. */
export const RECORDED_NAME = 'camera';
const FRAMES_PER_SECOND = 10;
const MAX_FRAMES = 300;
/** Thumbnails shown per class (the newest). */
const THUMBS = 6;

interface RecClass {
  id: number;
  name: string;
  frames: Float32Array[];
}

interface RecorderState {
  classes: RecClass[];
  /** The shape the frames were recorded at (fixed by the first frame; null while there are none). */
  shape: Shape | null;
  nextId: number;
}

export const useRecorder = create<RecorderState>(() => ({
  classes: [
    { id: 1, name: 'Class 1', frames: [] },
    { id: 2, name: 'Class 2', frames: [] },
  ],
  shape: null,
  nextId: 3,
}));

const update = (id: number, f: (c: RecClass) => RecClass) => useRecorder.setState((s) => ({ classes: s.classes.map((c) => (c.id === id ? f(c) : c)) }));

/** The Input node's shape if it is an image of 1 or 3 channels, else null. */
function useInputShape(): Shape | null {
  return useEditor(
    useShallow((s) => {
      const input = rootDoc(s).nodes.find((n) => n.type === 'input');
      const shape = input ? rootAnalysis(s).nodes.get(input.id)?.outputShape : undefined;
      return shape?.length === 3 && (shape[2] === 1 || shape[2] === 3) ? (shape as Shape) : null;
    }),
  );
}

/** "Hold to record": pointer down … up, or Space/Enter held while it has the focus. */
function HoldButton({ name, disabled, onHold }: { name: string; disabled: boolean; onHold(on: boolean): void }) {
  const [held, setHeld] = useState(false);
  const set = (on: boolean) => {
    if (on === held) return;
    setHeld(on);
    onHold(on);
  };
  useEffect(() => {
    if (disabled && held) set(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [disabled]);
  const key = (e: KeyboardEvent, on: boolean) => {
    if (e.key !== ' ' && e.key !== 'Enter') return;
    e.preventDefault();
    if (!e.repeat) set(on);
  };
  return (
    <button
      type="button"
      className={`ll-rec-hold${held ? ' held' : ''}`}
      data-testid="rec-hold"
      aria-pressed={held}
      disabled={disabled}
      title={`Hold (mouse, touch, or Space / Enter) to add about ${FRAMES_PER_SECOND} frames a second to ${name}`}
      onPointerDown={(e: PointerEvent<HTMLButtonElement>) => {
        if (e.button !== 0) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        set(true);
      }}
      onPointerUp={() => set(false)}
      onPointerCancel={() => set(false)}
      onLostPointerCapture={() => set(false)}
      onKeyDown={(e) => key(e, true)}
      onKeyUp={(e) => key(e, false)}
      onBlur={() => set(false)}
      onContextMenu={(e) => e.preventDefault()}
    >
      {held ? 'Recording…' : 'Hold to record'}
    </button>
  );
}

export function CameraRecorder(props: { dataset: DatasetInfo; stream: MediaStream | null; starting: boolean; start(): Promise<void>; grab(shape: Shape): Float32Array | null; onClose(): void }) {
  const { classes, shape: recShape } = useRecorder();
  const inputShape = useInputShape();
  const shape: Shape = recShape ?? inputShape ?? [...props.dataset.shape];
  const phase = useTraining((s) => s.phase);
  const busy = phase === 'training' || phase === 'paused' || phase === 'evaluating' || phase === 'loading';
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const preview = useRef<HTMLVideoElement>(null);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);

  // The camera is needed here: start it on opening (the learner asked to record).
  useEffect(() => {
    if (!props.stream && !props.starting) void props.start();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    const v = preview.current;
    if (!v) return;
    v.srcObject = props.stream;
    if (props.stream) void v.play().catch(() => undefined);
  }, [props.stream]);
  useEffect(() => () => void (timer.current && clearInterval(timer.current)), []);

  const addFrame = (id: number) => {
    const s = useRecorder.getState();
    const at = s.shape ?? shape;
    const img = props.grab(at);
    if (!img) return;
    const cls = s.classes.find((c) => c.id === id);
    if (!cls || cls.frames.length >= MAX_FRAMES) return;
    useRecorder.setState({ shape: at });
    update(id, (c) => ({ ...c, frames: [...c.frames, img] }));
  };

  const hold = (id: number, on: boolean) => {
    if (timer.current) clearInterval(timer.current);
    timer.current = null;
    if (!on) return;
    setMessage(null);
    addFrame(id);
    timer.current = setInterval(() => addFrame(id), 1000 / FRAMES_PER_SECOND);
  };

  const names = classes.map((c) => c.name);
  const problem = recordingProblem(classes);
  const total = classes.reduce((n, c) => n + c.frames.length, 0);

  const useAsTrainingData = async () => {
    try {
      const seed = rootDoc().training?.seed ?? TRAINING_DEFAULTS.seed;
      const data = buildRecordedDataset(classes, shape, { name: RECORDED_NAME, seed, testShare: 0.2 });
      if (!useTraining.getState().backend) await initTrainer();
      // One undoable edit: train on your own images, with as many outputs as classes (and the
      // Input at the recorded shape, should it have changed since).
      // The edit is to the whole network (its Input and output): leave an open block first.
      useEditor.getState().leaveBlock();
      const { doc, analysis, commit } = useEditor.getState();
      let next = doc;
      const input = doc.nodes.find((n) => n.type === 'input');
      if (input && (input.params.shape as number[] | undefined)?.join('×') !== shape.join('×')) next = setParam(next, input.id, 'shape', [...shape]);
      const out = analysis.outputId ? doc.nodes.find((n) => n.id === analysis.outputId) : undefined;
      if (out?.type === 'dense' && out.params.units !== data.classes.length) next = setParam(next, out.id, 'units', data.classes.length);
      if (next.training?.dataset !== 'custom') next = { ...next, training: { ...next.training, dataset: 'custom' } };
      if (next !== doc) commit('Train on the camera classes', next);
      // The recording replaces a folder chosen earlier (which would otherwise be read again).
      useFolder.setState({ files: null, name: null, shape: null, facts: null, examples: [] });
      const info = await loadDataset({ kind: 'custom', name: RECORDED_NAME, data });
      if (!info) throw new Error(useTraining.getState().datasetError ?? 'The worker did not take the images.');
      const text = `Loaded: ${info.trainCount} frames to train on and ${info.testCount} to test, ${info.classes.length} classes. Open the Train tab and press Train.`;
      setMessage({ kind: 'ok', text });
      // Also as a notice: the Probe tab may swap this dialog's panel for the loaded dataset's.
      useEditor.getState().notify('info', text);
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };

  const saveZip = () => {
    const bytes = recordedZip(
      classes.filter((c) => c.frames.length),
      shape,
    );
    downloadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), `${RECORDED_NAME}.zip`);
  };

  const [h, w, c] = shape;
  return (
    <Modal title="Record your own classes" onClose={props.onClose} testid="rec-dialog" wide>
      <div className="ll-rec">
        <div className="ll-rec-side">
          <figure className="ll-cam-preview ll-rec-preview">
            <video ref={preview} muted playsInline aria-label="Camera preview (centre square)" />
            <figcaption>{props.stream ? 'camera (centre square)' : props.starting ? 'starting the camera…' : 'camera off'}</figcaption>
          </figure>
          {!props.stream && !props.starting && (
            <button type="button" onClick={() => void props.start()} data-testid="rec-start-camera">
              Start camera
            </button>
          )}
          <p className="ll-muted" data-testid="rec-shape">
            Frames are {w}×{h} {c === 1 ? 'grey' : 'colour'}
            {recShape ? ' (as recorded)' : inputShape ? " (the Input node's shape)" : ''}, as the network sees them: the camera's invert, contrast and threshold apply.
            {recShape && inputShape && recShape.join('×') !== inputShape.join('×') && ` The Input node is now ${inputShape[1]}×${inputShape[0]}; remove all frames to record at its shape.`}
          </p>
        </div>
        <div className="ll-rec-main">
          <ul className="ll-rec-classes">
            {classes.map((cls, i) => {
              const bad = classNameProblem(
                cls.name,
                names.filter((_, j) => j !== i),
              );
              return (
                <li key={cls.id} className="ll-rec-class" data-testid="rec-class">
                  <div className="ll-rec-row">
                    <input
                      className="ll-rec-name"
                      data-testid="rec-name"
                      aria-label={`Name of class ${i + 1}`}
                      aria-invalid={!!bad}
                      title={bad ?? 'The class name (a folder name in the zip)'}
                      value={cls.name}
                      maxLength={40}
                      onChange={(e) => update(cls.id, (c) => ({ ...c, name: e.target.value }))}
                    />
                    <span className="ll-rec-count" data-testid="rec-count" title="Frames recorded">
                      {cls.frames.length}
                    </span>
                    <HoldButton name={cls.name} disabled={!props.stream || cls.frames.length >= MAX_FRAMES} onHold={(on) => hold(cls.id, on)} />
                    <button type="button" className="ll-icon" aria-label={`Remove the frames of ${cls.name}`} title="Remove its frames" disabled={!cls.frames.length} onClick={() => update(cls.id, (c) => ({ ...c, frames: [] }))}>
                      ⟲
                    </button>
                    <button
                      type="button"
                      className="ll-icon"
                      aria-label={`Remove class ${cls.name}`}
                      title="Remove this class"
                      onClick={() => useRecorder.setState((s) => ({ classes: s.classes.filter((c) => c.id !== cls.id) }))}
                    >
                      ×
                    </button>
                  </div>
                  {bad && <p className="ll-rec-bad">{bad}</p>}
                  <div className="ll-rec-thumbs" role="group" aria-label={`Newest frames of ${cls.name}`}>
                    {cls.frames.slice(-THUMBS).map((f, k) => (
                      <ImageThumb key={cls.frames.length - THUMBS + k} image={f} shape={recShape ?? shape} testid="rec-thumb" />
                    ))}
                    {cls.frames.length >= MAX_FRAMES && <span className="ll-muted">full ({MAX_FRAMES})</span>}
                  </div>
                </li>
              );
            })}
          </ul>
          <p>
            <button
              type="button"
              data-testid="rec-add"
              onClick={() => useRecorder.setState((s) => ({ classes: [...s.classes, { id: s.nextId, name: nextClassName(s.classes.map((c) => c.name)), frames: [] }], nextId: s.nextId + 1 }))}
            >
              + Add a class
            </button>{' '}
            <button
              type="button"
              data-testid="rec-clear"
              disabled={!total}
              title="Remove every recorded frame (the classes stay)"
              onClick={() => useRecorder.setState((s) => ({ classes: s.classes.map((c) => ({ ...c, frames: [] })), shape: null }))}
            >
              Remove all frames
            </button>
          </p>
          <p className="ll-rec-actions">
            <button type="button" className="primary" data-testid="rec-use" disabled={!!problem || busy} title={problem ?? (busy ? 'Wait for training or loading to finish' : 'Make these frames the dataset the Train tab trains on')} onClick={() => void useAsTrainingData()}>
              Use as training data
            </button>
            <button type="button" data-testid="rec-zip" disabled={!total} title="Download a zip of class folders of PNGs (class/000.png); drop it on the Train tab to train on it again" onClick={saveZip}>
              Save as zip
            </button>
          </p>
          {problem && !message && <p className="ll-muted" data-testid="rec-problem">{problem}</p>}
          {message && (
            <p className={message.kind === 'error' ? 'll-error' : 'll-rec-ok'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="rec-message">
              {message.text}
            </p>
          )}
          <p className="ll-muted">The zip holds one folder of PNGs per class; drop it on the Train tab (or unzip it and choose the folder) to train on it again.</p>
        </div>
      </div>
    </Modal>
  );
}
