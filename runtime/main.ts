/**
 * The sandbox executable: `deno run` with no permissions on this file (see `ts/transport/sandbox_process.ts` for
 * the flags). It boots, says hello, takes the session setup (tools) and locks the global scope down, optionally runs
 * a warm-up cell through the whole cell path, then runs exactly one `cell/start` and exits when the cell ends.
 *
 * @module
 */
import type { CellMode, HostToSandbox, SandboxToHost } from "../ts/protocol/messages.ts";
import { PROTOCOL_VERSION } from "../ts/protocol/version.ts";
import { JSONParse, MapPrototypeSet, ObjectKeys, PromisePrototypeThen } from "../ext/intrinsics.ts";
import { CellState, encodeMessage, enterCell, type Port } from "../ext/state.ts";
import { installTools, settleToolCall } from "../ext/tools.ts";
import { lockDown } from "../ext/install.ts";
import { exitProcess, readFrames, writeFrame } from "./channel.ts";
import { errorText } from "./stack.ts";
import { evaluateCell } from "./run_cell.ts";

function send(message: SandboxToHost): void {
  writeFrame(encodeMessage(message));
}

// Deno ends the process on an unhandled rejection; in a cell, an un-awaited rejected promise is not fatal.
globalThis.addEventListener("unhandledrejection", (event) => event.preventDefault());

/** The port of the real cell: ending the cell ends the sandbox, after the last frame is written. */
function cellPort(mode: CellMode): Port {
  let ended = false;
  const end = (message: SandboxToHost): never => {
    if (!ended) {
      ended = true;
      send(message);
    }
    return exitProcess(0);
  };
  return {
    send,
    sendRaw: writeFrame,
    complete: () => end({ type: "cell/done", ok: true }),
    fail: (error) => end({ type: "cell/done", ok: false, error: errorText(error, mode) }),
  };
}

/** Runs a throwaway cell so the real one finds the whole path compiled; its frames are ignored by the host. */
function warmUp(): void {
  const port: Port = {
    send,
    sendRaw: writeFrame,
    complete: () => {
      throw new Error("codecell: the warm-up cell does not end early");
    },
    fail: (error) => {
      throw error;
    },
  };
  enterCell(new CellState(port));
  PromisePrototypeThen(
    evaluateCell('text("")', "function"),
    () => send({ type: "sandbox/warm" }),
    (error) => send({ type: "cell/done", ok: false, error: errorText(error, "function") }),
  );
}

function startCell(message: Extract<HostToSandbox, { type: "cell/start" }>): void {
  const port = cellPort(message.mode);
  const state = new CellState(port);
  const keys = ObjectKeys(message.stored);
  for (let i = 0; i < keys.length; i++) MapPrototypeSet(state.stored, keys[i], message.stored[keys[i]]);
  enterCell(state);
  let run: Promise<unknown>;
  try {
    run = evaluateCell(message.source, message.mode);
  } catch (error) {
    return port.fail(error);
  }
  // The captured `then`: the cell may have replaced `Promise.prototype.then` by the time it settles.
  PromisePrototypeThen(run, () => port.complete(), (error) => port.fail(error));
}

function onFrame(json: string): void {
  const message = JSONParse(json) as HostToSandbox;
  switch (message.type) {
    case "session/setup":
      installTools(message.tools);
      lockDown(message.console);
      return;
    case "cell/warmup":
      return warmUp();
    case "cell/start":
      return startCell(message);
    case "tool/result":
      return settleToolCall(message.callId, message.ok ? { ok: true, value: message.value } : message);
  }
}

send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
// Stdin closing means the host is gone or done with this sandbox: never outlive it.
await readFrames(onFrame);
exitProcess(0);
