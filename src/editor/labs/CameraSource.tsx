/**
 * The probe from the webcam (issue 10, part 5): Start camera asks for the camera, shows its centre
 * square live, and turns frames into the dataset's input (src/labs/camera-frame.ts: crop, scale,
 * grey, invert, contrast, threshold) for the probe: the prediction and every node's feature maps
 * follow. Never more than one prediction in flight (frames that arrive meanwhile are dropped, not
 * queued), at most 20 a second; the frames per second achieved are shown. The camera stops (its
 * tracks ended, the light goes off) with Stop, when the panel goes away or another side-panel tab
 * is shown, when the page is hidden, and when the probe is pointed at something else. "Record classes…" opens the recorder
 * (CameraRecorder), which uses the same camera. Nothing runs while the camera is off.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { cameraFrameToInput, centreCrop, type CameraFrameOptions } from '../../labs/camera-frame';
import type { GraphDoc } from '../../graph/types';
import type { DatasetInfo } from '../../training/protocol';
import { ImageThumb } from '../../viz/SampleGrid';
import { useSidePanel } from '../SidePanel';
import { CameraRecorder } from './CameraRecorder';

type Shape = readonly [number, number, number];
export type FrameOptions = Omit<CameraFrameOptions, 'shape'>;

/** Shortest time between two frames sent to the probe (at most 20 a second). */
const MIN_INTERVAL_MS = 50;

/** What the recorder records for a graph whose own images are not loaded yet: the Input node's shape (1 or 3 channels). */
export function recordingTarget(doc: GraphDoc): DatasetInfo {
  const s = doc.nodes.find((n) => n.type === 'input')?.params.shape as number[] | undefined;
  const ok = s?.length === 3 && s.every((v) => Number.isInteger(v) && v >= 1) && (s[2] === 1 || s[2] === 3);
  return { name: 'camera', classes: [], shape: ok ? [s[0]!, s[1]!, s[2]!] : [28, 28, 1], trainCount: 0, testCount: 0 };
}

/** Why the camera would not start, in words for a learner. */
export function cameraErrorText(e: unknown): string {
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'The camera was not allowed. Allow it for this page (the camera icon in the address bar) and press Start camera again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'No camera was found on this computer.';
  if (name === 'NotReadableError' || name === 'TrackStartError') return 'The camera is busy: another program or tab may be using it.';
  return `The camera could not start${(e as Error)?.message ? `: ${(e as Error).message}` : '.'}`;
}

/** A grabber of the video's current frame as an input of any shape (one canvas, reused). */
function makeGrabber() {
  let canvas: HTMLCanvasElement | null = null;
  return (video: HTMLVideoElement | null, shape: Shape, opts: FrameOptions): Float32Array | null => {
    if (!video || video.readyState < 2 || !video.videoWidth || !video.videoHeight) return null;
    const [h, w] = shape;
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    // Read the frame back at a size whose crop is about 4× the input (cheap), then average exactly.
    const crop = centreCrop(vw, vh, h, w);
    const k = Math.min(1, (4 * Math.max(h, w)) / Math.max(1, Math.min(crop.width, crop.height)));
    const cw = Math.max(1, Math.round(vw * k));
    const ch = Math.max(1, Math.round(vh * k));
    canvas ??= document.createElement('canvas');
    if (canvas.width !== cw) canvas.width = cw;
    if (canvas.height !== ch) canvas.height = ch;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(video, 0, 0, cw, ch);
    return cameraFrameToInput(ctx.getImageData(0, 0, cw, ch).data, cw, ch, { shape, ...opts });
  };
}

/**
 * `recordOnly`: no probe (the graph's own images are not loaded yet, so nothing to predict with):
 * only the recorder, at the Input node's shape (`dataset` then describes that shape).
 */
export function CameraSource({ dataset, active, onFrame, recordOnly = false }: { dataset: DatasetInfo; active: boolean; onFrame(image: Float32Array): Promise<void>; recordOnly?: boolean }) {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [opts, setOpts] = useState<FrameOptions>(() => ({ invert: dataset.shape[2] === 1, contrast: false, threshold: 0 }));
  const [fps, setFps] = useState<number | null>(null);
  const [seen, setSeen] = useState<Float32Array | null>(null);
  const [recorder, setRecorder] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const grabber = useRef(makeGrabber());
  const streamRef = useRef<MediaStream | null>(null);
  /** Bumped by every start and stop: a camera that answers after a stop (or unmount) is ended at once. */
  const attempt = useRef(0);
  const onFrameRef = useRef(onFrame);
  onFrameRef.current = onFrame;
  const optsRef = useRef(opts);
  optsRef.current = opts;
  const shapeKey = dataset.shape.join('×');

  /** The start under way (StrictMode runs the recorder's "start on opening" twice: one request, not two). */
  const pending = useRef<Promise<void> | null>(null);
  const stop = useCallback(() => {
    attempt.current++;
    pending.current = null;
    streamRef.current?.getTracks().forEach((t) => t.stop());
    streamRef.current = null;
    setStream(null);
    setStarting(false);
    setFps(null);
  }, []);

  const start = useCallback((): Promise<void> => {
    if (streamRef.current) return Promise.resolve();
    if (pending.current) return pending.current;
    const done = startNow().finally(() => {
      if (pending.current === done) pending.current = null;
    });
    pending.current = done;
    return done;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const startNow = async () => {
    const mine = ++attempt.current;
    setError(null);
    if (!navigator.mediaDevices?.getUserMedia) {
      setError('This browser gives no camera to this page (a camera needs https or localhost).');
      return;
    }
    setStarting(true);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false });
      if (mine !== attempt.current) {
        s.getTracks().forEach((t) => t.stop()); // stopped or gone meanwhile
        return;
      }
      streamRef.current = s;
      setStream(s);
      // Unplugged, or taken away by the system: off, with a word why.
      s.getVideoTracks()[0]?.addEventListener('ended', () => {
        if (streamRef.current !== s) return;
        stop();
        setError('The camera stopped (unplugged, or taken by another program).');
      });
    } catch (e) {
      if (mine === attempt.current) setError(cameraErrorText(e));
    } finally {
      if (mine === attempt.current) setStarting(false);
    }
  };

  // Off when the panel goes away and when the page is hidden.
  useEffect(() => stop, [stop]);
  useEffect(() => {
    const onVis = () => document.visibilityState === 'hidden' && stop();
    document.addEventListener('visibilitychange', onVis);
    return () => document.removeEventListener('visibilitychange', onVis);
  }, [stop]);

  // Off when another side-panel tab is shown (the Probe panel stays mounted, hidden).
  const probeShown = useSidePanel((s) => s.tab === 'probe');
  useEffect(() => {
    if (!probeShown) stop();
  }, [probeShown, stop]);

  // Off when the probe is pointed elsewhere (a test image, the drawing) after showing the camera.
  const wasActive = useRef(false);
  useEffect(() => {
    if (!stream) wasActive.current = false;
    else if (active) wasActive.current = true;
    else if (wasActive.current) stop();
  }, [active, stream, stop]);

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    v.srcObject = stream;
    if (stream) void v.play().catch(() => undefined);
  }, [stream]);

  // The probe loop: one prediction at a time, the newest frame each time.
  useEffect(() => {
    if (!stream || recorder || recordOnly) return;
    let live = true;
    let busy = false;
    let last = 0;
    let raf = 0;
    const done: number[] = [];
    const tick = () => {
      if (!live) return;
      raf = requestAnimationFrame(tick);
      const now = performance.now();
      if (busy || now - last < MIN_INTERVAL_MS) return;
      const image = grabber.current(video.current, dataset.shape, optsRef.current);
      if (!image) return;
      busy = true;
      last = now;
      void onFrameRef
        .current(image)
        .catch(() => undefined)
        .finally(() => {
          busy = false;
          if (!live) return;
          done.push(performance.now());
          setSeen(image);
        });
    };
    raf = requestAnimationFrame(tick);
    const meter = setInterval(() => {
      const now = performance.now();
      while (done.length && done[0]! < now - 2000) done.shift();
      setFps(done.length >= 2 ? ((done.length - 1) * 1000) / (done[done.length - 1]! - done[0]!) : done.length ? null : 0);
    }, 500);
    return () => {
      live = false;
      cancelAnimationFrame(raf);
      clearInterval(meter);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stream, recorder, shapeKey, recordOnly]);

  const on = !!stream;
  const grab = useCallback((shape: Shape) => grabber.current(video.current, shape, optsRef.current), []);
  const [h, w, c] = dataset.shape;
  return (
    <section className="ll-cam" data-testid="camera-section">
      <h3>Camera</h3>
      <p className="ll-cam-buttons">
        {!recordOnly && (
          <button
            type="button"
            data-testid="camera-toggle"
            aria-pressed={on}
            disabled={starting}
            onClick={() => (on ? stop() : void start())}
            title={on ? 'Stop the camera (its light goes off)' : 'Probe the network with your camera: every frame goes through the network, live'}
          >
            {starting ? 'Starting…' : on ? 'Stop camera' : 'Start camera'}
          </button>
        )}
        <button type="button" data-testid="camera-record-open" onClick={() => setRecorder(true)} title="Record your own classes from the camera (hold a button per class) and train on them">
          Record classes…
        </button>
      </p>
      {error && (
        <p className="ll-error" role="alert" data-testid="camera-error">
          {error}
        </p>
      )}
      <div className="ll-cam-view" hidden={!on || recordOnly}>
        <figure className="ll-cam-preview" title="The camera; only this centre square is used">
          <video ref={video} muted playsInline aria-label="Camera preview (centre square)" data-testid="camera-video" />
          <figcaption>camera (centre)</figcaption>
        </figure>
        <div className="ll-cam-seen" title="What the network gets from each frame: the centre square, scaled to its input, with the options below">
          {seen && seen.length === h * w * c && <ImageThumb image={seen} shape={dataset.shape} caption={`input ${w}×${h}`} testid="camera-seen" />}
          <p className="ll-muted ll-cam-fps" title="Frames that went through the network each second (one at a time; frames that arrive meanwhile are dropped)">
            <span data-testid="camera-fps" data-fps={fps ?? ''}>
              {recorder ? 'paused while recording' : fps === null ? '… frames/s' : `${fps.toFixed(1)} frames/s`}
            </span>
          </p>
        </div>
      </div>
      <div className="ll-cam-options">
        <label title="1 − value: dark ink on white paper becomes white on black, as MNIST's digits are">
          <input type="checkbox" data-testid="camera-invert" checked={!!opts.invert} onChange={(e) => setOpts((o) => ({ ...o, invert: e.target.checked }))} /> Invert
        </label>
        <label title="Stretch each frame so that its darkest pixel is black and its brightest white">
          <input type="checkbox" data-testid="camera-contrast" checked={!!opts.contrast} onChange={(e) => setOpts((o) => ({ ...o, contrast: e.target.checked }))} /> Stretch contrast
        </label>
        <label title="Pixels darker than this become black (0: off): grey paper becomes a clean black background">
          Threshold{' '}
          <input
            type="range"
            min={0}
            max={0.9}
            step={0.05}
            value={opts.threshold ?? 0}
            data-testid="camera-threshold"
            aria-label="Threshold"
            onChange={(e) => setOpts((o) => ({ ...o, threshold: Number(e.target.value) }))}
          />{' '}
          <output className="ll-cam-num">{(opts.threshold ?? 0).toFixed(2)}</output>
        </label>
      </div>
      {recorder && <CameraRecorder dataset={dataset} stream={stream} starting={starting} start={start} grab={grab} onClose={() => setRecorder(false)} />}
    </section>
  );
}
