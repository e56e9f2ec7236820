/**
 * The sandboxes of one session (docs/architecture.md "Sandboxes per session").
 *
 * With `isolation: "context"` (the default) a sandbox is bound to the session at its first cell and then serves
 * the session's later cells one after another, each in a fresh context. A cell takes the session's idle sandbox,
 * else one from the host's warm pool; it never queues behind another cell. After a cell the sandbox is kept only
 * if it reported itself clean in time and has not served too long (cells, busy time against the lifetime limit,
 * heap): anything abnormal (terminate, a limit, a protocol error, work left running) has killed it already. With
 * `isolation: "process"` every cell gets a sandbox of its own, closed after it.
 *
 * @module
 */
import type { HostSetup } from "../contract/wire.ts";
import type { SandboxExit } from "../transport/link.ts";
import type { WarmPool } from "../transport/pool.ts";
import type { CellListener, Sandbox, StoredValues } from "../transport/sandbox.ts";
import type { SandboxEvent, SandboxRecycleReason } from "./events.ts";

/** How cells of a session share sandboxes. */
export type Isolation = "context" | "process";

/** A sandbox that served this many cells is replaced (dead contexts leave V8 fragments behind). */
const MAX_CELLS_PER_SANDBOX = 1000;
/** Sandboxes that die before accepting a cell are replaced this many times before the cell fails. */
const MAX_START_ATTEMPTS = 3;
/**
 * How long a cell waits for the session's sandbox to report itself clean after the previous cell (it does within
 * a few milliseconds, unless that cell left work running): back-to-back cells then share one sandbox.
 */
const SETTLE_WAIT_MS = 100;

/** Options of {@linkcode SessionSandboxes}. */
export interface SessionSandboxesOptions {
  pool: WarmPool;
  isolation: Isolation;
  /** The cells' lifetime limit: a sandbox busy longer than this in total is replaced (its CPU-time cap). */
  lifetimeMs: number;
  /** The V8 heap limit: a sandbox whose heap stays above half of it after a cell is replaced. */
  heapMiB: number;
  /** Told when a sandbox joins the session, is reused, recycled or ends otherwise. */
  onEvent?: (event: SandboxEvent) => void;
}

/** A cell as it is started on a sandbox. */
export interface StartingCell extends CellListener {
  readonly id: string;
  /** Whether the cell still wants a sandbox (it may have been terminated meanwhile). */
  readonly waitingForSandbox: boolean;
  /** The sandbox the cell is being started on (so terminating the cell stops it). */
  assign(sandbox: Sandbox): void;
  /** No sandbox could take the cell: the last one's exit says why. */
  diedBeforeStart(exit: SandboxExit): void;
}

/** The session's sandboxes: the idle bound one, and those running its cells. */
export class SessionSandboxes {
  readonly #options: SessionSandboxesOptions;
  #idle: Sandbox | undefined;
  readonly #busy = new Set<Sandbox>();
  /** Sandboxes whose cell has ended, on their way to ready; and cells waiting for one of them. */
  #settling = 0;
  #waiting: ((sandbox: Sandbox | undefined) => void)[] = [];
  #closed = false;
  /** Sandboxes the session closed cleanly: their end is a recycle, not a kill. */
  readonly #recycled = new WeakSet<Sandbox>();

  constructor(options: SessionSandboxesOptions) {
    this.#options = options;
  }

  /**
   * Starts `cell` on a sandbox with the session's `setup` and `stored` values. A sandbox that dies before it
   * accepts the cell ran none of its code: another takes the cell.
   */
  async start(cell: StartingCell, script: string, setup: HostSetup, stored: StoredValues): Promise<void> {
    let lastExit: SandboxExit | undefined;
    for (let attempt = 0; attempt < MAX_START_ATTEMPTS; attempt++) {
      if (!cell.waitingForSandbox || this.#closed) return;
      const sandbox = await this.#take(cell.id);
      this.#busy.add(sandbox);
      cell.assign(sandbox);
      if (await sandbox.start(cell.id, script, setup, stored, cell)) {
        void this.#afterCell(sandbox);
        return;
      }
      this.#busy.delete(sandbox);
      lastExit = await sandbox.link.closed;
    }
    if (lastExit !== undefined && cell.waitingForSandbox) cell.diedBeforeStart(lastExit);
  }

  /** Stops every sandbox of the session. */
  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle;
    this.#idle = undefined;
    if (idle !== undefined) this.#recycle(idle, "session_closed");
    await Promise.all([idle?.close(), ...[...this.#busy].map((sandbox) => sandbox.kill("session_closed"))]);
  }

  /** The session's idle sandbox, else the one about to be (waiting a little), else one from the pool. */
  async #take(cellId: string): Promise<Sandbox> {
    if (this.#options.isolation === "context") {
      const idle = this.#idle;
      this.#idle = undefined;
      if (idle !== undefined && !idle.dead) return this.#reused(idle, cellId);
      if (this.#settling > 0) {
        const handed = await new Promise<Sandbox | undefined>((resolve) => {
          const timer = setTimeout(() => {
            this.#waiting = this.#waiting.filter((waiter) => waiter !== take);
            resolve(undefined);
          }, SETTLE_WAIT_MS);
          const take = (sandbox: Sandbox | undefined) => {
            clearTimeout(timer);
            resolve(sandbox);
          };
          this.#waiting.push(take);
        });
        if (handed !== undefined) return this.#reused(handed, cellId);
      }
    }
    const sandbox = this.#options.pool.acquire();
    this.#options.onEvent?.({ type: "sandbox.spawn", sandboxId: sandbox.id, cellId, warm: sandbox.idle });
    // Whatever ends it from now on, unless the session closes it cleanly, is reported with its reason.
    void sandbox.link.closed.then((exit) => {
      if (this.#recycled.has(sandbox)) return;
      this.#options.onEvent?.({ type: "sandbox.kill", sandboxId: sandbox.id, reason: sandbox.endReason(exit) });
    });
    return sandbox;
  }

  #reused(sandbox: Sandbox, cellId: string): Sandbox {
    this.#options.onEvent?.({ type: "sandbox.reuse", sandboxId: sandbox.id, cellId, cellsServed: sandbox.cellsServed });
    return sandbox;
  }

  /** The session closes a clean sandbox instead of keeping it. */
  #recycle(sandbox: Sandbox, reason: SandboxRecycleReason): void {
    this.#recycled.add(sandbox);
    this.#options.onEvent?.({ type: "sandbox.recycle", sandboxId: sandbox.id, reason });
  }

  /** Once the cell is over: keeps the sandbox for the next cell when it is clean and fresh enough, else closes it. */
  async #afterCell(sandbox: Sandbox): Promise<void> {
    this.#settling++;
    const ready = await sandbox.settled();
    this.#settling--;
    this.#busy.delete(sandbox);
    const discard = ready ? this.#discardReason(sandbox) : undefined;
    if (ready && discard === undefined) {
      const waiter = this.#waiting.shift();
      if (waiter !== undefined) waiter(sandbox);
      else this.#idle = sandbox;
      return;
    }
    // No sandbox for a waiting cell from this one: with none left settling, it takes one from the pool now.
    if (this.#settling === 0) { for (const waiter of this.#waiting.splice(0)) waiter(undefined); }
    if (discard !== undefined) {
      this.#recycle(sandbox, discard);
      await sandbox.close();
    }
  }

  /** Why a clean sandbox is not kept for the session's next cell; `undefined` when it is. */
  #discardReason(sandbox: Sandbox): SandboxRecycleReason | undefined {
    const { isolation, lifetimeMs, heapMiB } = this.#options;
    if (this.#closed) return "session_closed";
    if (isolation !== "context") return "isolation";
    if (sandbox.cellsServed >= MAX_CELLS_PER_SANDBOX) return "cells_served";
    if (sandbox.busyMs >= lifetimeMs) return "busy_time";
    if (sandbox.heapBytes >= heapMiB * 1024 * 1024 / 2) return "heap";
    if (this.#idle !== undefined) return "spare";
    return undefined;
  }
}
