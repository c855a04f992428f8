/**
 * A conv node's learned kernels in its large view, each one a door into the kernel lab ("what does
 * this filter do?"): click a filter's tile, or pick a filter and an input channel, and open it in
 * the lab — its k×k weights over that input channel, with its bias, running over the probe image
 * (or, for a deeper convolution, over the feature map it really sees).
 */
import { useState } from 'react';
import { remote } from '../../training/client';
import type { LearnedKernel } from '../../training/labs/kernel-lab';
import { KernelView, type KernelPicture } from '../../viz/KernelView';
import { rootDoc, useEditor } from '../store';
import { openKernelLab } from './KernelLab';

type Kernels = KernelPicture & { nodeId: string; type: string; size: [number, number]; filters: number; averagedOver: number };

/** What the lab does differently from the layer, in words. */
function notesFor(k: LearnedKernel): string[] {
  const notes: string[] = [];
  if (k.strides[0] > 1 || k.strides[1] > 1) notes.push(`The layer moves its window ${k.strides.join('×')} pixels at a time (stride), so its output is smaller; the lab moves it one pixel at a time.`);
  if (k.dilation[0] > 1 || k.dilation[1] > 1) notes.push(`The layer spreads its taps ${k.dilation.join('×')} pixels apart (dilation); the lab puts them side by side.`);
  if (k.padding === 'valid') notes.push('The layer does not pad (padding “valid”: its output is smaller); the lab pads with zeros to keep the size.');
  if (k.activation !== 'linear') notes.push(`The layer applies ${k.activation} after the sum${k.activation === 'relu' ? ': switch ReLU on to see that' : ''}.`);
  return notes;
}

export async function openLearnedKernel(nodeId: string, filter: number, inputChannel: number) {
  const doc = rootDoc();
  try {
    const k = await remote().learnedKernel(doc, nodeId, filter, inputChannel);
    openKernelLab({
      kernel: { h: k.size[0], w: k.size[1], values: k.kernel },
      bias: k.bias,
      title: `${nodeId}, filter ${k.filter + 1}, input channel ${k.inputChannel + 1}`,
      channel: k.fromInput && k.probe?.channels === 3 ? k.inputChannel : undefined,
      learned: {
        nodeId,
        filter: k.filter,
        inputChannel: k.inputChannel,
        inputChannels: k.inputChannels,
        fromInput: k.fromInput,
        source: k.source,
        probe: k.probe,
        inputMap: k.inputMap ? { ...k.inputMap, channels: 1 } : null,
        notes: notesFor(k),
      },
    });
  } catch (e) {
    useEditor.getState().notify('error', `The kernel could not be opened: ${(e as Error).message}`);
  }
}

export function LearnedKernels({ kernels }: { kernels: Kernels }) {
  const [filter, setFilter] = useState(0);
  const [channel, setChannel] = useState(0);
  const supported = kernels.type === 'conv2d' || kernels.type === 'depthwiseConv2d';
  const depthwise = kernels.type === 'depthwiseConv2d';
  const inputs = depthwise ? 1 : kernels.averagedOver;

  /** A click on a tile picks that filter (and opens it in the lab). */
  const onTileClick = (e: React.MouseEvent<HTMLDivElement>) => {
    if (!supported) return;
    const c = (e.target as HTMLElement).closest('canvas');
    if (!c) return;
    const r = c.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * kernels.width;
    const py = ((e.clientY - r.top) / r.height) * kernels.height;
    const [th, tw] = kernels.tile;
    const col = Math.floor(px / (tw + 1));
    const row = Math.floor(py / (th + 1));
    const f = row * kernels.cols + col;
    if (col >= kernels.cols || f < 0 || f >= kernels.shown) return;
    setFilter(f);
    void openLearnedKernel(kernels.nodeId, f, channel);
  };

  return (
    <>
      <div data-testid="node-kernels" className={supported ? 'kl-tiles' : undefined} onClick={onTileClick} title={supported ? 'Click a filter to open it in the kernel lab' : undefined}>
        <KernelView kernels={kernels} />
      </div>
      {supported ? (
        <div className="kl-open-learned" data-testid="kl-open-learned">
          <span className="ll-muted">What does a filter do? Click its tile, or choose:</span>
          <label>
            <span>Filter</span>
            <select data-testid="kl-learned-filter" value={filter} onChange={(e) => setFilter(Number(e.target.value))}>
              {Array.from({ length: kernels.filters }, (_, f) => (
                <option key={f} value={f}>
                  {f + 1} of {kernels.filters}
                </option>
              ))}
            </select>
          </label>
          {!depthwise && (
            <label title="A Conv 2D filter has one k×k kernel per input channel">
              <span>Input channel</span>
              <select data-testid="kl-learned-channel" value={channel} onChange={(e) => setChannel(Number(e.target.value))}>
                {Array.from({ length: inputs }, (_, i) => (
                  <option key={i} value={i}>
                    {i + 1} of {inputs}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" data-testid="kl-open-learned-button" onClick={() => void openLearnedKernel(kernels.nodeId, filter, channel)}>
            Open in the kernel lab
          </button>
        </div>
      ) : (
        <p className="ll-muted">The kernel lab opens Conv 2D and Depthwise Conv 2D kernels.</p>
      )}
    </>
  );
}
