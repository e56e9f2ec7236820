/**
 * The sandbox on its own: a raw `SandboxLink` driven with protocol frames, no session, cell actor, source
 * preparation or pool in the way (docs/architecture.md "The sandbox"). Per round one sandbox is spawned, set up
 * and warmed up, then runs many cells one after another, as a session's bound sandbox does:
 * - spawn() call: how long `spawnSandbox` itself blocks the host (fork/exec is synchronous in Node);
 * - spawn → hello, and spawn → warm (after `session/setup` and `cell/warmup`); spawn → hello without the OS layer;
 * - warm cell: `cell/start` → `cell/done` of `text("bench")`, and `cell/start` → `sandbox/ready` (the cell plus the
 *   sandbox draining it and preparing the next context); also after the sandbox sat idle for 200 ms;
 * - tool-call round trip: in a cell making 100 sequential awaited calls, the time from one `tool/call` frame to the
 *   next, the host replying at once (host parse + reply write + pipe + sandbox + pipe);
 * - a 30 MiB tool result: a cell whose one tool call gets 30 MiB of text, start → done, the reply's frame made
 *   before the cell starts (what the pipe and the sandbox cost, without the session's work on the host);
 * - pipe ping-pong: a bare Deno echo process (no runtime, no cell) and the host exchanging one short line at a
 *   time: the floor under any tool-call round trip over pipes on this machine;
 * - pipe bulk: the same 30 MiB reply written to a bare Deno process that only reads it to its newline and says so:
 *   the floor under the 30 MiB tool result.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { denoBinaryPath } from "../ts/transport/deno_binary.ts";
import { spawnSandbox } from "../ts/transport/sandbox_process.ts";
import type { LinkListener, SandboxExit, SandboxLink } from "../ts/transport/link.ts";
import type { HostSetup, SandboxToHost } from "../ts/contract/wire.ts";
import { encodeFrame, encodeFrameWithValue } from "../ts/contract/codec.ts";
import { cellScript } from "../ts/contract/cell_source.ts";
import { DEFAULT_LIMITS } from "../ts/contract/defaults.ts";
import { bigResultCell, now, TEXT_CELL, toolLoopCell } from "./adapter.ts";
import { waitQuiet } from "./proc.ts";

export interface LinkSamples {
  /** How long the synchronous `spawn()` call blocks the host's event loop. */
  spawnCall: number[];
  spawnToHello: number[];
  /** The same without the OS layer (`osSandbox: "none"`): what bubblewrap adds to a boot. */
  spawnToHelloNoOsLayer: number[];
  /** Spawn until the warm-up cells are done: what a pool refill costs before the sandbox can take a cell. */
  spawnToWarm: number[];
  /** `cell/start` → `cell/done`. */
  warmCell: number[];
  /** `cell/start` → `sandbox/ready`: the sandbox can take the session's next cell. */
  warmCellToReady: number[];
  /** `cell/start` → `cell/done` after the sandbox sat idle for IDLE_MS, as a bound one does between a model's cells. */
  idleCell: number[];
  toolRoundTrip: number[];
  /** `cell/start` → `cell/done` of a cell getting a BIG_RESULT_BYTES tool result. */
  bigResult: number[];
  pingPong: number[];
  /** Host write of the 30 MiB frame → a bare Deno reader's reply that it has all of it. */
  pipeBulk: number[];
}

const CALLS = 100;
const IDLE_MS = 200;
/** Cells per spawned sandbox and round, back to back (each after the previous one's `sandbox/ready`). */
const CELLS_PER_SANDBOX = 10;
export const BIG_RESULT_BYTES = 30 * 2 ** 20;

const SETUP: HostSetup = {
  type: "session/setup",
  tools: [{ name: "tool_0", kind: "function", description: "Echoes i." }],
  console: true,
  limits: { storedValueBytes: DEFAULT_LIMITS.storedValueBytes, storedBytes: DEFAULT_LIMITS.storedBytes },
};

const ECHO = "for await (const chunk of Deno.stdin.readable) await Deno.stdout.write(chunk);\n";
/** Reads lines of any length and answers each with its byte count; no parsing, the least a reader can do. */
const COUNT_LINES = `let bytes = 0;
for await (const chunk of Deno.stdin.readable) {
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
    await Deno.stdout.write(new TextEncoder().encode(bytes + at + "\\n"));
    bytes = -at - 1;
  }
  bytes += chunk.length;
}
`;

/** Starts a permissionless Deno process running `source` in a scratch folder; `done` removes the folder. */
function bareDeno(source: string) {
  const dir = mkdtempSync(join(tmpdir(), "codecell-bench-pipe-"));
  writeFileSync(join(dir, "main.js"), source);
  const child = spawn(denoBinaryPath(), ["run", "--no-prompt", "--no-config", join(dir, "main.js")], {
    cwd: dir,
    env: { DENO_DIR: join(dir, "deno_dir"), NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const done = async () => {
    child.stdin.end();
    await new Promise((resolve) => child.on("close", resolve));
    rmSync(dir, { recursive: true, force: true });
  };
  return { child, done };
}

/** `count` times: write `line` (one frame) to a bare Deno reader and wait for its byte count. */
async function pipeBulk(line: string, count: number): Promise<number[]> {
  const { child, done } = bareDeno(COUNT_LINES);
  const times: number[] = [];
  let reply = "";
  let answered: (() => void) | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    reply += chunk;
    if (reply.endsWith("\n")) answered?.();
  });
  for (let i = 0; i < count; i++) {
    await waitQuiet();
    reply = "";
    const started = now();
    await new Promise<void>((resolve) => {
      answered = resolve;
      child.stdin.write(line);
    });
    times.push(now() - started);
    if (Number(reply) !== Buffer.byteLength(line) - 1) throw new Error(`pipe bulk: the reader saw ${reply} bytes`);
  }
  await done();
  return times;
}

/** `count` sequential round trips of a short JSON line through a permissionless Deno echo process. */
async function pingPong(count: number): Promise<number[]> {
  const { child, done } = bareDeno(ECHO);
  const times: number[] = [];
  await new Promise<void>((resolve) => {
    let sent = 0;
    const send = () => {
      sent = now();
      child.stdin.write(`{"type":"tool/result","callId":"${times.length}","ok":true,"value":{"i":1}}\n`);
    };
    child.stdout.on("data", () => {
      times.push(now() - sent);
      if (times.length < count) send();
      else resolve();
    });
    send();
  });
  await done();
  return times.slice(Math.min(20, count >> 2)); // the first trips include the echo loop's own start-up
}

/**
 * A sandbox driven frame by frame: `until` gives the arrival time of the next message of a type (several frames
 * can come in one read, so arrivals queue up until asked for); tool calls are answered at once.
 */
class RawSandbox implements LinkListener {
  readonly link: SandboxLink;
  /** Host timestamps of the `tool/call` frames of the running cell. */
  calls: number[] = [];
  texts: string[] = [];
  /** When set, the JSON text every tool call is answered with (else the call's own input). */
  reply: string | undefined;
  #waiting: { type: SandboxToHost["type"]; resolve: (at: number) => void; reject: (e: Error) => void } | undefined;
  readonly #arrived: { type: SandboxToHost["type"]; at: number }[] = [];
  #exit: SandboxExit | undefined;

  constructor(osSandbox: "auto" | "none" = "auto") {
    this.link = spawnSandbox({ heapMiB: DEFAULT_LIMITS.heapMiB, lifetimeMs: DEFAULT_LIMITS.lifetimeMs, osSandbox });
    this.link.listen(this);
  }

  message(message: SandboxToHost): void {
    const at = now();
    if (message.type === "tool/call") {
      this.calls.push(at);
      const value = this.reply ?? message.input;
      this.link.send(encodeFrameWithValue({ type: "tool/result", callId: message.callId, ok: true }, value));
    } else if (message.type === "output/text") this.texts.push(message.text);
    else if (message.type === "cell/done" && !message.ok) this.#fail(`cell failed: ${message.error}`);
    if (this.#waiting?.type === message.type) {
      const { resolve } = this.#waiting;
      this.#waiting = undefined;
      resolve(at);
    } else if (message.type !== "tool/call" && message.type !== "output/text") {
      this.#arrived.push({ type: message.type, at });
    }
  }

  exit(exit: SandboxExit): void {
    this.#exit = exit;
    this.#fail(`sandbox ended: ${exit.signal ?? exit.code} ${exit.stderrTail}`);
  }

  /** Resolves with the host time the next `type` message arrived. */
  until(type: SandboxToHost["type"]): Promise<number> {
    const index = this.#arrived.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(this.#arrived.splice(index, 1)[0].at);
    if (this.#exit !== undefined) return Promise.reject(new Error("raw link: sandbox is gone"));
    return new Promise((resolve, reject) => (this.#waiting = { type, resolve, reject }));
  }

  /** Runs one cell to `sandbox/ready`; returns start → done and start → ready. */
  async cell(source: string): Promise<{ done: number; ready: number }> {
    this.calls = [];
    this.texts = [];
    this.#arrived.length = 0;
    const done = this.until("cell/done");
    const started = now();
    this.link.send(encodeFrame({ type: "cell/start", cellId: "1", script: cellScript(source, "") }));
    const doneAt = await done;
    const readyAt = await this.until("sandbox/ready");
    if (this.texts.length !== 1 || this.texts[0] !== "bench") {
      throw new Error(`raw link: expected the output "bench", got ${JSON.stringify(this.texts)}`);
    }
    return { done: doneAt - started, ready: readyAt - started };
  }

  #fail(reason: string): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(new Error(`raw link: ${reason}`));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `iterations` rounds (after `warmups` discarded): spawn and warm a sandbox, then run its cells. */
export async function measureLink(iterations: number, warmups: number): Promise<LinkSamples> {
  const samples: LinkSamples = {
    spawnCall: [],
    spawnToHello: [],
    spawnToHelloNoOsLayer: [],
    spawnToWarm: [],
    warmCell: [],
    warmCellToReady: [],
    idleCell: [],
    toolRoundTrip: [],
    bigResult: [],
    pingPong: [],
    pipeBulk: [],
  };
  const bigReply = JSON.stringify({ i: 0, data: "x".repeat(BIG_RESULT_BYTES) });
  for (let round = -warmups; round < iterations; round++) {
    await waitQuiet();
    const spawned = now();
    const sandbox = new RawSandbox();
    const spawnCall = now() - spawned;
    const hello = (await sandbox.until("sandbox/hello")) - spawned;
    const warm = sandbox.until("sandbox/warm");
    sandbox.link.send(encodeFrame(SETUP));
    sandbox.link.send(encodeFrame({ type: "cell/warmup" }));
    const warmAt = (await warm) - spawned;
    const cells: { done: number; ready: number }[] = [];
    for (let i = 0; i < CELLS_PER_SANDBOX; i++) cells.push(await sandbox.cell(TEXT_CELL));
    await sleep(IDLE_MS);
    const idle = await sandbox.cell(TEXT_CELL);
    await sandbox.cell(toolLoopCell(CALLS));
    const calls = sandbox.calls;
    sandbox.reply = bigReply;
    const big = await sandbox.cell(bigResultCell(BIG_RESULT_BYTES));
    await sandbox.link.close();
    if (calls.length !== CALLS) throw new Error(`raw link: expected ${CALLS} tool calls, saw ${calls.length}`);
    await waitQuiet();
    const bare = now();
    const unwrapped = new RawSandbox("none");
    const bareHello = (await unwrapped.until("sandbox/hello")) - bare;
    await unwrapped.link.close();
    if (round < 0) continue;
    samples.spawnToHelloNoOsLayer.push(bareHello);
    samples.spawnCall.push(spawnCall);
    samples.spawnToHello.push(hello);
    samples.spawnToWarm.push(warmAt);
    samples.warmCell.push(...cells.map((c) => c.done));
    samples.warmCellToReady.push(...cells.map((c) => c.ready));
    samples.idleCell.push(idle.done);
    samples.bigResult.push(big.done);
    for (let k = 1; k < calls.length; k++) samples.toolRoundTrip.push(calls[k] - calls[k - 1]);
  }
  await waitQuiet();
  samples.pingPong = await pingPong(Math.max(200, iterations * CALLS / 2));
  const bigFrame = encodeFrameWithValue({ type: "tool/result", callId: "1", ok: true }, bigReply);
  samples.pipeBulk = await pipeBulk(bigFrame, iterations);
  return samples;
}
