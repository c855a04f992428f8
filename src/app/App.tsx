/**
 * LayerLab's first page: pick a preset or open a graph file, and see every node's output shape
 * and parameter count, the totals and the graph's diagnostics (the browser twin of
 * `layerlab inspect`). Everything from a file is rendered as text, never as HTML.
 */
import { useRef, useState, type ChangeEvent } from 'react';
import { analyzeGraph, checkFileSize, formatShape, parseGraphText, type Analysis, type GraphDoc, type Severity } from '../graph';
import { DEFAULT_PRESET, findPreset, PRESETS, type Preset } from './presets';

type Source = { kind: 'preset'; key: string } | { kind: 'file'; name: string; migratedFrom?: number };

interface Shown {
  doc: GraphDoc;
  analysis: Analysis;
  source: Source;
}

type Loaded = { ok: true; shown: Shown } | { ok: false; message: string };

const count = (x: number) => x.toLocaleString('en-US');

/** Analyses a parsed document; a throw (which analyzeGraph should never do) becomes an error. */
function load(doc: GraphDoc, source: Source): Loaded {
  try {
    return { ok: true, shown: { doc, analysis: analyzeGraph(doc), source } };
  } catch (e) {
    return { ok: false, message: `LayerLab could not analyse this graph (${e instanceof Error ? e.message : String(e)}).` };
  }
}

function loadPreset(preset: Preset | undefined): Loaded {
  if (!preset) return { ok: false, message: 'There is no such preset.' };
  if (!preset.ok) return { ok: false, message: `The preset "${preset.key}" is broken: ${preset.message}` };
  return load(preset.doc, { kind: 'preset', key: preset.key });
}

function initialGraph(): Shown | null {
  const first = loadPreset(findPreset(DEFAULT_PRESET));
  if (first.ok) return first.shown;
  for (const p of PRESETS) {
    const r = loadPreset(p);
    if (r.ok) return r.shown;
  }
  return null;
}

export function App() {
  const [shown, setShown] = useState<Shown | null>(initialGraph);
  const [loadError, setLoadError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  /** Bumped by every load, so a slow file read cannot replace something chosen after it. */
  const ticket = useRef(0);

  function apply(result: Loaded, failurePrefix: string) {
    if (result.ok) {
      setShown(result.shown);
      setLoadError(null);
    } else {
      // Bad input never loses data: the graph shown before stays on screen.
      setLoadError(`${failurePrefix}${result.message}`);
    }
  }

  function choosePreset(key: string) {
    ticket.current++;
    apply(loadPreset(findPreset(key)), '');
  }

  async function openFile(file: File) {
    const mine = ++ticket.current;
    const prefix = `Could not open "${file.name}": `;
    const tooBig = checkFileSize(file.size);
    if (tooBig) return apply({ ok: false, message: tooBig }, prefix);
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      if (mine === ticket.current) apply({ ok: false, message: `the file could not be read (${e instanceof Error ? e.message : String(e)}).` }, prefix);
      return;
    }
    if (mine !== ticket.current) return;
    const parsed = parseGraphText(text);
    apply(
      parsed.ok ? load(parsed.doc, { kind: 'file', name: file.name, ...(parsed.migratedFrom !== undefined ? { migratedFrom: parsed.migratedFrom } : {}) }) : parsed,
      prefix,
    );
  }

  function onFileChosen(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = ''; // choosing the same file again still fires a change
    if (file) void openFile(file);
  }

  const selectedKey = shown?.source.kind === 'preset' ? shown.source.key : undefined;

  return (
    <div className="app">
      <header className="app-header">
        <h1>LayerLab</h1>
        <p className="tagline">Build convolutional neural networks from nodes and see what every layer does.</p>
      </header>

      <div className="layout">
        <aside className="sidebar">
          <h2 className="sidebar-title">Presets</h2>
          <ul className="preset-list">
            {PRESETS.map((p) => (
              <li key={p.key}>
                <button
                  type="button"
                  className="preset"
                  data-testid={`preset-${p.key}`}
                  aria-pressed={p.key === selectedKey}
                  onClick={() => choosePreset(p.key)}
                >
                  <span className="preset-name">{p.ok ? p.doc.name : p.key}</span>
                  <span className="preset-description">{p.ok ? p.doc.description : 'This preset could not be read.'}</span>
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="open-file" onClick={() => fileInput.current?.click()}>
            Open graph file…
          </button>
          <input ref={fileInput} type="file" accept=".json,application/json" data-testid="open-file" hidden onChange={onFileChosen} />
        </aside>

        <main className="content">
          {loadError !== null && (
            <div className="load-error" role="alert" data-testid="load-error">
              <p>{loadError}</p>
              <button type="button" className="dismiss" aria-label="Dismiss this message" onClick={() => setLoadError(null)}>
                ×
              </button>
            </div>
          )}
          {shown ? <GraphView shown={shown} /> : <p className="empty">Choose a preset or open a graph file.</p>}
        </main>
      </div>
    </div>
  );
}

function GraphView({ shown }: { shown: Shown }) {
  const { doc, analysis, source } = shown;
  const ids = [...new Set([...analysis.order, ...doc.nodes.map((n) => n.id)])];

  // The most serious problem on each node, to mark its row.
  const flags = new Map<string, Severity>();
  for (const d of analysis.diagnostics) {
    for (const id of d.nodeIds) if (flags.get(id) !== 'error') flags.set(id, d.severity);
  }

  const t = analysis.totals;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const warnings = analysis.diagnostics.filter((d) => d.severity === 'warning');
  const ordered = [...errors, ...warnings];

  return (
    <article className="graph">
      <header className="graph-header">
        <h2 data-testid="graph-name">{doc.name}</h2>
        <p className="graph-meta">
          {source.kind === 'preset' ? 'Preset' : `File ${source.name}`} · {doc.nodes.length} node{doc.nodes.length === 1 ? '' : 's'} ·{' '}
          {doc.edges.length} edge{doc.edges.length === 1 ? '' : 's'}
          {source.kind === 'file' && source.migratedFrom !== undefined && ` · upgraded from format version ${source.migratedFrom}`}
        </p>
        {doc.description && (
          <p className="graph-description" data-testid="graph-description">
            {doc.description}
          </p>
        )}
      </header>

      <section className="totals" aria-label="Parameter totals">
        <div className="total">
          <span className="total-label">Parameters</span>
          <span className="total-value" data-testid="total-params">
            {count(t.params)}
          </span>
        </div>
        <div className="total">
          <span className="total-label">Trainable</span>
          <span className="total-value" data-testid="trainable-params">
            {count(t.trainable)}
          </span>
        </div>
        <div className="total">
          <span className="total-label">Non-trainable</span>
          <span className="total-value" data-testid="non-trainable-params">
            {count(t.nonTrainable)}
          </span>
        </div>
        {!t.complete && <p className="totals-note">Some shapes are unknown, so these counts leave out the nodes marked “?”.</p>}
      </section>

      <section aria-labelledby="diagnostics-title">
        <h3 id="diagnostics-title">
          {ordered.length === 0
            ? 'Diagnostics'
            : `Diagnostics: ${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`}
        </h3>
        <div data-testid="diagnostics">
          {ordered.length === 0 ? (
            <p className="no-problems">No problems found.</p>
          ) : (
            <ul className="diagnostics">
              {ordered.map((d, i) => (
                <li key={i} className={`diagnostic ${d.severity}`} data-testid="diagnostic">
                  <span className="severity">{d.severity}</span>
                  <span className="message">{d.message}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>

      <section aria-labelledby="nodes-title">
        <h3 id="nodes-title">Layers, in data-flow order</h3>
        <div className="table-wrap">
          <table className="nodes">
            <thead>
              <tr>
                <th scope="col">id</th>
                <th scope="col">type</th>
                <th scope="col">output shape</th>
                <th scope="col" className="num">
                  parameters
                </th>
              </tr>
            </thead>
            <tbody>
              {ids.map((id) => {
                const n = analysis.nodes.get(id);
                const def = n?.def;
                const pc = n?.paramCount;
                const flag = flags.get(id);
                return (
                  <tr key={id} data-testid={`node-row-${id}`} className={flag ? `flag-${flag}` : undefined}>
                    <th scope="row" className="node-id">
                      {id}
                      {flag && (
                        <span className={`flag ${flag}`} title={`This node has ${flag === 'error' ? 'an error' : 'a warning'}`}>
                          {flag}
                        </span>
                      )}
                    </th>
                    <td>
                      {def ? (
                        <span className="node-type" data-category={def.category} title={def.summary}>
                          {def.title}
                        </span>
                      ) : (
                        <span className="node-type unknown" title="LayerLab does not know this node type">
                          {n?.type ?? '?'}
                        </span>
                      )}
                    </td>
                    <td className="shape" data-testid={`shape-${id}`}>
                      {formatShape(n?.outputShape)}
                    </td>
                    <td
                      className="num"
                      data-testid={`params-${id}`}
                      title={pc && pc.nonTrainable > 0 ? `${count(pc.trainable)} trainable, ${count(pc.nonTrainable)} non-trainable` : undefined}
                    >
                      {pc ? count(pc.trainable + pc.nonTrainable) : '?'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </article>
  );
}
