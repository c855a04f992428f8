/**
 * Your own images, read from a folder (class sub-folders, or images/ with masks/ or YOLO labels/
 * for segmentation and detection): the files stay in memory so the folder can be read again at
 * the Input node's shape whenever that shape changes (undo included), and the Train tab says when
 * the network loses what the originals have ("These images are 96×96 in colour; your network sees
 * 28×28 grey"), shows a few originals beside what the network sees, and offers one undoable edit of
 * the Input node's shape, with its cost: parameters, training memory and time per epoch.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes } from '../graph/estimate';
import { inputChangeCost, TRAINING_MACS_PER_SECOND } from '../graph/input-cost';
import { loadDataset } from '../training/client';
import { decodeToRgba, filePath, inputAdvice, loadImageFolder, rgbaToPixels, type FolderExample, type FolderFacts } from '../training/data/images';
import { readTaskDataset, taskLayoutOf, type TaskLayout } from '../tasks/folder-dataset';
import { useTraining } from '../training/store';
import type { BackendInfo } from '../training/protocol';
import { ImageThumb } from '../viz/SampleGrid';
import { setParamAction } from './actions';
import { useEditor } from './store';

interface FolderState {
  files: File[] | null;
  /** The dataset name the folder was loaded under. */
  name: string | null;
  /** The shape the images were last decoded at. */
  shape: [number, number, number] | null;
  facts: FolderFacts | null;
  examples: FolderExample[];
}

export const useFolder = create<FolderState>(() => ({ files: null, name: null, shape: null, facts: null, examples: [] }));

/**
 * Decodes a chosen or dropped folder at `shape` and hands it to the worker: a folder of class
 * sub-folders (classification), or images/ beside masks/ (segmentation) or labels/ (YOLO
 * detection), read by src/tasks/folder-dataset.ts. `beforeLoad` runs once the images are decoded,
 * before the worker gets them (the Train tab switches the graph's dataset to "custom" there).
 */
export async function readFolder(files: File[], shape: [number, number, number], seed: number, beforeLoad?: () => void): Promise<boolean> {
  useTraining.getState().set({ phase: 'loading', message: `Reading ${files.length} files…`, datasetError: null });
  try {
    const layout = taskLayoutOf(files.map(filePath));
    if (layout) return await readTaskFolder(files, layout, shape, seed, beforeLoad);
    const { dataset, skipped, facts, examples } = await loadImageFolder(files, { shape, validationShare: 0.2, seed });
    useFolder.setState({ files, name: dataset.name, shape: [...shape], facts, examples });
    beforeLoad?.();
    return !!(await loadDataset({ kind: 'custom', name: dataset.name, data: dataset }, skipped));
  } catch (e) {
    useTraining.getState().set({ phase: 'idle', message: null, datasetError: (e as Error).message });
    return false;
  }
}

/** A segmentation or detection folder (images/ + masks/ or labels/): its warnings become notices. */
async function readTaskFolder(files: File[], layout: TaskLayout, shape: [number, number, number], seed: number, beforeLoad?: () => void): Promise<boolean> {
  // A folder holding both masks/ and labels/ is read for the graph's task, when that is one of them.
  const graphTask = useEditor.getState().doc.training?.task;
  const task = layout === 'mixed' && (graphTask === 'segmentation' || graphTask === 'detection') ? graphTask : undefined;
  const got = await readTaskDataset(
    files.map((f) => ({ path: filePath(f), bytes: async () => new Uint8Array(await f.arrayBuffer()) })),
    {
      shape,
      seed,
      task,
      onProgress: (done, total) => useTraining.getState().set({ message: `Reading ${done} of ${total} images…` }),
    },
  );
  useFolder.setState({ files, name: got.name, shape: [...shape], facts: null, examples: [] });
  beforeLoad?.();
  const info = await loadDataset({ kind: 'custom', name: got.name, data: got.data }, got.skipped);
  if (info && got.warnings.length) useTraining.getState().set({ notice: { kind: 'info', text: got.warnings.join(' '), id: Date.now() } });
  return !!info;
}

/** Forward multiply-adds per second for the time estimate: the backend in use (a software GPU is slow). */
function macsPerSecond(backend: BackendInfo | null): { rate: number; label: string } {
  const name = backend?.name ?? 'wasm';
  if (name === 'webgl' || name === 'webgpu') {
    const software = /swiftshader|llvmpipe|fallback|software/i.test(backend?.adapterInfo ?? '') || !!backend?.tried.find((t) => t.name === name)?.slow;
    if (!software) return { rate: TRAINING_MACS_PER_SECOND.gpu!, label: `${name}, a guess for a real GPU` };
  }
  return { rate: TRAINING_MACS_PER_SECOND[name] ?? TRAINING_MACS_PER_SECOND.wasm!, label: name };
}

function seconds(s: number): string {
  if (s < 1) return 'under 1 s';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const shapeText = (s: readonly number[]) => `${s[1]}×${s[0]} ${s[2] === 3 ? 'colour' : 'grey'}`;

/** An original image file, as the browser shows it. */
function Original({ file }: { file: File }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return <figure className="ll-thumb">{url && <img src={url} alt={file.name} data-testid="folder-original" />}<figcaption>original</figcaption></figure>;
}

export function FolderAdvice({ seed, running }: { seed: number; running: boolean }) {
  const folder = useFolder();
  const { dataset, phase, backend } = useTraining(useShallow((s) => ({ dataset: s.dataset, phase: s.phase, backend: s.backend })));
  const { doc, analysis } = useEditor(useShallow((s) => ({ doc: s.doc, analysis: s.analysis })));
  const input = doc.nodes.find((n) => n.type === 'input');
  const inShape = input ? analysis.nodes.get(input.id)?.outputShape : undefined;
  const inputKey = inShape?.join('×') ?? '';
  const active = doc.training?.dataset === 'custom' && !!folder.files && !!dataset && dataset.name === folder.name;

  // The folder follows the Input node: a new shape (a fix, an edit, an undo) reads the images again.
  const tried = useRef('');
  useEffect(() => {
    const f = useFolder.getState();
    if (!active || !f.files || !inShape || inShape.length !== 3 || running || phase === 'loading') return;
    if (!(inShape[2] === 1 || inShape[2] === 3) || f.shape?.join('×') === inputKey || tried.current === inputKey) return;
    tried.current = inputKey;
    void readFolder(f.files, inShape as [number, number, number], seed);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, inputKey, running, phase]);

  const advice = active && folder.facts && inShape?.length === 3 && folder.shape?.join('×') === inputKey ? inputAdvice(folder.facts, inShape) : null;
  const adviceKey = advice?.shape.join('×') ?? '';

  // The examples as the network would see them with the suggested shape.
  const [after, setAfter] = useState<{ key: string; images: Float32Array[] } | null>(null);
  useEffect(() => {
    if (!advice) return;
    let live = true;
    const [h, w, c] = advice.shape;
    void Promise.all(folder.examples.map(async (e) => rgbaToPixels((await decodeToRgba(e.file, w, h, 'cover')).rgba, c, new Float32Array(h * w * c))))
      .then((images) => live && setAfter({ key: adviceKey, images }))
      .catch(() => undefined);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [adviceKey, folder.examples]);

  const speed = macsPerSecond(backend);
  const cost = useMemo(
    () => (advice && dataset ? inputChangeCost(doc, advice.shape, dataset.trainCount, speed.rate) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [adviceKey, doc, dataset, speed.rate],
  );
  if (!advice || !cost || !input || !dataset) return null;
  const n = (x: number) => x.toLocaleString('en-US');
  const [h, w, c] = advice.shape;
  return (
    <div className="ll-folder-advice" data-testid="folder-advice">
      <p className="ll-warning-text" data-testid="folder-advice-message">
        {advice.message}
      </p>
      <div className="ll-folder-examples" data-testid="folder-examples">
        {folder.examples.map((e, i) => (
          <div className="ll-folder-example" key={i} title={`${e.cls}: ${e.file.name}`}>
            <Original file={e.file} />
            <ImageThumb image={e.pixels} shape={folder.shape!} caption={`now ${folder.shape![1]}×${folder.shape![0]}`} testid="folder-seen-now" />
            {after?.key === adviceKey && after.images[i] && <ImageThumb image={after.images[i]} shape={advice.shape} caption={`${w}×${h}${c === 3 ? ' colour' : ''}`} testid="folder-seen-after" />}
          </div>
        ))}
      </div>
      <p className="ll-folder-cost" data-testid="folder-advice-cost">
        With the Input at {shapeText(advice.shape)}: <b data-testid="folder-cost-params">{n(cost.after.params)}</b> parameters (now {n(cost.before.params)}), training memory ≈{' '}
        <b>{formatBytes(cost.after.trainingBytes)}</b> (now {formatBytes(cost.before.trainingBytes)}), about <b>{seconds(cost.after.epochSeconds)}</b> per epoch of{' '}
        {n(dataset.trainCount)} images (now {seconds(cost.before.epochSeconds)}; a rough estimate for {speed.label}).
        {!cost.after.ok && ' The graph would need other changes too: see its errors after applying.'}
      </p>
      <button type="button" data-testid="folder-fit-apply" onClick={() => setParamAction(input.id, 'shape', [...advice.shape])}>
        Set the Input to {w}×{h}
        {c === 3 ? ' colour' : ''}
      </button>{' '}
      <span className="ll-muted">(one edit: Undo goes back)</span>
    </div>
  );
}
