/**
 * Routes what a cell reports while it runs to the MCP call that is waiting on that cell (its `exec`, or a later
 * `wait`): its `notify()` calls, and the progress of the nested MCP calls it makes. The client sees them as log
 * messages and progress notifications of that very call (docs/contract.md §4 `notify`).
 *
 * @module
 */

/** Where the reports of the cell one running call observes go. */
export interface CallChannel {
  /** Sends a `notify()` text as part of this call; never throws. */
  send(cellId: string, text: string): void;
  /** Sends a progress update of this call (when the client asked for progress); never throws. */
  progress(message: string): void;
}

/** Sends a notification that belongs to no running call; never throws. */
export type Fallback = (cellId: string, text: string) => void;

/** The MCP calls observing cells of one session. */
export class NotifyRouter<Channel extends CallChannel = CallChannel> {
  readonly #byCell = new Map<string, Channel>();
  /** Who waits for a call to observe a cell (see {@linkcode nextObserver}). */
  readonly #awaiting = new Map<string, Set<(channel: Channel) => void>>();
  readonly #fallback: Fallback;

  constructor(fallback: Fallback) {
    this.#fallback = fallback;
  }

  /** An `exec` call created cell `cellId` (the session's `onCell`). */
  beginExec(channel: Channel, cellId: string): void {
    this.#observe(cellId, channel);
  }

  /** A `wait` call began on `cellId`; a cell already observed keeps its observer (the second wait is refused). */
  beginWait(channel: Channel, cellId: string): void {
    if (!this.#byCell.has(cellId)) this.#observe(cellId, channel);
  }

  /** A call returned: later notifications of its cell go to the fallback until someone waits on it again. */
  end(channel: Channel): void {
    for (const [cellId, owner] of this.#byCell) if (owner === channel) this.#byCell.delete(cellId);
  }

  /**
   * The call observing `cellId` now or, when none does, the next one to begin on it; `undefined` once `signal`
   * aborts first.
   */
  nextObserver(cellId: string, signal: AbortSignal): Promise<Channel | undefined> {
    const now = this.#byCell.get(cellId);
    if (now !== undefined || signal.aborted) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiters = this.#awaiting.get(cellId) ?? new Set();
      this.#awaiting.set(cellId, waiters);
      const done = (channel: Channel | undefined) => {
        waiters.delete(done);
        if (waiters.size === 0 && this.#awaiting.get(cellId) === waiters) this.#awaiting.delete(cellId);
        signal.removeEventListener("abort", aborted);
        resolve(channel);
      };
      const aborted = () => done(undefined);
      waiters.add(done);
      signal.addEventListener("abort", aborted, { once: true });
    });
  }

  /** `channel` now observes `cellId`, and whoever waited for an observer of it has one. */
  #observe(cellId: string, channel: Channel): void {
    this.#byCell.set(cellId, channel);
    for (const found of [...(this.#awaiting.get(cellId) ?? [])]) found(channel);
  }

  /** Delivers a `notify()` from `cellId`. */
  deliver(cellId: string, text: string): void {
    const channel = this.#byCell.get(cellId);
    if (channel === undefined) this.#fallback(cellId, text);
    else channel.send(cellId, text);
  }

  /** Delivers progress of a nested call of `cellId`; dropped when no call observes the cell (it has no request). */
  progress(cellId: string, message: string): void {
    this.#byCell.get(cellId)?.progress(message);
  }
}
