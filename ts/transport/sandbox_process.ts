/**
 * A sandbox as a child process: `deno run` on `runtime/main.ts` with no permissions, talking NDJSON frames on
 * stdio. Everything it writes is untrusted: frames are size-capped by the decoder and parsed with the zod schemas;
 * the first bad frame stops the sandbox and is reported as a protocol error.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { encodeFrame, FrameDecoder, FrameTooLargeError, MAX_FRAME_BYTES } from "../contract/codec.ts";
import { type HostToSandbox, type ProtocolViolation, SandboxToHost } from "../contract/wire.ts";
import type { LinkListener, SandboxExit, SandboxLink } from "./link.ts";
import { denoBinaryPath } from "./deno_binary.ts";
import { RUNTIME_ENTRY, sandboxFiles } from "./sandbox_files.ts";
import { withResourceCaps } from "./resource_caps.ts";

/** How to start a sandbox. */
export interface SandboxSpawnOptions {
  /** V8 old-space limit of the sandbox, in MiB. */
  heapMiB: number;
  /**
   * The cell's wall-clock lifetime limit, in ms. The host enforces it; the kernel backs it with a CPU-time limit
   * (where available) so that a sandbox spinning in a loop cannot outlive a host that was killed.
   */
  lifetimeMs?: number;
  /** Entry module; tests point it at hostile stand-ins for the runtime. */
  entry?: string;
}

/** Stderr bytes kept for diagnostics (the out-of-memory report is the last line V8 prints). */
const STDERR_TAIL_BYTES = 8 * 1024;
/** How long `close()` waits at each step before escalating. */
const CLOSE_GRACE_MS = 1000;
/** What V8 (heap limit) and Rust (a failed allocation under the memory cap) print when memory runs out. */
const OOM_MARKERS = ["out of memory", "Reached heap limit", "heap out of memory", "memory allocation of"];

/** Arguments of `deno run` for a sandbox: no `--allow-*` at all, and nothing read from the environment. */
export function sandboxArgs(options: SandboxSpawnOptions): string[] {
  const entry = options.entry ?? RUNTIME_ENTRY;
  return [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-remote",
    "--no-npm",
    "--no-lock",
    `--import-map=${sandboxFiles().importMapPath(entry)}`,
    `--v8-flags=--max-old-space-size=${options.heapMiB}`,
    entry,
  ];
}

/** The sandbox's whole environment: an allow-list, so no host secret reaches it. */
export function sandboxEnv(heapMiB: number): Record<string, string> {
  return {
    DENO_DIR: sandboxFiles().denoDir(heapMiB),
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
    NO_COLOR: "1",
  };
}

/** Starts one sandbox process. */
export function spawnSandbox(options: SandboxSpawnOptions): SandboxLink {
  const { command, args } = withResourceCaps(denoBinaryPath(), sandboxArgs(options), options);
  const child = spawn(command, args, {
    cwd: sandboxFiles().scratchDir,
    env: sandboxEnv(options.heapMiB),
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  return new SandboxProcess(child);
}

class SandboxProcess implements SandboxLink {
  #child: ChildProcess;
  #listener: LinkListener | undefined;
  #queue: SandboxToHost[] = [];
  #decoder = new FrameDecoder();
  #stderr = "";
  #protocolError: ProtocolViolation | undefined;
  #exit: SandboxExit | undefined;
  #resolveClosed!: (exit: SandboxExit) => void;
  readonly closed: Promise<SandboxExit>;

  constructor(child: ChildProcess) {
    this.#child = child;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    child.stdout!.on("data", (chunk: Uint8Array) => this.#onStdout(chunk));
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL_BYTES);
    });
    // A sandbox that dies makes writes fail with EPIPE: the exit is reported through "close" instead.
    child.stdin!.on("error", () => {});
    child.on("error", (error) => {
      this.#stderr += `\nspawn failed: ${error.message}`;
    });
    // "close" comes after the exit *and* after stdout has drained, so every frame was seen.
    child.on("close", (code, signal) => this.#onClose(code, signal));
  }

  get exited(): boolean {
    return this.#exit !== undefined;
  }

  send(message: HostToSandbox): void {
    if (this.#exit !== undefined || this.#protocolError !== undefined) return;
    const stdin = this.#child.stdin!;
    if (!stdin.writable) return;
    stdin.write(encodeFrame(message));
  }

  listen(listener: LinkListener): void {
    this.#listener = listener;
    const queued = this.#queue;
    this.#queue = [];
    for (const message of queued) listener.message(message);
    if (this.#exit !== undefined) listener.exit(this.#exit);
  }

  kill(protocolError?: ProtocolViolation): Promise<SandboxExit> {
    if (this.#exit === undefined) {
      if (protocolError !== undefined) this.#violation(protocolError);
      else this.#child.kill("SIGKILL");
    }
    return this.closed;
  }

  async close(): Promise<SandboxExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#child.stdin!.end();
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      if (await this.#endsWithin(CLOSE_GRACE_MS)) break;
      this.#child.kill(signal);
    }
    return this.closed;
  }

  /** Whether the sandbox ends within `ms`; the timer is cleared either way, so none outlives the wait. */
  #endsWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.closed.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #onStdout(chunk: Uint8Array): void {
    if (this.#protocolError !== undefined) return;
    let frames: string[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      return this.#violation(
        error instanceof FrameTooLargeError
          ? { code: "frame_too_large", bytes: error.bytes, limit: MAX_FRAME_BYTES }
          : { code: "invalid_utf8" },
      );
    }
    for (const frame of frames) {
      const parsed = SandboxToHost.safeParse(parseJson(frame));
      if (!parsed.success) return this.#violation({ code: "malformed_frame", start: frame.slice(0, 120), length: frame.length });
      this.#deliver(parsed.data);
      if (this.#protocolError !== undefined) return;
    }
  }

  #deliver(message: SandboxToHost): void {
    if (this.#listener === undefined) this.#queue.push(message);
    else this.#listener.message(message);
  }

  /** The sandbox broke the protocol: stop listening to it and stop it. */
  #violation(violation: ProtocolViolation): void {
    this.#protocolError ??= violation;
    this.#child.stdout!.removeAllListeners("data");
    this.#child.stdout!.resume();
    this.#child.kill("SIGKILL");
  }

  #onClose(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exit !== undefined) return;
    if (this.#decoder.pendingBytes > 0 && this.#protocolError === undefined) {
      this.#protocolError = { code: "truncated_frame", bytes: this.#decoder.pendingBytes };
    }
    const exit: SandboxExit = {
      code,
      signal,
      outOfMemory: OOM_MARKERS.some((marker) => this.#stderr.includes(marker)),
      stderrTail: this.#stderr,
      ...(this.#protocolError !== undefined ? { protocolError: this.#protocolError } : {}),
    };
    this.#exit = exit;
    this.#resolveClosed(exit);
    this.#listener?.exit(exit);
  }
}

/** The frame's JSON value, or `undefined` (which no message schema accepts) when it is not JSON. */
function parseJson(frame: string): unknown {
  try {
    return JSON.parse(frame);
  } catch {
    return undefined;
  }
}
