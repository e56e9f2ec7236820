/**
 * The sandbox executable: `deno run` with no permissions on this file (see `ts/transport/sandbox_process.ts` for
 * the flags). It boots, says hello, takes the session setup (tools) and locks the global scope down, optionally runs
 * a warm-up cell through the whole cell path, then runs exactly one `cell/start` and exits when the cell ends.
 *
 * @module
 */
import type { CellMode, HostCellStart, HostToSandbox, SandboxToHost } from "../ts/contract/wire.ts";
import { PROTOCOL_VERSION } from "../ts/contract/codec.ts";
import { JSONParse, MapPrototypeSet, ObjectKeys, PromisePrototypeThen } from "../ext/intrinsics.ts";
import { CellState, encodeMessage, enterCell, type Port } from "../ext/state.ts";
import { installTools, settleToolCall } from "../ext/tools.ts";
import { lockDown } from "../ext/install.ts";
import { exitProcess, FrameReader, writeFrame } from "./channel.ts";
import { errorText } from "./stack.ts";
import { evaluateCell } from "./run_cell.ts";

function send(message: SandboxToHost): void {
  writeFrame(encodeMessage(message));
}

// Deno ends the process on an unhandled rejection; in a cell, an un-awaited rejected promise is not fatal.
globalThis.addEventListener("unhandledrejection", (event) => event.preventDefault());

/**
 * A port whose `complete`/`fail` end the cell with `message` and then `after()`: for the real cell that stops the
 * sandbox (after the last frame is written); for the warm-up cell it reports `sandbox/warm` and returns.
 */
function cellPort(mode: CellMode, after: () => void): Port {
  let ended = false;
  const end = (message: SandboxToHost): void => {
    if (ended) return;
    ended = true;
    send(message);
    after();
  };
  return {
    send,
    sendRaw: writeFrame,
    complete: () => end({ type: "cell/done", ok: true }),
    fail: (error) => end({ type: "cell/done", ok: false, error: errorText(error, mode) }),
  };
}

const stopSandbox = () => exitProcess(0);

/**
 * Runs one cell to its end, then `after()`. The warm-up cell takes exactly this path, so every function of it is
 * compiled by the time the real cell arrives.
 */
function runCell(message: HostCellStart, after: () => void): void {
  const port = cellPort(message.mode, after);
  const state = new CellState(port);
  const keys = ObjectKeys(message.stored);
  for (let i = 0; i < keys.length; i++) MapPrototypeSet(state.stored, keys[i], message.stored[keys[i]]);
  enterCell(state);
  let run: Promise<unknown>;
  try {
    run = evaluateCell(message.source, message.mode);
  } catch (error) {
    port.fail(error);
    return;
  }
  // The captured `then`: the cell may have replaced `Promise.prototype.then` by the time it settles.
  PromisePrototypeThen(run, () => port.complete(), (error) => port.fail(error));
}

/** Throwaway cells for both evaluation modes; module mode also loads the helper modules through the import map. */
const WARM_UP_CELLS: HostCellStart[] = [
  { type: "cell/start", cellId: "0", source: 'text("")', mode: "function", stored: {} },
  { type: "cell/start", cellId: "0", source: 'import { text } from "codecell/helpers";\ntext("");', mode: "module", stored: {} },
];

/** Runs the warm-up cells one after the other; their frames are dropped by the host until `sandbox/warm`. */
function warmUp(): Promise<void> {
  return new Promise((done) => {
    const run = (index: number) =>
      runCell(WARM_UP_CELLS[index], index + 1 < WARM_UP_CELLS.length ? () => run(index + 1) : done);
    run(0);
  });
}

function parse(json: string | null): HostToSandbox {
  // Stdin closing means the host is gone or done with this sandbox: never outlive it.
  if (json === null) return exitProcess(0);
  return JSONParse(json) as HostToSandbox;
}

/** Messages while the cell runs: only tool results are expected. */
function onCellFrame(json: string): void {
  const message = parse(json);
  if (message.type === "tool/result") {
    settleToolCall(message.callId, message.ok ? { ok: true, value: message.value } : message);
  }
}

const reader = new FrameReader();
send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
// Boot: the session setup first (tools, console), then an optional warm-up, then the one cell. Nothing else runs in
// the sandbox meanwhile, so these reads block.
const setup = parse(reader.nextSync());
if (setup.type !== "session/setup") throw new Error(`codecell: expected session/setup, got ${setup.type}`);
installTools(setup.tools);
lockDown(setup.console);
// Read asynchronously once during boot: Deno sets its async stdin path up on first use, which would otherwise
// land between the cell's last output and its `cell/done` (the reads for tool results use that path).
let next = parse(await reader.next());
if (next.type === "cell/warmup") {
  await warmUp();
  send({ type: "sandbox/warm" });
  next = parse(reader.nextSync());
}
if (next.type !== "cell/start") throw new Error(`codecell: expected cell/start, got ${next.type}`);
runCell(next, stopSandbox);
await reader.pump(onCellFrame);
exitProcess(0);
