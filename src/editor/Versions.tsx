/**
 * What autosave keeps for the user: the version history (the graph every couple of minutes, to
 * open again as one undoable step or to download) and the stored snapshots that could no longer
 * be read (a bug, a newer LayerLab, a changed limit), kept exactly as they were to download.
 * The banner tells the user at start-up when the autosave did not read.
 */
import { useEffect, useState } from 'react';
import { create } from 'zustand';
import { loadAction } from './actions';
import { forgetKept, keptSnapshots, versions, type KeptSnapshot, type VersionRead } from './autosave';
import { downloadText, fileBase } from './download';
import { Modal } from './Modal';

/** The start-up problem with the autosave, if any (shown as a banner until dismissed). */
export const useAutosaveProblem = create<{ problem: { message: string; kept: KeptSnapshot | null } | null; set(p: { message: string; kept: KeptSnapshot | null } | null): void }>()((set) => ({
  problem: null,
  set: (problem) => set({ problem }),
}));

const when = (t: number) => new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function downloadKept(k: KeptSnapshot) {
  downloadText(k.text, `layerlab-autosave-kept-${new Date(k.keptAt).toISOString().replace(/[:.]/g, '-')}.json`);
}

export function AutosaveBanner(props: { onOpenVersions(): void }) {
  const { problem, set } = useAutosaveProblem();
  if (!problem) return null;
  return (
    <div className="ll-banner error" role="alert" data-testid="autosave-problem">
      <span>
        {problem.message}{' '}
        {problem.kept && (
          <>
            <button type="button" data-testid="autosave-kept-download" onClick={() => downloadKept(problem.kept!)}>
              Download it as it was
            </button>{' '}
          </>
        )}
        <button type="button" data-testid="autosave-open-versions" onClick={props.onOpenVersions}>
          Versions…
        </button>
      </span>
      <button type="button" className="ll-icon" aria-label="Dismiss" onClick={() => set(null)}>
        ×
      </button>
    </div>
  );
}

export function VersionsDialog({ onClose }: { onClose(): void }) {
  const [list, setList] = useState<VersionRead[] | null>(null);
  const [kept, setKept] = useState<KeptSnapshot[]>([]);
  useEffect(() => {
    let live = true;
    void Promise.all([versions(), keptSnapshots()]).then(([v, k]) => {
      if (!live) return;
      setList(v);
      setKept(k);
    });
    return () => {
      live = false;
    };
  }, []);
  return (
    <Modal title="Versions" onClose={onClose} testid="versions-dialog" wide>
      <p>LayerLab keeps your graph in this browser as you work, and a version every couple of minutes. Opening a version is one step you can undo.</p>
      {list === null ? (
        <p className="ll-muted">Reading…</p>
      ) : list.length === 0 ? (
        <p className="ll-muted">No versions yet.</p>
      ) : (
        <table className="ll-versions" data-testid="versions-list">
          <thead>
            <tr>
              <th scope="col">Saved</th>
              <th scope="col">Graph</th>
              <th scope="col">
                <span className="ll-sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.savedAt} data-testid="version-row">
                <td>{when(v.savedAt)}</td>
                <td>{v.ok ? `${v.doc.name} · ${v.doc.nodes.length} node${v.doc.nodes.length === 1 ? '' : 's'}` : `Does not read: ${v.message}`}</td>
                <td>
                  {v.ok && (
                    <button
                      type="button"
                      data-testid="version-open"
                      onClick={() => {
                        loadAction({ ok: true, doc: v.doc }, `Version of ${when(v.savedAt)}`);
                        onClose();
                      }}
                    >
                      Open
                    </button>
                  )}{' '}
                  <button type="button" data-testid="version-download" onClick={() => downloadText(v.text, `${fileBase(v.ok ? v.doc.name : 'graph')}-${new Date(v.savedAt).toISOString().slice(0, 16).replace(/[:T]/g, '-')}.json`)}>
                    Download
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {kept.length > 0 && (
        <>
          <h3>Autosaves that could not be read</h3>
          <p>They are kept as they were stored, so nothing is lost: download one to fix it by hand or to send with a bug report.</p>
          <ul className="ll-kept" data-testid="kept-list">
            {kept.map((k) => (
              <li key={k.keptAt} data-testid="kept-row">
                <span>
                  {when(k.keptAt)}: {k.reason}
                </span>{' '}
                <button type="button" data-testid="kept-download" onClick={() => downloadKept(k)}>
                  Download
                </button>{' '}
                <button
                  type="button"
                  data-testid="kept-forget"
                  onClick={() => {
                    if (!window.confirm('Forget this unreadable autosave for good?')) return;
                    void forgetKept(k.keptAt).then(() => setKept((all) => all.filter((x) => x.keptAt !== k.keptAt)));
                  }}
                >
                  Forget
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
