/**
 * The kernel lab (issue 10, part 1): an editable kernel running live over an image — a test-set
 * image, the learner's drawing, a photo in colour, or (for a learned kernel) the probe image or the
 * feature map the kernel really sees — with presets, a bias, a ReLU switch, the output on a
 * diverging colour scale, and the arithmetic of any output pixel under the pointer or the keyboard.
 *
 * Everything is computed here in the page (src/labs/convolve.ts: a few thousand multiply-adds per
 * edit); the worker is only asked for test images and, for a learned kernel, its weights.
 *
 * A colour photo: its red, green and blue channels are three images. The signed view shows one of
 * them convolved — the luminance (the grey photo) by default, or red, green or blue — because a
 * signed value has one colour scale; "As a picture" filters all three with the same kernel and puts
 * them back together, clipped to 0–1, as a photo editor does.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { create } from 'zustand';
import {
  anchor,
  channelOf,
  convolve,
  convolveChannels,
  describeSum,
  DIVERGING_NEGATIVE,
  DIVERGING_POSITIVE,
  divergingPixels,
  formatNumber,
  fromRgba,
  imagePixels,
  KERNEL_PRESETS,
  KERNEL_SIZES,
  luminance,
  maxAbs,
  presetById,
  resizeKernelTo,
  weightedSum,
  type Kernel,
  type LabImage,
} from '../../labs/convolve';
import { samples } from '../../training/client';
import { useTraining } from '../../training/store';
import { Modal } from '../Modal';
import { useProbe } from '../probe-store';
import { recordSoon } from '../../lessons/lab-events';

/** What a learned kernel brings with it (see src/training/labs/kernel-lab.ts). */
export interface LabLearned {
  nodeId: string;
  filter: number;
  inputChannel: number;
  inputChannels: number;
  fromInput: boolean;
  source: string;
  /** The probe image (as the network sees it). */
  probe?: LabImage | null;
  /** The input channel as the node really sees it (a feature map of `source`). */
  inputMap?: LabImage | null;
  /** Things the lab does differently from the layer (stride, dilation, activation). */
  notes: string[];
}

export interface OpenKernelLabRequest {
  kernel: Kernel | number[][];
  bias?: number;
  title?: string;
  /** Which channel of a colour image to look at (0 red, 1 green, 2 blue). */
  channel?: number;
  learned?: LabLearned;
}

/** The kernel as the learner left it: reopening the lab goes on from there. */
interface SavedKernel {
  shape: { h: number; w: number };
  cells: string[];
  presetId: string;
  biasText: string;
  relu: boolean;
}

interface LabStore {
  open: boolean;
  /** Bumped by every opening: the lab is mounted afresh. */
  seq: number;
  request: OpenKernelLabRequest | null;
  saved: SavedKernel | null;
}

const useKernelLab = create<LabStore>()(() => ({ open: false, seq: 0, request: null, saved: null }));

/**
 * Opens the lab: with a request, on that kernel (e.g. a learned one: "what does this filter do?");
 * without, on the kernel the learner last left in it (the identity at first).
 */
export function openKernelLab(request?: OpenKernelLabRequest) {
  useKernelLab.setState((s) => ({ open: true, seq: s.seq + 1, request: request ?? null, saved: request ? null : s.saved }));
}

export function closeKernelLab() {
  useKernelLab.setState({ open: false });
}

const IDENTITY = presetById('identity')!.kernel;

function toKernel(k: Kernel | number[][]): Kernel {
  if (Array.isArray(k)) return { h: k.length, w: k[0]?.length ?? 0, values: k.flat() };
  return { h: k.h, w: k.w, values: [...k.values] };
}

/** A built-in picture for when no dataset is loaded: a square, a disc and a diagonal bar on black. */
function samplePicture(): LabImage {
  const S = 32;
  const data = new Float32Array(S * S);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      let v = 0;
      if (x >= 4 && x < 13 && y >= 4 && y < 13) v = 1;
      if ((x - 23) ** 2 + (y - 9) ** 2 <= 25) v = 0.8;
      if (Math.abs(x - y) <= 1 && y > 16 && y < 29) v = 0.6;
      data[y * S + x] = v;
    }
  return { width: S, height: S, channels: 1, data };
}

/** The Probe tab's drawing pad, scaled to `size` pixels (grey, white on black), or null when it is not on the page. */
function readDrawing(size: number): LabImage | null {
  const pad = document.querySelector<HTMLCanvasElement>('canvas[data-testid="probe-draw"]');
  if (!pad) return null;
  const small = document.createElement('canvas');
  small.width = size;
  small.height = size;
  const ctx = small.getContext('2d');
  if (!ctx) return null;
  ctx.drawImage(pad, 0, 0, size, size);
  return fromRgba(ctx.getImageData(0, 0, size, size).data, size, size, size, true);
}

/** A photo, decoded and scaled down so that its longer side is at most 128 pixels, in colour. */
async function readPhoto(file: File): Promise<LabImage> {
  const bitmap = await createImageBitmap(file);
  const s = Math.max(1, Math.max(bitmap.width, bitmap.height) / 128);
  const w = Math.max(1, Math.round(bitmap.width / s));
  const h = Math.max(1, Math.round(bitmap.height / s));
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  return fromRgba(ctx.getImageData(0, 0, w, h).data, w, h, 128);
}

/** Draws RGBA pixels onto a canvas of the image's own size (CSS scales it up, pixelated). */
function usePaint(ref: React.RefObject<HTMLCanvasElement | null>, width: number, height: number, pixels: Uint8ClampedArray | null) {
  useEffect(() => {
    const c = ref.current;
    if (!c || !pixels) return;
    c.width = width;
    c.height = height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    img.data.set(pixels);
    ctx.putImageData(img, 0, 0);
  }, [ref, width, height, pixels]);
}

type Source = 'test' | 'drawing' | 'photo' | 'probe' | 'map' | 'sample';
/** Which plane of a colour image the signed view shows. */
type Channel = 'lum' | 0 | 1 | 2;

const CHANNEL_NAMES: Record<string, string> = { lum: 'Luminance (the grey photo)', 0: 'Red', 1: 'Green', 2: 'Blue' };

/** The button in the Probe tab. */
export function KernelLabButton() {
  return (
    <>
      <p className="ll-muted">What a kernel does to an image: blur, sharpen, edges — edit one and watch, or open a learned filter from a Conv 2D node's ⤢ view.</p>
      <button type="button" data-testid="kernel-lab-open" title="An editable kernel running live over an image, with presets" onClick={() => openKernelLab()}>
        Open the kernel lab
      </button>
    </>
  );
}

/** The lab's dialog; rendered once by the editor, shown while open. */
export function KernelLabModal() {
  const open = useKernelLab((s) => s.open);
  const seq = useKernelLab((s) => s.seq);
  if (!open) return null;
  // A new request starts the lab afresh (the key remounts it).
  return <KernelLab key={seq} />;
}

function KernelLab() {
  const { request, saved } = useKernelLab.getState();
  const learned = request?.learned;
  const dataset = useTraining((s) => s.dataset);
  const probe = useProbe.getState();

  // The kernel, as the text in each cell (so that "-" or "0." can be typed); a cell that is not a number counts as 0.
  const first = request ? toKernel(request.kernel) : IDENTITY;
  const [shape, setShape] = useState<{ h: number; w: number }>(saved?.shape ?? { h: first.h, w: first.w });
  const [cells, setCells] = useState<string[]>(() => saved?.cells ?? first.values.map((v) => String(Math.round(v * 10000) / 10000)));
  const [presetId, setPresetId] = useState<string>(saved?.presetId ?? (request ? 'custom' : 'identity'));
  const [biasText, setBiasText] = useState(saved?.biasText ?? String(request?.bias !== undefined ? Math.round(request.bias * 10000) / 10000 : 0));
  const [relu, setRelu] = useState(saved?.relu ?? false);
  useEffect(() => useKernelLab.setState({ saved: { shape, cells, presetId, biasText, relu } }), [shape, cells, presetId, biasText, relu]);
  const [view, setView] = useState<'signed' | 'picture'>('signed');
  const [channel, setChannel] = useState<Channel>(request?.channel !== undefined && request.channel >= 0 && request.channel < 3 ? (request.channel as 0 | 1 | 2) : 'lum');

  const kernel: Kernel = useMemo(() => ({ h: shape.h, w: shape.w, values: cells.map((s) => (Number.isFinite(Number(s)) && s.trim() !== '' ? Number(s) : 0)) }), [shape, cells]);
  const bias = Number.isFinite(Number(biasText)) ? Number(biasText) : 0;
  // Lesson goals ask what the learner's kernel does: recorded once the typing has paused.
  useEffect(() => recordSoon({ kind: 'kernel', kernel: Array.from({ length: kernel.h }, (_, y) => kernel.values.slice(y * kernel.w, (y + 1) * kernel.w)) }), [kernel]);

  // The image.
  const initialSource: Source = learned ? (learned.fromInput || !learned.inputMap ? 'probe' : 'map') : dataset ? (probe.source === 'drawing' ? 'drawing' : 'test') : 'sample';
  const [source, setSource] = useState<Source>(initialSource);
  const [testIndex, setTestIndex] = useState(probe.index);
  const [testImage, setTestImage] = useState<LabImage | null>(null);
  const [testLabel, setTestLabel] = useState<number | null>(null);
  const [drawing, setDrawing] = useState<LabImage | null>(() => (dataset ? readDrawing(dataset.shape[0]) : null));
  const [photo, setPhoto] = useState<{ name: string; image: LabImage } | null>(null);
  const [photoError, setPhotoError] = useState<string | null>(null);

  useEffect(() => {
    if (source !== 'test' || !dataset) return;
    let live = true;
    const [h, w, c] = dataset.shape;
    void samples('test', [testIndex]).then(([s]) => {
      if (!live || !s) return;
      setTestImage({ width: w, height: h, channels: c, data: s.image });
      setTestLabel(s.label);
    });
    return () => {
      live = false;
    };
  }, [source, testIndex, dataset]);

  const sample = useMemo(samplePicture, []);
  const image: LabImage | null =
    source === 'test' ? testImage : source === 'drawing' ? drawing : source === 'photo' ? (photo?.image ?? null) : source === 'probe' ? (learned?.probe ?? null) : source === 'map' ? (learned?.inputMap ?? null) : sample;
  const colour = !!image && image.channels === 3;

  /** The plane the signed view and the arithmetic use. */
  const planeImage: LabImage | null = useMemo(() => {
    if (!image) return null;
    if (image.channels === 1) return image;
    const data = channel === 'lum' || image.channels < 3 ? luminance(image) : channelOf(image, channel);
    return { width: image.width, height: image.height, channels: 1, data };
  }, [image, channel]);

  const output = useMemo(() => (planeImage ? convolve(planeImage, kernel, { bias, relu }) : null), [planeImage, kernel, bias, relu]);
  const colourOutput = useMemo(() => (image && colour && view === 'picture' ? convolveChannels(image, kernel, { bias, relu }) : null), [image, colour, view, kernel, bias, relu]);
  const bound = useMemo(() => (output ? maxAbs(output) : 1), [output]);
  const [lo, hi] = useMemo(() => {
    if (!output?.length) return [0, 0];
    let a = Infinity;
    let b = -Infinity;
    for (const v of output) {
      if (v < a) a = v;
      if (v > b) b = v;
    }
    return [a, b];
  }, [output]);

  /** A feature map is not a picture in 0–1: it is shown scaled to its largest value (the maths uses the real values). */
  const inputScale = source === 'map' && image ? maxAbs(image.data) : 1;
  const inputPixels = useMemo(() => (image ? imagePixels(inputScale === 1 ? image : { ...image, data: image.data.map((v) => v / inputScale) }) : null), [image, inputScale]);
  const outputPixels = useMemo(() => {
    if (!output || !planeImage) return null;
    if (view === 'picture') return imagePixels(colourOutput ?? { ...planeImage, data: output });
    return divergingPixels(output, bound);
  }, [output, planeImage, view, colourOutput, bound]);

  const inCanvas = useRef<HTMLCanvasElement>(null);
  const outCanvas = useRef<HTMLCanvasElement>(null);
  const W = image?.width ?? 1;
  const H = image?.height ?? 1;
  usePaint(inCanvas, W, H, inputPixels);
  usePaint(outCanvas, W, H, outputPixels);

  // The output pixel under the pointer or the keyboard cursor.
  const [cursor, setCursor] = useState<{ y: number; x: number } | null>(null);
  const outBox = useRef<HTMLDivElement>(null);
  useEffect(() => setCursor((c) => (c && (c.y >= H || c.x >= W) ? null : c)), [W, H]);
  const sum = cursor && planeImage && cursor.y < H && cursor.x < W ? weightedSum(planeImage, kernel, cursor.y, cursor.x, { bias, relu }) : null;

  const pixelAt = (e: React.PointerEvent<HTMLElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = Math.floor(((e.clientX - r.left) / r.width) * W);
    const y = Math.floor(((e.clientY - r.top) / r.height) * H);
    return x >= 0 && y >= 0 && x < W && y < H ? { x, y } : null;
  };
  const onOutputKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    setCursor((c) => {
      const from = c ?? { y: Math.floor(H / 2), x: Math.floor(W / 2) };
      return { y: Math.max(0, Math.min(H - 1, from.y + m[0])), x: Math.max(0, Math.min(W - 1, from.x + m[1])) };
    });
  };

  // Kernel editing.
  const grid = useRef<HTMLDivElement>(null);
  const setCell = (t: number, text: string) => {
    setCells((cs) => cs.map((c, i) => (i === t ? text : c)));
    setPresetId('custom');
  };
  const onCellKey = (e: KeyboardEvent<HTMLInputElement>, t: number) => {
    const i = Math.floor(t / shape.w);
    const j = t % shape.w;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (!m) return;
    const ni = i + m[0];
    const nj = j + m[1];
    if (ni < 0 || nj < 0 || ni >= shape.h || nj >= shape.w) return;
    e.preventDefault();
    const next = grid.current?.querySelector<HTMLInputElement>(`input[data-cell="${ni * shape.w + nj}"]`);
    next?.focus();
    next?.select();
  };
  const applyKernel = (k: Kernel) => {
    setShape({ h: k.h, w: k.w });
    setCells(k.values.map((v) => String(Math.round(v * 10000) / 10000)));
  };
  const choosePreset = (id: string) => {
    setPresetId(id);
    const p = presetById(id);
    if (p) applyKernel(p.kernel);
  };
  const resize = (size: number) => {
    applyKernel(resizeKernelTo(kernel, size, size));
    setPresetId('custom');
  };
  const preset = presetById(presetId);
  const kBound = maxAbs(kernel.values);

  const onPhoto = async (file: File | undefined) => {
    if (!file) return;
    try {
      const img = await readPhoto(file);
      setPhoto({ name: file.name, image: img });
      setPhotoError(null);
      setSource('photo');
    } catch {
      setPhotoError(`${file.name} is not an image this browser can read.`);
    }
  };

  const squareSizes = KERNEL_SIZES as readonly number[];
  const sizeValue = shape.h === shape.w && squareSizes.includes(shape.h) ? String(shape.h) : 'other';
  const title = request?.title ? `Kernel lab: ${request.title}` : 'Kernel lab';
  const a = anchor(kernel);
  const scaleNote = view === 'signed' ? 'blue negative, white 0, red positive' : 'values clipped to 0 (black) … 1 (white)';

  return (
    <Modal title={title} onClose={closeKernelLab} testid="kernel-lab" wide>
      <div className="kl-lab">
        {learned && (
          <div className="kl-learned" data-testid="kl-learned">
            <p>
              Filter {learned.filter + 1} of <b>{learned.nodeId}</b>, over input channel {learned.inputChannel + 1} of {learned.inputChannels}, with the network's current weights and this filter's bias.
              {learned.inputChannels > 1 && ` In the layer, the results over all ${learned.inputChannels} input channels are added up and the bias is added once.`}
            </p>
            {!learned.fromInput && (
              <p className="ll-muted">
                In the network this kernel does not see the image: it sees channel {learned.inputChannel + 1} of what <b>{learned.source}</b> outputs. Choose “the feature map it really sees” below for that; on “the probe image” the lab applies it to the image instead.
              </p>
            )}
            {learned.notes.map((n) => (
              <p className="ll-muted" key={n}>
                {n}
              </p>
            ))}
          </div>
        )}

        <div className="kl-controls">
          <fieldset className="kl-image-choice">
            <legend>Image</legend>
            <label>
              <span>Image</span>
              <select data-testid="kl-source" value={source} onChange={(e) => setSource(e.target.value as Source)} aria-label="Which image the kernel runs over">
                {dataset && <option value="test">A test image ({dataset.name})</option>}
                <option value="drawing" disabled={!drawing && !dataset}>
                  Your drawing (Probe tab)
                </option>
                <option value="photo">A photo (in colour)</option>
                {learned?.probe && <option value="probe">The probe image</option>}
                {learned?.inputMap && !learned.fromInput && <option value="map">The feature map it really sees ({learned.source}, channel {learned.inputChannel + 1})</option>}
                <option value="sample">A sample picture</option>
              </select>
            </label>
            {source === 'test' && dataset && (
              <span className="kl-row">
                <button type="button" aria-label="Previous test image" data-testid="kl-prev" onClick={() => setTestIndex((i) => Math.max(0, i - 1))}>
                  ‹
                </button>
                <input
                  className="ll-num kl-index"
                  type="number"
                  data-testid="kl-index"
                  aria-label="Test image number"
                  min={0}
                  max={dataset.testCount - 1}
                  value={testIndex}
                  onChange={(e) => setTestIndex(Math.max(0, Math.min(dataset.testCount - 1, Math.floor(Number(e.target.value) || 0))))}
                />
                <button type="button" aria-label="Next test image" data-testid="kl-next" onClick={() => setTestIndex((i) => Math.min(dataset.testCount - 1, i + 1))}>
                  ›
                </button>
                <span className="ll-muted" data-testid="kl-test-label">
                  {testLabel !== null ? `#${testIndex}: ${dataset.classes[testLabel] ?? testLabel}` : ''}
                </span>
              </span>
            )}
            {source === 'drawing' && (
              <span className="kl-row">
                <button type="button" data-testid="kl-reread-drawing" title="Read the Probe tab's drawing pad again" onClick={() => setDrawing(readDrawing(dataset?.shape[0] ?? 28))}>
                  Read the drawing again
                </button>
                {!drawing && <span className="ll-muted">Open the Probe tab and draw first.</span>}
              </span>
            )}
            {source === 'photo' && (
              <span className="kl-row">
                <input className="kl-file" type="file" accept="image/*" data-testid="kl-photo" aria-label="Choose a photo" title="Or drop a photo on the input image" onChange={(e) => void onPhoto(e.target.files?.[0])} />
                <span className="ll-muted">or drop one on the input image; it is scaled to at most 128 pixels.</span>
              </span>
            )}
            {photoError && <p className="ll-error">{photoError}</p>}
            {colour && (
              <label>
                <span>Channel</span>
                <select data-testid="kl-channel" value={String(channel)} onChange={(e) => setChannel(e.target.value === 'lum' ? 'lum' : (Number(e.target.value) as 0 | 1 | 2))} title="A colour photo is three images (red, green, blue): the signed view and the arithmetic show one of them">
                  {(['lum', 0, 1, 2] as const).map((c) => (
                    <option key={c} value={String(c)}>
                      {CHANNEL_NAMES[String(c)]}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <p className="ll-muted kl-notes">
              The output has the input's size (“same”): outside the image the input counts as 0 (zero padding). The kernel is laid on the image as it is, not flipped — strictly a cross-correlation, which is what CNN layers (and this lab) compute.
              {colour && ' A colour photo is three images: the signed view shows one of them (or the grey luminance); “as a picture” filters red, green and blue separately with the same kernel and puts them back together.'}
            </p>
          </fieldset>

          <fieldset className="kl-kernel">
            <legend>Kernel</legend>
            <div className="kl-row">
              <label>
                <span>Preset</span>
                <select data-testid="kl-preset" value={presetId} onChange={(e) => choosePreset(e.target.value)} aria-label="Kernel preset">
                  <option value="custom">Your own</option>
                  {KERNEL_PRESETS.map((p) => (
                    <option key={p.id} value={p.id} title={p.description}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>Size</span>
                <select data-testid="kl-size" value={sizeValue} onChange={(e) => resize(Number(e.target.value))} aria-label="Kernel size" title="Growing pads the kernel with zeros; shrinking keeps its centre">
                  {squareSizes.map((s) => (
                    <option key={s} value={String(s)}>
                      {s}×{s}
                    </option>
                  ))}
                  {sizeValue === 'other' && (
                    <option value="other" disabled>
                      {shape.h}×{shape.w}
                    </option>
                  )}
                </select>
              </label>
            </div>
            <div
              ref={grid}
              className="kl-grid"
              data-testid="kl-grid"
              role="group"
              aria-label={`Kernel weights, ${shape.h}×${shape.w}: arrow keys move between cells`}
              style={{ gridTemplateColumns: `repeat(${shape.w}, max-content)` }}
            >
              {cells.map((text, t) => {
                const i = Math.floor(t / shape.w);
                const j = t % shape.w;
                const v = kernel.values[t]!;
                const inWindow = sum && sum.inside[t];
                return (
                  <input
                    key={`${shape.h}x${shape.w}-${t}`}
                    data-cell={t}
                    data-testid={`kl-cell-${i}-${j}`}
                    className={`kl-cell${i === a.top && j === a.left ? ' centre' : ''}${inWindow ? ' lit' : ''}`}
                    type="text"
                    inputMode="decimal"
                    aria-label={`Weight, row ${i + 1}, column ${j + 1}`}
                    value={text}
                    style={{ background: cellColour(v, kBound) }}
                    onChange={(e) => setCell(t, e.target.value)}
                    onKeyDown={(e) => onCellKey(e, t)}
                    onFocus={(e) => e.currentTarget.select()}
                  />
                );
              })}
            </div>
            <div className="kl-row">
              <label title="Added to every output pixel after the weighted sum">
                <span>Bias</span>
                <input className="ll-num kl-bias" type="text" inputMode="decimal" data-testid="kl-bias" aria-label="Bias" value={biasText} onChange={(e) => setBiasText(e.target.value)} />
              </label>
              <label title="ReLU keeps positive values and turns negative ones into 0, as a Conv 2D with activation relu does">
                <input type="checkbox" data-testid="kl-relu" checked={relu} onChange={(e) => setRelu(e.target.checked)} /> ReLU
              </label>
            </div>
            <p className="ll-muted kl-preset-text" data-testid="kl-preset-text">
              {preset ? preset.description : `Your own kernel: its weights sum to ${formatNumber(kernel.values.reduce((s, v) => s + v, 0), 2)}${Math.abs(kernel.values.reduce((s, v) => s + v, 0) - 1) < 1e-9 ? ' (1: flat areas keep their brightness)' : Math.abs(kernel.values.reduce((s, v) => s + v, 0)) < 1e-9 ? ' (0: flat areas become 0)' : ''}.`}
            </p>
          </fieldset>
        </div>

        <div className="kl-images">
          <figure>
            <figcaption>
              Input{image ? ` (${image.width}×${image.height}${colour ? ', colour' : ''})` : ''}
              {source === 'map' && image ? `: a feature map, shown with white = ${formatNumber(inputScale)}` : ''}
            </figcaption>
            <div className="kl-frame" style={{ aspectRatio: `${W} / ${H}` }}>
              <canvas ref={inCanvas} className="kl-canvas" data-testid="kl-input" aria-label="The input image" role="img" onDragOver={(e) => e.preventDefault()} onDrop={(e) => (e.preventDefault(), void onPhoto(e.dataTransfer.files[0]))} />
              {sum && (
                <div
                  className="kl-window"
                  data-testid="kl-window"
                  style={{ left: `${(sum.left / W) * 100}%`, top: `${(sum.top / H) * 100}%`, width: `${(kernel.w / W) * 100}%`, height: `${(kernel.h / H) * 100}%` }}
                />
              )}
              {!image && <p className="ll-muted kl-empty">{source === 'photo' ? 'Choose a photo above, or drop one here.' : 'Loading…'}</p>}
            </div>
          </figure>
          <figure>
            <figcaption>
              Output: {view === 'signed' ? 'signed values' : 'as a picture'}
              {colour && view === 'signed' ? ` (${CHANNEL_NAMES[String(channel)]!.toLowerCase()})` : ''}
            </figcaption>
            <div
              ref={outBox}
              className="kl-frame kl-output"
              style={{ aspectRatio: `${W} / ${H}` }}
              tabIndex={0}
              role="img"
              data-testid="kl-output-box"
              aria-label="The output image: point at a pixel, or focus here and use the arrow keys, to see its weighted sum"
              onPointerMove={(e) => setCursor(pixelAt(e))}
              onPointerLeave={() => document.activeElement !== outBox.current && setCursor(null)}
              onFocus={() => setCursor((c) => c ?? { y: Math.floor(H / 2), x: Math.floor(W / 2) })}
              onBlur={() => setCursor(null)}
              onKeyDown={onOutputKey}
            >
              <canvas ref={outCanvas} className="kl-canvas" data-testid="kl-output" data-bound={bound} data-view={view} />
              {cursor && cursor.y < H && cursor.x < W && (
                <div className="kl-pixel" data-testid="kl-pixel" style={{ left: `${(cursor.x / W) * 100}%`, top: `${(cursor.y / H) * 100}%`, width: `${100 / W}%`, height: `${100 / H}%` }} />
              )}
            </div>
          </figure>
        </div>

        <div className="kl-legend" data-testid="kl-legend">
          {view === 'signed' ? (
            <>
              <span className="kl-ramp" style={{ background: `linear-gradient(to right, rgb(${DIVERGING_NEGATIVE.join(',')}), #fff, rgb(${DIVERGING_POSITIVE.join(',')}))` }} />
              <span className="kl-ticks">
                <span data-testid="kl-legend-min">{formatNumber(-bound)} negative</span>
                <span>0</span>
                <span data-testid="kl-legend-max">positive {formatNumber(bound)}</span>
              </span>
            </>
          ) : (
            <span className="kl-ramp" style={{ background: 'linear-gradient(to right, #000, #fff)' }} />
          )}
          <span className="ll-muted" data-testid="kl-range">
            Output{colour ? ` (${CHANNEL_NAMES[String(channel)]!.toLowerCase()})` : ''} from {formatNumber(lo)} to {formatNumber(hi)}: {scaleNote}.
          </span>
          <label className="kl-view" title="Signed: every value on a blue–white–red scale symmetric about 0. As a picture: the output shown like an image, 0 black and 1 white (a colour photo in colour)">
            <span>Show the output</span>
            <select data-testid="kl-view" value={view} onChange={(e) => setView(e.target.value as 'signed' | 'picture')}>
              <option value="signed">as signed values</option>
              <option value="picture">as a picture (0–1)</option>
            </select>
          </label>
        </div>

        <div className="kl-sum" data-testid="kl-sum-box" aria-live="polite">
          {sum && cursor ? (
            <>
              <p>
                Output at row {cursor.y + 1}, column {cursor.x + 1}: <b data-testid="kl-pixel-value">{formatNumber(sum.value, 2)}</b>
                {sum.inside.some((v) => !v) && <span className="ll-muted"> (the window hangs over the edge: the zero padding counts as 0)</span>}
              </p>
              <p className="kl-sum-text" data-testid="kl-sum">
                {describeSum(sum, kernel, relu)}
              </p>
            </>
          ) : (
            <p className="ll-muted">Point at an output pixel (or focus the output and use the arrow keys) to see its window on the input and its weighted sum.</p>
          )}
        </div>

      </div>
    </Modal>
  );
}

/** A kernel cell's background: a light version of the diverging scale, so the text stays readable. */
function cellColour(v: number, bound: number): string {
  const t = Math.max(-1, Math.min(1, v / bound)) * 0.45;
  const end = t < 0 ? DIVERGING_NEGATIVE : DIVERGING_POSITIVE;
  const a = Math.abs(t);
  const [r, g, b] = [0, 1, 2].map((c) => Math.round(255 + (end[c]! - 255) * a));
  return `rgb(${r}, ${g}, ${b})`;
}
