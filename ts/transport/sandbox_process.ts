/**
 * A sandbox as a child process: `deno run` with no permissions on the sandbox bundle, talking NDJSON frames on
 * stdio, under the kernel's resource caps (`./resource_caps.ts`) and the OS layer (`./os_sandbox.ts`).
 * Everything it writes is untrusted: frames are size-capped by the decoder and parsed with the zod schemas; the
 * first bad frame stops the sandbox and is reported as a protocol violation.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import { FrameDecoder, FrameTooLargeError, MAX_FRAME_BYTES } from "../contract/codec.ts";
import { type ProtocolViolation, SandboxToHost } from "../contract/wire.ts";
import type { LinkListener, SandboxExit, SandboxLink } from "./link.ts";
import { denoBinaryPath, DENY_ALL_PERMISSIONS } from "./deno_binary.ts";
import { sandboxFiles } from "./sandbox_files.ts";
import { sandboxBundlePath } from "./runtime_bundle.ts";
import { withResourceCaps } from "./resource_caps.ts";
import { chooseOsLayer, osLaunch, type OsSandboxMode } from "./os_sandbox.ts";

/** How to start a sandbox. */
export interface SandboxSpawnOptions {
  /** V8 old-space limit of the sandbox, in MiB. */
  heapMiB: number;
  /**
   * The cell's wall-clock lifetime limit, in ms. The host enforces it; the kernel backs it with a CPU-time limit
   * (where available) so that a sandbox spinning in a loop cannot outlive a host that was killed.
   */
  lifetimeMs?: number;
  /** The OS layer (default `"auto"`). */
  osSandbox?: OsSandboxMode;
  /** Told once when `"auto"` finds no usable OS layer (default: `console.warn`). */
  onWarning?: (message: string) => void;
  /** Entry module instead of the sandbox bundle; tests point it at hostile stand-ins for the runtime. */
  entry?: string;
}

/** Stderr bytes kept for diagnostics. */
const STDERR_TAIL_BYTES = 8 * 1024;
/** How long `close()` waits at each step before escalating. */
const CLOSE_GRACE_MS = 1000;

/** The `deno run` arguments for a sandbox: every permission denied, and nothing read from the environment. */
export function sandboxArgs(paths: { bundle: string; importMap: string }, heapMiB: number): string[] {
  return [
    "run",
    ...DENY_ALL_PERMISSIONS,
    "--no-prompt",
    "--no-config",
    "--no-remote",
    "--no-npm",
    "--no-lock",
    `--import-map=${paths.importMap}`,
    `--v8-flags=--max-old-space-size=${heapMiB}`,
    paths.bundle,
  ];
}

/** The sandbox's whole environment: an allow-list, so no host secret reaches it. */
function sandboxEnv(denoDir: string): Record<string, string> {
  return { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" };
}

/** Starts one sandbox process. */
export function spawnSandbox(options: SandboxSpawnOptions): SandboxLink {
  const deno = denoBinaryPath();
  const bundle = options.entry ?? sandboxBundlePath();
  const files = sandboxFiles();
  const launchFiles = { deno, bundle, importMap: files.importMapPath, denoDir: files.denoDir(options.heapMiB) };
  const warn = options.onWarning ?? ((message: string) => console.warn(`codecell: ${message}`));
  const layer = chooseOsLayer(options.osSandbox ?? "auto", launchFiles, warn);
  const launch = osLaunch(layer, launchFiles, (paths) => sandboxArgs(paths, options.heapMiB));
  const { command, args } = withResourceCaps(launch.command, launch.args, options);
  const child = spawn(command, args, {
    cwd: files.scratchDir,
    env: sandboxEnv(launch.paths.denoDir),
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  return new SandboxProcess(child, launch.bwrap);
}

class SandboxProcess implements SandboxLink {
  readonly #child: ChildProcess;
  /** bwrap reports the sandbox's death by a signal as exit code 128 + the signal's number. */
  readonly #viaBwrap: boolean;
  #listener: LinkListener | undefined;
  #queue: SandboxToHost[] = [];
  readonly #decoder = new FrameDecoder();
  #stderr = "";
  #protocolError: ProtocolViolation | undefined;
  #exit: SandboxExit | undefined;
  #resolveClosed!: (exit: SandboxExit) => void;
  readonly closed: Promise<SandboxExit>;

  constructor(child: ChildProcess, viaBwrap: boolean) {
    this.#child = child;
    this.#viaBwrap = viaBwrap;
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

  send(frame: string): void {
    if (this.#exit !== undefined || this.#protocolError !== undefined) return;
    const stdin = this.#child.stdin!;
    if (stdin.writable) stdin.write(frame);
  }

  keepAlive(busy: boolean): void {
    const child = this.#child;
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) {
      if (!isReferenced(handle)) continue;
      if (busy) handle.ref();
      else handle.unref();
    }
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
      // Whoever awaits the exit is waiting on real work: an idle sandbox's unreferenced handles must not let the
      // host's event loop end before it comes.
      this.keepAlive(true);
      if (protocolError !== undefined) this.#violation(protocolError);
      else this.#child.kill("SIGKILL");
    }
    return this.closed;
  }

  async close(): Promise<SandboxExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.keepAlive(true); // as in kill(): the exit is awaited
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
      if (!parsed.success) {
        return this.#violation({ code: "malformed_frame", start: frame.slice(0, 120), length: frame.length });
      }
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
    const died: string | null = this.#viaBwrap && signal === null ? signalOfCode(code) : signal;
    const exit: SandboxExit = {
      code: died === signal ? code : null,
      signal: died,
      // Decided by how the process ended, never by what it printed: V8's heap limit aborts with SIGTRAP, a failed
      // allocation under the kernel's memory cap with SIGABRT.
      outOfMemory: died === "SIGTRAP" || died === "SIGABRT",
      stderrTail: this.#stderr,
      ...(this.#protocolError !== undefined ? { protocolError: this.#protocolError } : {}),
    };
    this.#exit = exit;
    this.#resolveClosed(exit);
    this.#listener?.exit(exit);
  }
}

/** The signal a `128 + n` exit code stands for (bwrap's report of a death by signal), or `null`. */
function signalOfCode(code: number | null): string | null {
  if (code === null || code <= 128) return null;
  for (const [name, number] of Object.entries(constants.signals)) {
    if (number === code - 128) return name;
  }
  return null;
}

/** Whether `handle` can be told to keep the event loop alive or not (a child process, its stdio sockets). */
function isReferenced(handle: unknown): handle is { ref(): void; unref(): void } {
  return typeof handle === "object" && handle !== null && "ref" in handle && typeof handle.ref === "function" &&
    "unref" in handle && typeof handle.unref === "function";
}

/** The frame's JSON value, or `undefined` (which no message schema accepts) when it is not JSON. */
function parseJson(frame: string): unknown {
  try {
    return JSON.parse(frame);
  } catch {
    return undefined;
  }
}
