/**
 * One sandbox as the host drives it: the protocol's phases over a {@linkcode SandboxLink} (docs/architecture.md
 * "The sandbox").
 *
 * `booting` (until its hello) → `warming` (a warm-up cell, when there is time) → `idle` → for each cell: `busy`
 * (from `cell/start` to `cell/done`) → `settling` (until `sandbox/ready`) → `idle` again. A sandbox is bound to one
 * session at its first cell; the session's setup and stored values are sent before each cell, as far as they
 * changed. Anything the sandbox says out of turn is a protocol violation and ends it; so does a `sandbox/ready`
 * that does not come within {@linkcode SETTLE_GRACE_MS} of a cell's end (the cell left work running). A sandbox
 * that is gone is never handed a cell: `start` reports it, so the caller can take another.
 *
 * @module
 */
import { encodeFrame, encodeFrameWithValue, PROTOCOL_VERSION } from "../contract/codec.ts";
import type { HostSetup, SandboxToHost } from "../contract/wire.ts";
import type { LinkListener, SandboxExit, SandboxLink } from "./link.ts";

/** How long a sandbox may take after `cell/done` to report that it is clean and ready. */
export const SETTLE_GRACE_MS = 1000;

/** The messages of a running cell, as its listener gets them. */
export type CellMessage = Exclude<
  SandboxToHost,
  { type: "sandbox/hello" } | { type: "sandbox/warm" } | { type: "cell/started" } | { type: "sandbox/ready" }
>;

/** Receives a running cell's messages, and the sandbox's death if it dies under the cell. */
export interface CellListener {
  /** The sandbox accepted the cell (called before any of the cell's messages). */
  accepted(): void;
  message(message: CellMessage): void;
  exit(exit: SandboxExit): void;
}

/** What a session's stored values look like to a sandbox: each key's JSON text and version. */
export interface StoredValues {
  entries(): Iterable<[string, { json: string; version: number }]>;
}

/**
 * Why a sandbox ended: the host stopped it (the cell was terminated, hit its lifetime, output or store limit,
 * broke the protocol, did not get ready after its cell, or its session closed), or it ended by itself (out of
 * memory, or any other exit).
 */
export type SandboxEndReason =
  | "terminate"
  | "timeout"
  | "output_limit"
  | "store_limit"
  | "protocol"
  | "settle_timeout"
  | "session_closed"
  | "memory_limit"
  | "exited";

/** The reasons for which the host stops a sandbox. */
export type SandboxKillReason = Exclude<SandboxEndReason, "memory_limit" | "exited">;

let nextSandboxId = 1;

type Phase = "booting" | "warming" | "idle" | "busy" | "settling" | "dead";

/** A cell waiting for the sandbox to be able to take it. */
interface PendingStart {
  frames: string[];
  listener: CellListener;
  started: (accepted: boolean) => void;
}

/** One sandbox process (or memory link), with its protocol state. */
export class Sandbox implements LinkListener {
  readonly link: SandboxLink;
  /** A process-wide number naming the sandbox in events and traces. */
  readonly id: number = nextSandboxId++;
  #killReason: SandboxKillReason | undefined;
  #phase: Phase = "booting";
  #warmRequested = false;
  #pending: PendingStart | undefined;
  #listener: CellListener | undefined;
  #settled: ((ready: boolean) => void) | undefined;
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  #whenIdle: (() => void)[] = [];
  /** The setup last sent (by identity), and the stored values the sandbox has, by key and version. */
  #setup: HostSetup | undefined;
  readonly #stored = new Map<string, number>();
  /** The session this sandbox is bound to (any token the session picks), once it ran a cell. */
  owner: object | undefined;
  /** Cells started here, and the time they were busy, for recycling. */
  cellsServed = 0;
  busyMs = 0;
  #busySince = 0;
  /** V8 heap in use after the last cell, as the sandbox reported it. */
  heapBytes = 0;

  constructor(link: SandboxLink) {
    this.link = link;
    link.listen(this);
    link.keepAlive(false);
  }

  /** Whether the sandbox can take a cell without waiting (booted, warm, not serving one). */
  get idle(): boolean {
    return this.#phase === "idle";
  }

  /** Whether it is gone. */
  get dead(): boolean {
    return this.#phase === "dead";
  }

  /** Asks for a warm-up cell once booted (skipped when a cell claims the sandbox first). */
  warmUp(): void {
    this.#warmRequested = true;
  }

  /** Resolves when the sandbox is idle (at once if it is), or when it is gone. */
  whenIdle(): Promise<void> {
    if (this.#phase === "idle" || this.#phase === "dead") return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  /**
   * Starts a cell: sends the session's setup and stored values where they changed, then `script`. Resolves `true`
   * once the sandbox accepted the cell (its messages go to `listener` from then on), or `false` if it died before:
   * then none of the cell's code ran, and the caller may try another sandbox.
   */
  start(
    cellId: string,
    script: string,
    setup: HostSetup,
    stored: StoredValues,
    listener: CellListener,
  ): Promise<boolean> {
    if (this.#phase === "dead" || this.#pending !== undefined || this.#listener !== undefined) {
      return Promise.resolve(false);
    }
    const frames: string[] = [];
    if (setup !== this.#setup) {
      frames.push(encodeFrame(setup));
      this.#setup = setup;
    }
    for (const [key, { json, version }] of stored.entries()) {
      if (this.#stored.get(key) === version) continue;
      frames.push(encodeFrameWithValue({ type: "store/put", key }, json));
      this.#stored.set(key, version);
    }
    frames.push(encodeFrame({ type: "cell/start", cellId, script }));
    this.link.keepAlive(true);
    return new Promise((started) => {
      this.#pending = { frames, listener, started };
      // A sandbox still booting skips its warm-up trip: the cell would only wait for it.
      if (this.#phase === "idle") this.#handOver();
    });
  }

  /** The stored value `key` at `version` is what the sandbox has too (its own cell wrote it). */
  noteStored(key: string, version: number): void {
    this.#stored.set(key, version);
  }

  /** Answers a tool call of the running cell. */
  sendFrame(frame: string): void {
    if (this.#phase === "busy") this.link.send(frame);
  }

  /**
   * Resolves once the cell that was started is over: `true` when the sandbox is clean and ready for the next cell,
   * `false` when it is gone (it died, broke the protocol, or did not get ready in time and was killed).
   */
  settled(): Promise<boolean> {
    if (this.#phase === "idle") return Promise.resolve(true);
    if (this.#phase !== "busy" && this.#phase !== "settling") return Promise.resolve(false);
    return new Promise((resolve) => (this.#settled = resolve));
  }

  /** Stops the sandbox now, for `reason` (the first one given is kept); resolves when it has ended. */
  kill(reason: SandboxKillReason): Promise<SandboxExit> {
    if (!this.link.exited) this.#killReason ??= reason;
    return this.link.kill();
  }

  /** Why the sandbox ended, once it has: `exit` is what its link reported. */
  endReason(exit: SandboxExit): SandboxEndReason {
    if (this.#killReason !== undefined) return this.#killReason;
    if (exit.protocolError !== undefined) return "protocol";
    return exit.outOfMemory ? "memory_limit" : "exited";
  }

  /** Asks the sandbox to end (its stdin closes), escalating if it does not. */
  close(): Promise<SandboxExit> {
    return this.link.close();
  }

  // ---------------------------------------------------------------- the link's messages (LinkListener)

  message(message: SandboxToHost): void {
    switch (this.#phase) {
      case "booting":
        if (message.type !== "sandbox/hello") return this.#violation(message.type, "before the sandbox's hello");
        if (message.protocol !== PROTOCOL_VERSION) {
          this.#killReason ??= "protocol";
          this.link.kill({ code: "version_mismatch", sandbox: message.protocol, host: PROTOCOL_VERSION });
          return;
        }
        if (this.#pending === undefined && this.#warmRequested) {
          this.#phase = "warming";
          this.link.send(encodeFrame({ type: "cell/warmup" }));
        } else this.#becomeIdle();
        return;
      case "warming":
        if (message.type !== "sandbox/warm") return this.#violation(message.type, "while the sandbox warms up");
        return this.#becomeIdle();
      case "busy":
        return this.#cellMessage(message);
      case "settling":
        if (message.type !== "sandbox/ready") return this.#violation(message.type, "after the cell's end");
        clearTimeout(this.#settleTimer);
        this.heapBytes = message.heapBytes;
        this.#becomeIdle();
        this.#resolveSettled(true);
        return;
      case "idle":
        return this.#violation(message.type, "while the sandbox is idle");
      case "dead":
        return;
    }
  }

  exit(exit: SandboxExit): void {
    const phase = this.#phase;
    this.#phase = "dead";
    clearTimeout(this.#settleTimer);
    this.#pending?.started(false);
    this.#pending = undefined;
    if (phase === "busy") this.#listener?.exit(exit);
    this.#listener = undefined;
    this.#resolveSettled(false);
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  // ---------------------------------------------------------------- internals

  #cellMessage(message: SandboxToHost): void {
    if (this.#listener === undefined) {
      // Sent the cell, waiting for it to be accepted.
      if (message.type !== "cell/started") return this.#violation(message.type, "before the cell started");
      const pending = this.#pending!;
      this.#pending = undefined;
      this.#listener = pending.listener;
      this.cellsServed++;
      this.#busySince = performance.now();
      pending.listener.accepted();
      pending.started(true);
      return;
    }
    switch (message.type) {
      case "sandbox/hello":
      case "sandbox/warm":
      case "cell/started":
      case "sandbox/ready":
        return this.#violation(message.type, "during a cell");
      case "cell/done": {
        const listener = this.#listener;
        this.#listener = undefined;
        this.busyMs += performance.now() - this.#busySince;
        this.#phase = "settling";
        this.#settleTimer = setTimeout(() => void this.kill("settle_timeout"), SETTLE_GRACE_MS);
        listener.message(message);
        return;
      }
      default:
        this.#listener.message(message);
    }
  }

  #becomeIdle(): void {
    this.#phase = "idle";
    this.link.keepAlive(false);
    if (this.#pending !== undefined) return this.#handOver();
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  #handOver(): void {
    this.#phase = "busy";
    this.link.keepAlive(true);
    for (const frame of this.#pending!.frames) this.link.send(frame);
  }

  #resolveSettled(ready: boolean): void {
    const settled = this.#settled;
    this.#settled = undefined;
    settled?.(ready);
  }

  #violation(type: string, when: string): void {
    this.#killReason ??= "protocol";
    this.link.kill({ code: "unexpected_message", type, when });
  }
}
