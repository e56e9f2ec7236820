/**
 * Routes a cell's `notify()` to the MCP call that is waiting on that cell (its `exec`, or a later `wait`), so the
 * client sees it as a log message (and a progress notification, when it asked for progress) of that very call.
 *
 * @module
 */

/** Where a notification for one running call goes. */
export interface CallChannel {
  /** Sends `text` as part of this call; never throws. */
  send(cellId: string, text: string): Promise<void>;
}

/** Sends a notification that belongs to no running call; never throws. */
export type Fallback = (cellId: string, text: string) => Promise<void>;

/** The MCP calls observing cells of one session. */
export class NotifyRouter {
  readonly #byCell = new Map<string, CallChannel>();
  /** `exec` calls whose cell id is not known yet. */
  readonly #unbound = new Set<CallChannel>();
  readonly #fallback: Fallback;

  constructor(fallback: Fallback) {
    this.#fallback = fallback;
  }

  /** An `exec` call began; `cellId` is its cell when known (see {@link newCellId}). */
  beginExec(channel: CallChannel, cellId: string | undefined): void {
    if (cellId === undefined) this.#unbound.add(channel);
    else this.#byCell.set(cellId, channel);
  }

  /** A `wait` call began on `cellId`; a cell already observed keeps its observer (the second wait is refused). */
  beginWait(channel: CallChannel, cellId: string): void {
    if (!this.#byCell.has(cellId)) this.#byCell.set(cellId, channel);
  }

  /** A call returned: later notifications of its cell go to the fallback until someone waits on it again. */
  end(channel: CallChannel): void {
    this.#unbound.delete(channel);
    for (const [cellId, owner] of this.#byCell) if (owner === channel) this.#byCell.delete(cellId);
  }

  /** Delivers a notification from `cellId`. */
  deliver(cellId: string, text: string): Promise<void> {
    let channel = this.#byCell.get(cellId);
    if (channel === undefined && this.#unbound.size === 1) {
      // The only exec whose cell is unknown must be this cell's: bind it for the rest of the call.
      [channel] = this.#unbound;
      this.#unbound.clear();
      this.#byCell.set(cellId, channel);
    }
    return channel === undefined ? this.#fallback(cellId, text) : channel.send(cellId, text);
  }
}

/**
 * The id of the cell an `exec` just created, from the live cell ids before and after it was called (a session
 * creates the cell synchronously when `exec` is called); `undefined` when that cannot be told.
 *
 * @example
 * ```ts
 * newCellId(["1"], ["1", "2"]); // "2"
 * ```
 */
export function newCellId(before: readonly string[], after: readonly string[]): string | undefined {
  const known = new Set(before);
  const added = after.filter((id) => !known.has(id));
  return added.length === 1 ? added[0] : undefined;
}
