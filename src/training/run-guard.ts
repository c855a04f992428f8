/**
 * Which run is the current one, for results and progress that come back from the worker.
 *
 * Comlink sends a proxied callback's calls on their own MessagePort, so a progress call can
 * arrive after the promise it belongs to has settled — and a run started later can settle
 * before an earlier one. `start()` hands out a ticket; only the newest ticket, until it is
 * ended, is `live()`, so a late progress call or a superseded result is dropped instead of
 * putting a finished view back into "running".
 */
export interface RunTicket {
  /** True while this run is the newest one and has not ended. */
  live(): boolean;
  /** This run is over: its late callbacks are ignored from now on. Returns whether it was live. */
  end(): boolean;
}

export function createRunGuard(): { start(): RunTicket } {
  let current = 0;
  return {
    start() {
      const id = ++current;
      return {
        live: () => current === id,
        end: () => {
          if (current !== id) return false;
          current++;
          return true;
        },
      };
    },
  };
}
