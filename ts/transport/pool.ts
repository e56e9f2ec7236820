/**
 * Warm sandboxes for one session. A warm sandbox has booted, received the session setup (tools), and run a
 * throwaway cell through the whole cell path; it then serves exactly one real cell and exits.
 *
 * On a 2-core machine back-to-back cells drain the pool faster than it refills, so `take` never waits for a refill:
 * it hands out a ready sandbox, else one still booting, else starts a new one for the cell. Refills start in a
 * later tick (spawning costs the host ~2 ms of CPU that must not land on the cell that drained the pool).
 *
 * @module
 */
import type { HostCellStart, HostSetup, SandboxToHost } from "../contract/wire.ts";
import { PROTOCOL_VERSION } from "../contract/codec.ts";
import type { LinkListener, SandboxExit, SandboxLink } from "./link.ts";

/** How long a cell may run before the sandbox it took is replaced anyway (most cells end long before). */
const LONG_CELL_REFILL_MS = 100;

/** Boot failures in a row after which the pool stops refilling itself. */
const MAX_BOOT_FAILURES = 3;

/** A sandbox handed to a cell. */
export interface Lease {
  link: SandboxLink;
  /** Resolves when `cell/start` was sent to a booted sandbox: the cell's clocks start here. */
  started: Promise<void>;
}

type Phase = "booting" | "warming" | "ready";

/** One pooled sandbox, listened to by the pool until a cell takes it. */
class Candidate implements LinkListener {
  phase: Phase = "booting";
  /** Set when a cell has taken this sandbox before it was ready. */
  #claim: { start: HostCellStart; listener: LinkListener; started: () => void } | undefined;

  constructor(
    readonly link: SandboxLink,
    private readonly setup: HostSetup,
    private readonly warm: boolean,
    private readonly onIdleExit: (candidate: Candidate) => void,
    private readonly onReady: () => void,
  ) {
    link.listen(this);
  }

  message(message: SandboxToHost): void {
    if (message.type === "sandbox/hello") {
      if (message.protocol !== PROTOCOL_VERSION) {
        this.link.kill({ code: "version_mismatch", sandbox: message.protocol, host: PROTOCOL_VERSION });
        return;
      }
      this.link.send(this.setup);
      if (this.#claim !== undefined) return this.#handOver();
      if (this.warm) {
        this.phase = "warming";
        this.link.send({ type: "cell/warmup" });
      } else this.#ready();
    } else if (message.type === "sandbox/warm") {
      this.#ready();
      if (this.#claim !== undefined) this.#handOver();
    }
    // Anything else before a cell owns the sandbox is the warm-up cell's output: dropped.
  }

  #ready(): void {
    this.phase = "ready";
    this.onReady();
  }

  exit(exit: SandboxExit): void {
    if (this.#claim !== undefined) this.#claim.listener.exit(exit);
    else this.onIdleExit(this);
  }

  /** Gives the sandbox to a cell; the start message goes out as soon as the sandbox can take it. */
  claim(start: HostCellStart, listener: LinkListener): Promise<void> {
    return new Promise((started) => {
      this.#claim = { start, listener, started };
      // A booting sandbox skips its warm-up trip: the cell would only wait for it.
      if (this.phase === "ready") this.#handOver();
    });
  }

  #handOver(): void {
    const claim = this.#claim!;
    // Same tick: nothing the cell sends can arrive before its listener is in place.
    this.link.send(claim.start);
    this.link.listen(claim.listener);
    claim.started();
  }
}

/** Pool options. */
export interface PoolOptions {
  /** Sandboxes kept ready (0: every cell starts its own). */
  size: number;
  /** Starts a sandbox process (or a memory link in tests). */
  spawn: () => SandboxLink;
  /** The session's setup message, sent to every sandbox after its hello. */
  setup: HostSetup;
}

/** A bounded set of warm sandboxes for one session. */
export class SandboxPool {
  #idle: Candidate[] = [];
  #closed = false;
  #refillTimer: ReturnType<typeof setTimeout> | undefined;
  #refillAt = Infinity;
  /** Sandboxes in a row that died before they were ready: a broken Deno must not become a spawn loop. */
  #bootFailures = 0;

  constructor(private readonly options: PoolOptions) {
    // One at once, the rest after the first cell: booting them all together delays the first cell.
    if (options.size > 0) this.#add();
  }

  /** Sandboxes waiting for a cell (booting or ready). */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Hands a sandbox to a cell: a ready one if any, else a booting one, else a new one. */
  take(start: HostCellStart, listener: LinkListener): Lease {
    const index = this.#idle.findIndex((c) => c.phase === "ready");
    const candidate = index >= 0 ? this.#idle.splice(index, 1)[0] : this.#idle.shift() ?? this.#create(false);
    if (this.#idle.some((c) => c.phase === "ready")) {
      // Booting a sandbox takes a core for tens of milliseconds: on a small machine that would slow down the cell
      // just handed out. With another sandbox ready, replace this one once its cell is done (its process exits), or
      // after a while for a long cell.
      candidate.link.closed.then(() => this.#scheduleRefill(0));
      this.#scheduleRefill(LONG_CELL_REFILL_MS);
    } else {
      // A burst: the next cell needs a sandbox soon, so start booting now (in a later tick, off this cell's path).
      this.#scheduleRefill(0);
    }
    return { link: candidate.link, started: candidate.claim(start, listener) };
  }

  /** Stops every idle sandbox and stops refilling. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refillTimer);
    const idle = this.#idle.splice(0);
    await Promise.all(idle.map((c) => c.link.close()));
  }

  #create(warm: boolean): Candidate {
    return new Candidate(this.options.spawn(), this.options.setup, warm, (c) => this.#lost(c), () => {
      this.#bootFailures = 0;
    });
  }

  #add(): void {
    this.#idle.push(this.#create(true));
  }

  /** An idle sandbox died (OOM killer, a signal): forget it and replace it later. */
  #lost(candidate: Candidate): void {
    const index = this.#idle.indexOf(candidate);
    if (index >= 0) this.#idle.splice(index, 1);
    if (candidate.phase !== "ready") this.#bootFailures++;
    this.#scheduleRefill(0);
  }

  /** Refills the pool in `delayMs` (never in the current tick); an earlier request moves a later one forward. */
  #scheduleRefill(delayMs: number): void {
    if (this.#closed || this.options.size === 0) return;
    // Sandboxes that keep dying while they boot are not replaced: cells then start their own and report why.
    if (this.#bootFailures >= MAX_BOOT_FAILURES) return;
    const at = Date.now() + delayMs;
    if (at >= this.#refillAt) return;
    clearTimeout(this.#refillTimer);
    this.#refillAt = at;
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      this.#refillAt = Infinity;
      if (this.#closed) return;
      while (this.#idle.length < this.options.size) this.#add();
    }, delayMs);
  }
}
