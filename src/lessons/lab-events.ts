/**
 * What the learner did in this browser session that lesson goals can ask about: lab events (a
 * sweep finished, a kernel built) and finished training runs. The labs and the training store
 * report here; the open lesson copies them into its stored progress (see session.ts).
 */
import { create } from 'zustand';
import type { GoalContext, LabEvent } from './types';

export type LessonRun = GoalContext['runs'][number] & { at: number };

/** At most this many of each are kept in memory (old ones drop off). */
export const MAX_EVENTS = 200;

interface LabEventsState {
  events: LabEvent[];
  runs: LessonRun[];
  record(e: Omit<LabEvent, 'at'>): void;
  recordRun(r: Omit<LessonRun, 'at'>): void;
  /** Updates the latest run (epoch counts can arrive just after a run's result). */
  updateLastRun(patch: Partial<Omit<LessonRun, 'at'>>): void;
}

/** A time stamp that grows strictly, so events recorded in the same millisecond stay distinct. */
let lastAt = 0;
export const stamp = () => (lastAt = Math.max(Date.now(), lastAt + 1));

export const useLabEvents = create<LabEventsState>()((set, get) => ({
  events: [],
  runs: [],
  record(e) {
    set({ events: [...get().events, { ...e, at: stamp() }].slice(-MAX_EVENTS) });
  },
  recordRun(r) {
    set({ runs: [...get().runs, { ...r, at: stamp() }].slice(-MAX_EVENTS) });
  },
  updateLastRun(patch) {
    const runs = get().runs;
    const last = runs[runs.length - 1];
    if (!last) return;
    set({ runs: [...runs.slice(0, -1), { ...last, ...patch }] });
  },
}));

/** Merges two lists of time-stamped items (stored progress and this session), oldest first, without repeats. */
export function mergeByTime<T extends { at: number }>(a: readonly T[], b: readonly T[], max = MAX_EVENTS): T[] {
  const seen = new Map<number, T>();
  for (const x of [...a, ...b]) seen.set(x.at, x);
  return [...seen.values()].sort((x, y) => x.at - y.at).slice(-max);
}

let pending: ReturnType<typeof setTimeout> | undefined;
/**
 * Records `e` once nothing newer has come for `ms` (a kernel being typed cell by cell counts once).
 * The timer is the module's, not a component's: closing the lab right after an edit still records it.
 */
export function recordSoon(e: Omit<LabEvent, 'at'>, ms = 400) {
  clearTimeout(pending);
  pending = setTimeout(() => {
    pending = undefined;
    useLabEvents.getState().record(e);
  }, ms);
}
