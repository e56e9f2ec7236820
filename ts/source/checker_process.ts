/**
 * The checker process behind `typecheck: true` (docs/architecture.md "Typed cells"): one long-lived, permissionless
 * Deno process per host running `runtime/checker.ts`, which type-checks cells over an in-memory file system. The
 * host reads TypeScript's lib files (and nothing else) and sends them once; then one check at a time.
 *
 * Its time and memory are capped: a check that runs past {@linkcode CHECK_TIMEOUT_MS} or exhausts the heap ends
 * the process, and the next check starts a new one. A session's checks stop with it. An idle checker does not
 * keep the host alive, and the process ends when the last session that used it closes.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { typecheckFailed } from "../contract/messages.ts";
import { cacheRoot, privateDir } from "../transport/cache_dir.ts";
import { denoBinaryPath, DENY_ALL_PERMISSIONS } from "../transport/deno_binary.ts";
import { withParentDeathSignal } from "../transport/os_sandbox.ts";
import { withResourceCaps } from "../transport/resource_caps.ts";
import { sandboxFiles } from "../transport/sandbox_files.ts";

/** The longest one check may take. */
export const CHECK_TIMEOUT_MS = 10_000;
/** The checker's V8 heap limit, in MiB; a check past it ends the process. */
const CHECKER_HEAP_MIB = 512;
/** A checker whose heap stays above this after a check is replaced. */
const RECYCLE_HEAP_BYTES = 256 << 20;

/** One check: the cell, and what it is checked against. */
export interface CheckRequest {
  cell: string;
  declarations: string;
  helpers: string;
  tools: string;
}

/** The outcome: no type errors, or the text the cell fails with (diagnostics, or why the check could not run). */
export type CheckOutcome = { ok: true } | { ok: false; error: string };

const CheckerMessage = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ready") }),
  z.strictObject({
    type: z.literal("result"),
    id: z.number(),
    ok: z.boolean(),
    diagnostics: z.string().optional(),
    recycle: z.boolean().optional(),
    heapBytes: z.number(),
  }),
]);

interface Job {
  id: number;
  request: CheckRequest;
  owner: object;
  timeoutMs: number;
  resolve: (outcome: CheckOutcome) => void;
}

/** TypeScript's own files: its entry and lib folder, or why it cannot be used. */
function typescript(): { entry: string; libs: [string, string][] } | { error: string } {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve("typescript");
  } catch {
    return { error: "the npm package typescript (version 6) is not installed; install it to type-check cells" };
  }
  const libDir = dirname(entry);
  if (!existsSync(join(libDir, "lib.esnext.d.ts"))) {
    return { error: `the installed typescript has no compiler API (version 6 is needed): ${entry}` };
  }
  return { entry, libs: libFiles(libDir) };
}

/** `lib.esnext.d.ts` and every lib it references, read from TypeScript's own folder (only `lib.*.d.ts` names). */
function libFiles(libDir: string): [string, string][] {
  const files = new Map<string, string>();
  const queue = ["lib.esnext.d.ts"];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (files.has(name) || !/^lib\.[a-z0-9.]+\.d\.ts$/.test(name)) continue;
    const text = readFileSync(join(libDir, name), "utf8");
    files.set(name, text);
    for (const match of text.matchAll(/^\/\/\/\s*<reference\s+lib\s*=\s*"([^"]+)"\s*\/>/gm)) {
      queue.push(`lib.${match[1].toLowerCase()}.d.ts`);
    }
  }
  return [...files];
}

/** The checker program: shipped as JavaScript with the package, run as TypeScript from a checkout. */
function checkerEntry(): string {
  const shipped = new URL("../../runtime/checker.js", import.meta.url);
  return fileURLToPath(existsSync(shipped) ? shipped : new URL("../../runtime/checker.ts", import.meta.url));
}

class CheckerProcess {
  readonly #child: ChildProcess;
  readonly #ready: Promise<boolean>;
  #current: Job | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #buffer = "";
  #onReady: ((ready: boolean) => void) | undefined;
  /** Set when the process ended; every later use fails. */
  ended = false;
  /** Set once a result says this process should not serve again. */
  spent = false;
  #exitReason = "";

  constructor(ts: { entry: string; libs: [string, string][] }) {
    const dir = privateDir(join(cacheRoot(), "checker"));
    const args = [
      "run",
      ...DENY_ALL_PERMISSIONS,
      "--no-prompt",
      "--no-config",
      "--no-lock",
      "--no-remote",
      "--node-modules-dir=manual",
      `--v8-flags=--max-old-space-size=${CHECKER_HEAP_MIB}`,
      checkerEntry(),
      ts.entry,
    ]; // deno-fmt-ignore
    const launch = withParentDeathSignal(denoBinaryPath(), args);
    const { command, args: capped } = withResourceCaps(launch.command, launch.args, { heapMiB: CHECKER_HEAP_MIB });
    this.#child = spawn(command, capped, {
      cwd: sandboxFiles().scratchDir,
      env: { DENO_DIR: privateDir(join(dir, "deno-dir")), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.#ready = new Promise((resolve) => (this.#onReady = resolve));
    this.#child.stdout!.setEncoding("utf8");
    this.#child.stdout!.on("data", (text: string) => this.#onOutput(text));
    this.#child.stderr!.resume();
    this.#child.stdin!.on("error", () => {});
    this.#child.on("error", (error) => (this.#exitReason = error.message));
    this.#child.on("close", (code, signal) => this.#onClose(code, signal));
    this.#child.stdin!.write(`${JSON.stringify({ type: "init", libs: ts.libs })}\n`);
    this.#idle(true);
  }

  /** Runs one check; resolves with its outcome (a timeout, a crash or the heap limit fail it with a message). */
  async run(job: Job): Promise<void> {
    this.#idle(false);
    this.#current = job;
    if (!await this.#ready) return this.#finish({ ok: false, error: typecheckFailed(this.#exitReason) });
    this.#timer = setTimeout(() => {
      this.#exitReason = `the check took longer than ${job.timeoutMs} ms`;
      this.kill();
    }, job.timeoutMs);
    const { cell, declarations, helpers, tools } = job.request;
    this.#child.stdin!.write(`${JSON.stringify({ type: "check", id: job.id, cell, declarations, helpers, tools })}\n`);
  }

  /** Whether `owner`'s check is the one running. */
  runs(owner: object): boolean {
    return this.#current?.owner === owner;
  }

  /** Ends the process; it serves no further check. */
  kill(): void {
    this.spent = true;
    this.#child.kill("SIGKILL");
  }

  #finish(outcome: CheckOutcome): void {
    clearTimeout(this.#timer);
    const job = this.#current;
    this.#current = undefined;
    this.#idle(true);
    job?.resolve(outcome);
  }

  /** An idle checker must not keep the host alive. */
  #idle(idle: boolean): void {
    for (const handle of [this.#child, this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      if (handle === null || !("ref" in handle) || typeof handle.ref !== "function") continue;
      if (idle) handle.unref();
      else handle.ref();
    }
  }

  #onOutput(text: string): void {
    this.#buffer += text;
    for (let newline = this.#buffer.indexOf("\n"); newline !== -1; newline = this.#buffer.indexOf("\n")) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      const parsed = CheckerMessage.safeParse(parseJson(line));
      if (!parsed.success) {
        this.#exitReason = "the checker answered something unexpected";
        this.kill();
        return;
      }
      const message = parsed.data;
      if (message.type === "ready") this.#onReady?.(true);
      else if (message.id === this.#current?.id) {
        if (message.recycle === true || message.heapBytes > RECYCLE_HEAP_BYTES) this.spent = true;
        this.#finish(message.ok ? { ok: true } : { ok: false, error: message.diagnostics ?? "" });
      }
    }
  }

  #onClose(code: number | null, signal: string | null): void {
    this.ended = true;
    if (this.#exitReason === "") {
      this.#exitReason = signal === "SIGTRAP" || signal === "SIGABRT"
        ? `the check ran out of memory (${CHECKER_HEAP_MIB} MiB)`
        : `the checker ended (${signal ?? `exit code ${code}`})`;
    }
    this.#onReady?.(false);
    if (this.#current !== undefined) this.#finish({ ok: false, error: typecheckFailed(this.#exitReason) });
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The host's checker: a queue of checks and the process that runs them. */
class Checker {
  #process: CheckerProcess | undefined;
  readonly #queue: Job[] = [];
  readonly #owners = new Set<object>();
  #running = false;
  #nextId = 1;
  /** When each owner was last served (a count of checks): the least recently served goes next. */
  readonly #served = new Map<object, number>();
  #checks = 0;
  #typescript: ReturnType<typeof typescript> | undefined;

  /** Checks a cell for `owner` (a session); `signal` cancels the check (the session is closing). */
  check(
    request: CheckRequest,
    owner: object,
    signal?: AbortSignal,
    timeoutMs = CHECK_TIMEOUT_MS,
  ): Promise<CheckOutcome> {
    this.#typescript ??= typescript();
    if ("error" in this.#typescript) {
      return Promise.resolve({ ok: false, error: typecheckFailed(this.#typescript.error) });
    }
    if (signal?.aborted) return Promise.resolve({ ok: false, error: typecheckFailed("the session is closing") });
    this.#owners.add(owner);
    return new Promise((resolve) => {
      const job: Job = { id: this.#nextId++, request, owner, timeoutMs, resolve };
      this.#queue.push(job);
      signal?.addEventListener("abort", () => this.#cancel(job), { once: true });
      void this.#drain();
    });
  }

  /** `owner` is gone: its checks stop, and with the last owner the process ends. */
  release(owner: object): void {
    this.#owners.delete(owner);
    this.#served.delete(owner);
    for (const job of this.#queue.filter((queued) => queued.owner === owner)) this.#cancel(job);
    if (this.#process?.runs(owner)) this.#process.kill();
    if (this.#owners.size === 0) this.#process?.kill();
  }

  #cancel(job: Job): void {
    const index = this.#queue.indexOf(job);
    if (index >= 0) this.#queue.splice(index, 1);
    else if (this.#process?.runs(job.owner)) this.#process.kill();
    job.resolve({ ok: false, error: typecheckFailed("the session is closing") });
  }

  /**
   * Takes the oldest check of the session served least recently: one session's slow checks (each may take the
   * whole time limit) cannot hold back every other session's.
   */
  #next(): Job {
    const lastServed = (job: Job) => this.#served.get(job.owner) ?? -1;
    let best = 0;
    this.#queue.forEach((job, i) => {
      if (lastServed(job) < lastServed(this.#queue[best]!)) best = i;
    });
    const job = this.#queue.splice(best, 1)[0]!;
    this.#served.set(job.owner, this.#checks++);
    return job;
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    while (this.#queue.length > 0) {
      const job = this.#next();
      if (this.#process === undefined || this.#process.ended || this.#process.spent) {
        this.#process?.kill();
        const ts = this.#typescript;
        if (ts === undefined || "error" in ts) break;
        this.#process = new CheckerProcess(ts);
      }
      const done = new Promise<void>((resolve) => {
        const resolveJob = job.resolve;
        job.resolve = (outcome) => {
          resolveJob(outcome);
          resolve();
        };
      });
      await this.#process.run(job);
      await done;
    }
    this.#running = false;
  }
}

/** The host's one checker. */
export const checker: Checker = new Checker();
