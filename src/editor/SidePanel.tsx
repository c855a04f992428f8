/**
 * The right-hand panel: Inspect (the selected node), Train, Probe (what the network sees) and
 * Lesson (the open lesson, or the built-in course to choose from).
 * A WAI-ARIA tab list: the selected tab is the one Tab stop, ←/→ (Home/End) move between tabs and
 * open them; each tab controls its own tabpanel. `openSideTab` opens a tab from anywhere (the I, T
 * and P shortcuts) and can move the focus into it.
 */
import { lazy, Suspense, useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { create } from 'zustand';
import { Inspector } from './Inspector';

const TrainPanel = lazy(() => import('./TrainPanel').then((m) => ({ default: m.TrainPanel })));
const ProbePanel = lazy(() => import('./ProbePanel').then((m) => ({ default: m.ProbePanel })));
const LessonPanel = lazy(() => import('../lessons/LessonPanel').then((m) => ({ default: m.LessonPanel })));

export type SideTab = 'inspect' | 'train' | 'probe' | 'lesson';
const TABS: readonly { tab: SideTab; label: string }[] = [
  { tab: 'inspect', label: 'Inspect' },
  { tab: 'train', label: 'Train' },
  { tab: 'probe', label: 'Probe' },
  { tab: 'lesson', label: 'Lesson' },
];

interface SidePanelState {
  tab: SideTab;
  visited: ReadonlySet<SideTab>;
  /** Bumped by openSideTab(…, true): the panel then moves the focus into the tab's panel. */
  focusRequest: number;
}

export const useSidePanel = create<SidePanelState>()(() => ({ tab: 'inspect', visited: new Set(['inspect']), focusRequest: 0 }));

/** Opens a tab; with `focus`, moves the keyboard focus to the first control in its panel (or the tab itself). */
export function openSideTab(tab: SideTab, focus = false) {
  const s = useSidePanel.getState();
  useSidePanel.setState({ tab, visited: s.visited.has(tab) ? s.visited : new Set(s.visited).add(tab), focusRequest: focus ? s.focusRequest + 1 : s.focusRequest });
}

const FOCUSABLE = 'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function SidePanel() {
  const tab = useSidePanel((s) => s.tab);
  const visited = useSidePanel((s) => s.visited);
  const focusRequest = useSidePanel((s) => s.focusRequest);
  const tabRefs = useRef(new Map<SideTab, HTMLButtonElement>());
  const panelRefs = useRef(new Map<SideTab, HTMLDivElement>());

  // Focus the first control of the open panel; lazily loaded panels may take a moment to appear.
  const handled = useRef(0);
  useEffect(() => {
    // Once per request: switching tabs later (arrow keys) must not pull the focus into the panel.
    if (!focusRequest || handled.current === focusRequest) return;
    let frames = 0;
    let raf = 0;
    const attempt = () => {
      const panel = panelRefs.current.get(tab);
      const target = panel && [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)].find((el) => el.offsetParent !== null);
      if (target) {
        handled.current = focusRequest;
        target.focus();
      } else if (++frames < 120) raf = requestAnimationFrame(attempt);
      else {
        handled.current = focusRequest;
        tabRefs.current.get(tab)?.focus();
      }
    };
    attempt();
    return () => cancelAnimationFrame(raf);
  }, [focusRequest, tab]);

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = TABS.findIndex((t) => t.tab === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    const t = TABS[next]!.tab;
    openSideTab(t);
    tabRefs.current.get(t)?.focus();
  };

  const panel = (t: SideTab, children: ReactNode) => (
    <div
      key={t}
      ref={(el) => {
        if (el) panelRefs.current.set(t, el);
        else panelRefs.current.delete(t);
      }}
      role="tabpanel"
      id={`side-panel-${t}`}
      aria-labelledby={`side-tab-${t}`}
      data-testid={`tabpanel-${t}`}
      hidden={tab !== t}
    >
      {children}
    </div>
  );

  return (
    <div className="ll-side">
      <div className="ll-tabs" role="tablist" aria-label="Side panel">
        {TABS.map(({ tab: t, label }) => (
          <button
            key={t}
            ref={(el) => {
              if (el) tabRefs.current.set(t, el);
              else tabRefs.current.delete(t);
            }}
            type="button"
            role="tab"
            id={`side-tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`side-panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            data-testid={`tab-${t}`}
            onClick={() => openSideTab(t)}
            onKeyDown={onTabKey}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="ll-tab-body">
        {/* Every tab has its panel (aria-controls points at it); the Train and Probe panels stay
            mounted once opened, so a run's charts survive switching tabs. */}
        {panel('inspect', tab === 'inspect' && <Inspector />)}
        {panel('train', visited.has('train') && <Suspense fallback={<p className="ll-muted">Loading…</p>}><TrainPanel /></Suspense>)}
        {panel('probe', visited.has('probe') && <Suspense fallback={<p className="ll-muted">Loading…</p>}><ProbePanel /></Suspense>)}
        {panel('lesson', visited.has('lesson') && <Suspense fallback={<p className="ll-muted">Loading…</p>}><LessonPanel /></Suspense>)}
      </div>
    </div>
  );
}
