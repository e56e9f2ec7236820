/**
 * The notifications an MCP server sends one client, in order and one at a time, in bounded memory: when the client
 * reads slower than cells call `notify()`, the queue fills up and further notifications are dropped and counted;
 * once it has caught up, one marker says how many were lost (docs/architecture.md, layer mcp).
 *
 * @module
 */

/** Options of {@link NotifyQueue}. */
export interface NotifyQueueOptions {
  /** Most notifications waiting to be sent; more are dropped (default {@link DEFAULT_NOTIFY_QUEUE_CAPACITY}). */
  capacity?: number;
  /** Sends the marker that replaces `count` dropped notifications; never throws. */
  sendDropped: (count: number) => Promise<void>;
}

/** Default capacity of a {@link NotifyQueue}: a burst this long reaches a slow client whole. */
export const DEFAULT_NOTIFY_QUEUE_CAPACITY = 256;

/**
 * Runs send jobs one after another, holding at most `capacity` that wait. A job is a function that sends one
 * notification and never throws.
 *
 * @example
 * ```ts
 * const queue = new NotifyQueue({ sendDropped: (count) => log(`${count} dropped`) });
 * queue.push(() => log("hello"));
 * await queue.idle();
 * ```
 */
export class NotifyQueue {
  readonly #capacity: number;
  readonly #sendDropped: (count: number) => Promise<void>;
  readonly #waiting: (() => Promise<void>)[] = [];
  #dropped = 0;
  #running: Promise<void> | undefined;

  constructor(options: NotifyQueueOptions) {
    this.#capacity = options.capacity ?? DEFAULT_NOTIFY_QUEUE_CAPACITY;
    this.#sendDropped = options.sendDropped;
  }

  /** Queues a job; drops it (and counts it) when the queue is full. */
  push(job: () => Promise<void>): void {
    if (this.#waiting.length >= this.#capacity) {
      this.#dropped++;
      return;
    }
    this.#waiting.push(job);
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  /** How many jobs wait to be sent. */
  get size(): number {
    return this.#waiting.length;
  }

  /** Resolves once every job queued so far has run (and the marker of any drop was sent). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    for (let job = this.#waiting.shift(); job !== undefined; job = this.#waiting.shift()) {
      await job();
      // One marker for a whole burst of drops, once the queue has caught up.
      if (this.#dropped > 0 && this.#waiting.length === 0) {
        const count = this.#dropped;
        this.#dropped = 0;
        await this.#sendDropped(count);
      }
    }
  }
}
