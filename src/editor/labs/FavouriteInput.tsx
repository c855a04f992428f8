/**
 * A channel's favourite input, in a node's large view (issue 10, part 4): the image that most
 * excites one channel of this node (its mean activation; for a vector node one unit, for the
 * output one class's score before softmax), found in the worker by gradient ascent from seeded
 * noise with light regularisation (src/labs/explain.ts). Runs only when asked.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FavouriteInput as Favourite } from '../../labs/explain';
import { remote } from '../../training/client';
import { useTraining } from '../../training/store';
import { ImageThumb } from '../../viz/SampleGrid';
import { rootAnalysis, rootDoc, useEditor } from '../store';

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3));

export function FavouriteInput({ nodeId }: { nodeId: string }) {
  const { doc, analysis } = useEditor(useShallow((s) => ({ doc: rootDoc(s), analysis: rootAnalysis(s) })));
  const classes = useTraining((s) => s.dataset?.classes);
  const hasDataset = useTraining((s) => !!s.dataset);
  const [channel, setChannel] = useState(0);
  const [seed, setSeed] = useState(1);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Favourite | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Another node: start over.
  useEffect(() => {
    setResult(null);
    setError(null);
    setChannel(0);
  }, [nodeId]);

  const n = analysis.nodes.get(nodeId);
  const shape = n?.outputShape;
  if (!analysis.ok || !n || !shape || n.def?.role === 'input' || !(shape.length === 3 || shape.length === 1)) return null;
  const isMap = shape.length === 3;
  const isOutput = nodeId === analysis.outputId;
  const count = shape[shape.length - 1]!;
  const what = isMap ? 'channel' : isOutput ? 'class' : 'unit';
  const ch = Math.min(channel, count - 1);

  const find = async (s: number) => {
    setBusy(true);
    setError(null);
    try {
      const r = await remote().favouriteInput(doc, nodeId, ch, { seed: s });
      setResult(r);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const objective = isMap ? `mean activation of channel ${result?.channel}` : isOutput ? `score of ${classes?.[result?.channel ?? 0] ?? result?.channel} (before softmax)` : `value of unit ${result?.channel}`;
  return (
    <section className="xp-fav" data-testid="favourite-input">
      <h3>Favourite input</h3>
      <p className="ll-muted">
        The image that excites one {what} of {nodeId} the most: it starts from grey noise and changes the pixels step by step in the direction that raises the {what}'s
        {isMap ? ' mean activation' : ' value'} (gradient ascent), with a little blur and a pull towards grey so that it stays a picture.
      </p>
      <div className="xp-fav-controls">
        <label title={`Which ${what} of ${nodeId} (0 to ${count - 1})`}>
          <span>{what[0]!.toUpperCase() + what.slice(1)}</span>{' '}
          {isOutput && classes ? (
            <select aria-label="Class" data-testid="favourite-channel" value={ch} onChange={(e) => setChannel(Number(e.target.value))}>
              {classes.map((c, i) => (
                <option key={i} value={i}>
                  {c}
                </option>
              ))}
            </select>
          ) : (
            <input
              type="number"
              className="ll-num"
              min={0}
              max={count - 1}
              value={ch}
              aria-label={`${what} number`}
              data-testid="favourite-channel"
              onChange={(e) => setChannel(Math.max(0, Math.min(count - 1, Math.floor(Number(e.target.value)) || 0)))}
            />
          )}
          <span className="ll-muted"> of {count}</span>
        </label>
        <button type="button" data-testid="favourite-find" disabled={busy || !hasDataset} onClick={() => void find(seed)} title="Runs gradient ascent in the training worker (a second or two)">
          {busy ? 'Searching…' : 'Find its favourite input'}
        </button>
        {result && (
          <button
            type="button"
            disabled={busy}
            title="Start again from different noise: a different local favourite may come out"
            onClick={() => {
              setSeed(seed + 1);
              void find(seed + 1);
            }}
          >
            Another start
          </button>
        )}
      </div>
      {!hasDataset && <p className="ll-muted">Open the Probe or Train tab first (the dataset gives the image size).</p>}
      {error && (
        <p className="ll-error" data-testid="favourite-error">
          {error}
        </p>
      )}
      {result && (
        <div className="xp-fav-result">
          <div className="xp-fav-image">
            <ImageThumb image={result.image} shape={result.shape} testid="favourite-image" caption={`${what} ${isOutput && classes ? classes[result.channel] : result.channel}`} />
          </div>
          <p data-testid="favourite-numbers">
            {result.stuck ? (
              <>This {what} gives 0 for every image near the start (a ReLU that stays off), so there was no direction to climb. Try another start or another {what}.</>
            ) : (
              <>
                The {objective} went from <b>{fmt(result.before)}</b> on the starting noise to <b>{fmt(result.after)}</b>.
              </>
            )}
          </p>
        </div>
      )}
    </section>
  );
}
