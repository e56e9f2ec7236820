/**
 * What the host needs from one sandbox, whatever carries it (a process, or an in-memory pair in unit tests).
 *
 * @module
 */
import type { ProtocolViolation, SandboxToHost } from "../contract/wire.ts";

/** Why a sandbox ended, as far as the host could tell. */
export interface SandboxExit {
  /** Exit code, when it exited by itself. */
  code: number | null;
  /** Signal that ended it, when one did (`SIGKILL` after a terminate, `SIGTRAP` for V8's out-of-memory abort). */
  signal: string | null;
  /** The sandbox ran out of memory (V8's heap limit, or the kernel's memory cap), as its exit shows. */
  outOfMemory: boolean;
  /** Set when the host stopped the sandbox because it broke the protocol (bad frame, oversized frame, ...). */
  protocolError?: ProtocolViolation;
  /** The end of what the sandbox wrote to stderr, for diagnostics. */
  stderrTail: string;
}

/** Receives what a sandbox says (the host's `Sandbox`, which routes it on). */
export interface LinkListener {
  message(message: SandboxToHost): void;
  /** Called once, after every message, when the sandbox is gone. */
  exit(exit: SandboxExit): void;
}

/** One sandbox, seen from the host. */
export interface SandboxLink {
  /** Sends one encoded frame (`ts/contract/codec.ts`); ignored once the sandbox is gone. */
  send(frame: string): void;
  /**
   * Whether the sandbox may keep the host process alive: an idle sandbox must not (a host that is done exits even
   * if it never closed its sessions), a busy one must.
   */
  keepAlive(busy: boolean): void;
  /** Routes incoming messages and the exit to `listener` from now on. */
  listen(listener: LinkListener): void;
  /** Whether the sandbox has ended. */
  readonly exited: boolean;
  /** Resolves once the sandbox has ended (all its output delivered). */
  readonly closed: Promise<SandboxExit>;
  /**
   * Stops the sandbox now (SIGKILL); resolves when it has ended. Idempotent. With `protocolError`, the host stops it
   * for breaking the protocol, and the exit reports that reason.
   */
  kill(protocolError?: ProtocolViolation): Promise<SandboxExit>;
  /** Asks the sandbox to end (stdin closed), then escalates to SIGTERM and SIGKILL. Idempotent. */
  close(): Promise<SandboxExit>;
}
