/**
 * The issue-2 figures, on a raw `SandboxLink` with no session, cell actor or source preparation in the way:
 * - spawn() call: how long `spawnSandbox` itself blocks the host (fork/exec is synchronous in Node);
 * - spawn → hello: `spawnSandbox` until the runtime has booted and says hello;
 * - warm cell round trip: on a sandbox that finished its warm-up, `cell/start` → `output/text` → `cell/done`,
 *   sent at once (the sandbox still hot) and after the sandbox sat idle for 200 ms (as a pooled one does);
 * - tool-call round trip: in a cell making 100 sequential awaited calls, the time from one `tool/call` frame to the
 *   next, the host replying at once (host parse + reply write + pipe + sandbox + pipe). Measured host-side, so it
 *   includes everything but the cell's own loop body;
 * - pipe ping-pong: a bare Deno echo process (no runtime, no zod, no cell) and the host exchanging one short line
 *   at a time: the floor under any tool-call round trip over pipes on this machine.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { denoBinaryPath } from "../ts/transport/deno_binary.ts";
import { spawnSandbox } from "../ts/transport/sandbox_process.ts";
import type { HostCellStart, SandboxToHost } from "../ts/contract/wire.ts";
import { PROTOCOL_VERSION } from "../ts/contract/codec.ts";
import { now, TEXT_CELL, toolLoopCell } from "./adapter.ts";
import { waitQuiet } from "./memory.ts";

export interface LinkSamples {
  /** How long the synchronous `spawn()` call blocks the host's event loop. */
  spawnCall: number[];
  spawnToHello: number[];
  warmRoundTrip: number[];
  /** The same after the warm sandbox sat idle for IDLE_MS, as a pooled one does between a model's cells. */
  idleRoundTrip: number[];
  toolRoundTrip: number[];
  pingPong: number[];
}

const ECHO = "for await (const chunk of Deno.stdin.readable) await Deno.stdout.write(chunk);\n";

/** `count` sequential round trips of a short JSON line through a permissionless Deno echo process. */
async function pingPong(count: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), "codecell-bench-echo-"));
  writeFileSync(join(dir, "echo.js"), ECHO);
  const child = spawn(denoBinaryPath(), ["run", "--no-prompt", "--no-config", join(dir, "echo.js")], {
    cwd: dir,
    env: { DENO_DIR: join(dir, "deno_dir"), NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "inherit"],
  });
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
  child.stdin.end();
  await new Promise((resolve) => child.on("close", resolve));
  rmSync(dir, { recursive: true, force: true });
  return times.slice(Math.min(20, count >> 2)); // the first trips include the echo loop's own start-up
}

const CALLS = 100;
const IDLE_MS = 200;

function start(source: string): HostCellStart {
  return { type: "cell/start", cellId: "1", source, mode: "function", stored: {} };
}

/** One sandbox through hello, setup, warm-up and one cell; returns the timestamps the figures need. */
function runOnce(
  source: string,
  idleMs = 0,
): Promise<{ spawnCall: number; hello: number; run: number; calls: number[] }> {
  return new Promise((resolve, reject) => {
    const spawned = now();
    const link = spawnSandbox({ heapMiB: 512 });
    const spawnCall = now() - spawned;
    let hello = 0;
    let startedAt = 0;
    let texts = 0;
    const calls: number[] = [];
    link.listen({
      message(message: SandboxToHost) {
        // The warm-up cells before `sandbox/warm` send output and `cell/done` of their own: not ours.
        if (startedAt === 0 && message.type !== "sandbox/hello" && message.type !== "sandbox/warm") return;
        switch (message.type) {
          case "sandbox/hello":
            hello = now() - spawned;
            link.send({
              type: "session/setup",
              protocol: PROTOCOL_VERSION,
              tools: [{ name: "tool_0", kind: "function", description: "Echoes i." }],
              console: true,
            });
            link.send({ type: "cell/warmup" });
            break;
          case "sandbox/warm":
            setTimeout(() => {
              startedAt = now();
              link.send(start(source));
            }, idleMs);
            break;
          case "tool/call":
            calls.push(now());
            link.send({ type: "tool/result", callId: message.callId, ok: true, value: message.input });
            break;
          case "output/text":
            if (message.text === "bench") texts++;
            break;
          case "cell/done":
            if (!message.ok || texts !== 1) reject(new Error(`raw link: cell failed: ${JSON.stringify(message)}`));
            else resolve({ spawnCall, hello, run: now() - startedAt, calls });
            break;
        }
      },
      exit(exit) {
        if (startedAt === 0 || texts === 0) reject(new Error(`raw link: sandbox ended early: ${exit.stderrTail}`));
      },
    });
  });
}

/** `iterations` rounds of: a text cell (spawn→hello, warm round trip), then a tool-call cell. */
export async function measureLink(iterations: number, warmups: number): Promise<LinkSamples> {
  const samples: LinkSamples = {
    spawnCall: [],
    spawnToHello: [],
    warmRoundTrip: [],
    idleRoundTrip: [],
    toolRoundTrip: [],
    pingPong: [],
  };
  for (let i = -warmups; i < iterations; i++) {
    await waitQuiet();
    const text = await runOnce(TEXT_CELL);
    await waitQuiet();
    const idle = await runOnce(TEXT_CELL, IDLE_MS);
    await waitQuiet();
    const tool = await runOnce(toolLoopCell(CALLS));
    if (tool.calls.length !== CALLS) {
      throw new Error(`raw link: expected ${CALLS} tool calls, saw ${tool.calls.length}`);
    }
    if (i < 0) continue;
    samples.spawnCall.push(text.spawnCall, tool.spawnCall);
    samples.spawnToHello.push(text.hello, tool.hello);
    samples.warmRoundTrip.push(text.run);
    samples.idleRoundTrip.push(idle.run);
    for (let k = 1; k < tool.calls.length; k++) samples.toolRoundTrip.push(tool.calls[k] - tool.calls[k - 1]);
  }
  await waitQuiet();
  samples.pingPong = await pingPong(Math.max(200, iterations * CALLS / 4));
  return samples;
}
