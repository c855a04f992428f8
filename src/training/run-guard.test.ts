import { describe, expect, it } from 'vitest';
import { createRunGuard } from './run-guard';

/** A worker call whose progress messages arrive on another channel than its result (as Comlink's do). */
async function sweep(guard: ReturnType<typeof createRunGuard>, view: { progress: number | null }, lateProgress: Promise<void>) {
  const run = guard.start();
  view.progress = 0;
  const onProgress = (p: number) => {
    if (run.live()) view.progress = p;
  };
  void lateProgress.then(() => onProgress(1));
  await Promise.resolve('result');
  if (run.end()) view.progress = null;
}

describe('run guard', () => {
  it('drops a progress call that arrives after its run ended', async () => {
    const guard = createRunGuard();
    const view = { progress: null as number | null };
    let deliver!: () => void;
    const late = new Promise<void>((r) => (deliver = r));
    await sweep(guard, view, late);
    expect(view.progress).toBeNull();
    deliver();
    await late;
    await Promise.resolve();
    expect(view.progress).toBeNull(); // without the guard the view would show a run in progress for ever
  });

  it('only the newest run is live; an older one ending changes nothing', () => {
    const guard = createRunGuard();
    const a = guard.start();
    expect(a.live()).toBe(true);
    const b = guard.start();
    expect(a.live()).toBe(false);
    expect(b.live()).toBe(true);
    expect(a.end()).toBe(false);
    expect(b.live()).toBe(true);
    expect(b.end()).toBe(true);
    expect(b.live()).toBe(false);
    expect(b.end()).toBe(false);
  });
});
