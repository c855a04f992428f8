/** The right-hand panel: Inspect (the selected node), Train, and Probe (what the network sees). */
import { lazy, Suspense, useState } from 'react';
import { Inspector } from './Inspector';

const TrainPanel = lazy(() => import('./TrainPanel').then((m) => ({ default: m.TrainPanel })));
const ProbePanel = lazy(() => import('./ProbePanel').then((m) => ({ default: m.ProbePanel })));

type Tab = 'inspect' | 'train' | 'probe';

export function SidePanel() {
  const [tab, setTab] = useState<Tab>('inspect');
  const [visited, setVisited] = useState<Set<Tab>>(new Set(['inspect']));
  const open = (t: Tab) => {
    setTab(t);
    setVisited((v) => new Set(v).add(t));
  };
  return (
    <div className="ll-side">
      <div className="ll-tabs" role="tablist">
        {(['inspect', 'train', 'probe'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} data-testid={`tab-${t}`} onClick={() => open(t)}>
            {t === 'inspect' ? 'Inspect' : t === 'train' ? 'Train' : 'Probe'}
          </button>
        ))}
      </div>
      <div className="ll-tab-body">
        {tab === 'inspect' && <Inspector />}
        <Suspense fallback={<p className="ll-muted">Loading…</p>}>
          {/* Panels stay mounted once opened, so a run's charts survive switching tabs. */}
          {visited.has('train') && (
            <div hidden={tab !== 'train'}>
              <TrainPanel />
            </div>
          )}
          {visited.has('probe') && (
            <div hidden={tab !== 'probe'}>
              <ProbePanel />
            </div>
          )}
        </Suspense>
      </div>
    </div>
  );
}
