/**
 * Warm, unbound sandboxes, one pool per sandbox configuration, shared by every session of the host that uses it
 * (docs/architecture.md "The warm pool"). A session keeps its own bound sandbox between cells; it takes one from
 * here for its first cell, and for a cell that runs while another of the session's cells is running.
 *
 * - `acquire` never waits for a refill: it hands out a warm sandbox, else one still booting, else starts one.
 * - Refills run off the hot path and one boot at a time (a boot takes a core for tens of milliseconds, which on a
 *   small machine would slow down the cell just handed out); on a cold host the first sandbox starts alone.
 * - The pool keeps as many sandboxes as its sessions ask for (`pool`), more for a while after cells had to start
 *   their own (recent concurrency), and closes them when its last session is gone. Idle sandboxes never keep the
 *   host process alive.
 *
 * @module
 */
import type { SandboxLink } from "./link.ts";
import { Sandbox } from "./sandbox.ts";

/** With another sandbox warm, a taken one is replaced after this long (the cell usually has ended by then). */
const LATER_REFILL_MS = 100;
/** Boot failures in a row after which the pool stops refilling itself (a broken Deno must not loop). */
const MAX_BOOT_FAILURES = 3;
/** The most sandboxes a pool keeps warm, whatever its sessions ask for. */
const MAX_WARM = 8;
/** How long a cell that had to start its own sandbox counts toward a larger pool. */
const CONCURRENCY_WINDOW_MS = 30_000;

/** A pool of warm sandboxes that start with `spawn`. */
export class WarmPool {
  readonly #spawn: () => SandboxLink;
  readonly #warm: Sandbox[] = [];
  readonly #wanted = new Map<object, number>();
  /** When cells last found no warm sandbox (within the window). */
  #misses: number[] = [];
  #booting = false;
  #refillTimer: ReturnType<typeof setTimeout> | undefined;
  #refillAt = Infinity;
  #bootFailures = 0;
  #closed = false;

  constructor(spawn: () => SandboxLink) {
    this.#spawn = spawn;
  }

  /** Sandboxes waiting in the pool (booting or warm). */
  get size(): number {
    return this.#warm.length;
  }

  /**
   * A session joins, asking for `size` warm sandboxes (0: its cells start their own). Returns how it leaves; when
   * the last one leaves, the pool closes its sandboxes.
   */
  join(user: object, size: number): () => Promise<void> {
    const first = this.#wanted.size === 0;
    this.#wanted.set(user, size);
    this.#closed = false;
    // The first sandbox of a cold pool starts now and alone; the rest come once it is warm.
    if (first && size > 0 && this.#warm.length === 0) this.#boot();
    return async () => {
      this.#wanted.delete(user);
      if (this.#wanted.size === 0) await this.close();
    };
  }

  /** Hands out a sandbox: a warm one if any, else one still booting, else a new one. Never a dead one. */
  acquire(): Sandbox {
    const index = this.#warm.findIndex((sandbox) => sandbox.idle);
    let sandbox = index >= 0 ? this.#warm.splice(index, 1)[0] : this.#warm.shift();
    if (sandbox === undefined || index < 0) this.#noteMiss();
    if (sandbox === undefined) sandbox = new Sandbox(this.#spawn());
    // With another warm sandbox left, replace this one a little later, off the cell's path; in a burst, soon.
    this.#scheduleRefill(this.#warm.some((other) => other.idle) ? LATER_REFILL_MS : 0);
    return sandbox;
  }

  /** Stops every sandbox in the pool and the refills. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refillTimer);
    this.#refillAt = Infinity;
    await Promise.all(this.#warm.splice(0).map((sandbox) => sandbox.close()));
  }

  /** How many warm sandboxes the pool aims for now. */
  #target(): number {
    const asked = Math.max(0, ...this.#wanted.values());
    if (asked === 0) return 0;
    const since = performance.now() - CONCURRENCY_WINDOW_MS;
    this.#misses = this.#misses.filter((at) => at >= since);
    return Math.min(MAX_WARM, Math.max(asked, this.#misses.length));
  }

  #noteMiss(): void {
    this.#misses.push(performance.now());
  }

  /** Starts one sandbox into the pool; when it is warm (or dead), the next refill may follow. */
  #boot(): void {
    this.#booting = true;
    const sandbox = new Sandbox(this.#spawn());
    sandbox.warmUp();
    this.#warm.push(sandbox);
    let booted = false;
    sandbox.whenIdle().then(() => {
      this.#booting = false;
      booted = !sandbox.dead;
      if (booted) this.#bootFailures = 0;
      else {
        const index = this.#warm.indexOf(sandbox);
        if (index >= 0) this.#warm.splice(index, 1);
        this.#bootFailures++;
      }
      this.#scheduleRefill(0);
    });
    // A warm sandbox that dies later (the OOM killer, a signal) is dropped and replaced.
    sandbox.link.closed.then(() => {
      const index = this.#warm.indexOf(sandbox);
      if (!booted || index < 0) return; // a failed boot is counted above
      this.#warm.splice(index, 1);
      this.#scheduleRefill(0);
    });
  }

  /** Refills in `delayMs` (never in the current tick); an earlier request moves a later one forward. */
  #scheduleRefill(delayMs: number): void {
    if (this.#closed || this.#bootFailures >= MAX_BOOT_FAILURES) return;
    const at = performance.now() + delayMs;
    if (at >= this.#refillAt) return;
    clearTimeout(this.#refillTimer);
    this.#refillAt = at;
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      this.#refillAt = Infinity;
      this.#refill();
    }, delayMs);
    // A pending refill must not keep a host alive that is otherwise done.
    if (typeof this.#refillTimer === "object" && "unref" in this.#refillTimer) this.#refillTimer.unref();
  }

  #refill(): void {
    if (this.#closed || this.#booting) return;
    const target = this.#target();
    if (this.#warm.length < target) this.#boot();
    else if (this.#warm.length > target) {
      // Past a burst: shed the surplus, keeping the warmest.
      const surplus = this.#warm.splice(target);
      for (const sandbox of surplus) void sandbox.close();
    }
  }
}

const pools = new Map<string, WarmPool>();

/** The host's pool for sandboxes started with `spawn`, one per `key` (the sandbox configuration). */
export function warmPoolFor(key: string, spawn: () => SandboxLink): WarmPool {
  let pool = pools.get(key);
  if (pool === undefined) pools.set(key, pool = new WarmPool(spawn));
  return pool;
}
