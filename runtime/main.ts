/**
 * The sandbox executable: `deno run` with no permissions on the bundle of this module (see
 * `ts/transport/sandbox_process.ts` for the flags and `ts/transport/runtime_bundle.ts` for the bundle).
 *
 * It boots, locks its own realm down and says hello; optionally runs warm-up cells; then, bound to one session,
 * serves that session's cells one after another, each in a fresh context (`./cell_context.ts`): `cell/started`,
 * the cell's traffic, `cell/done`; then, once the cell's leftover work has drained (a macrotask runs only after
 * every microtask), `sandbox/ready`. A cell that leaves work spinning never lets that happen, and the host
 * discards the sandbox. It exits when stdin ends.
 *
 * @module
 */
import type { SandboxToHost } from "../ts/contract/wire.ts";
import { EXIT_PERMISSIONS_GRANTED, PROTOCOL_VERSION } from "../ts/contract/codec.ts";
import { cellScript } from "../ts/contract/cell_source.ts";
import { capture, lockDown } from "./outer.ts";
import { decodeHostFrame, FrameReader, type HostFrame, writeFrame } from "./channel.ts";
import { CellContext, SessionState } from "./cell_context.ts";

/** Heap in use above which the sandbox collects garbage while idle (dead contexts pile up until V8 collects). */
const GC_THRESHOLD_BYTES = 48 << 20;

const io = capture();
if (io.granted.length > 0) {
  // Defense in depth: a sandbox started with any permission (docs/architecture.md "Defense in depth") never runs a cell.
  io.writeError(`codecell sandbox refuses to run with permissions granted: ${io.granted.join(", ")}`);
  io.exit(EXIT_PERMISSIONS_GRANTED);
}
// An unhandled rejection would end Deno; in a cell, an un-awaited rejected promise is not fatal.
io.addEventListener("unhandledrejection", (event) => event.preventDefault());
const reader = new FrameReader(io);
lockDown();

const send = (message: SandboxToHost) => writeFrame(io, JSON.stringify(message));
const session = new SessionState();
/** The context for the next cell, prepared while the sandbox was idle. */
let next: CellContext | undefined;

/** The next frame from the host, blocking; stdin closing means the host is done with this sandbox. */
async function nextFrame(): Promise<HostFrame> {
  const text = await reader.nextIdle();
  if (text === null) return io.exit(0);
  return decodeHostFrame(text);
}

/**
 * Waits for `done` while keeping a stdin read in flight: the pending read is what keeps Deno's event loop alive
 * (a timed wait alone does not), and it brings the host's frames, which `onFrame` gets as they arrive (without
 * `onFrame` they stay queued for the main loop).
 */
async function pumpUntil(done: Promise<unknown>, onFrame?: (frame: HostFrame) => void): Promise<void> {
  let finished = false;
  const over = done.then(() => (finished = true));
  while (!finished) {
    while (onFrame !== undefined && reader.hasFrame && !finished) onFrame(decodeHostFrame(reader.take()));
    if (finished) break;
    if (reader.ended) io.exit(0); // the host is gone (or done with this sandbox)
    await Promise.race([over, reader.fill()]);
  }
}

/** Runs a cell to its end (its `cell/done` is sent by the context), answering its tool calls meanwhile. */
async function runCell(script: string, emit: (message: SandboxToHost) => void): Promise<void> {
  const context = next ?? new CellContext(io, session);
  next = undefined;
  await pumpUntil(context.run(script, emit), (frame) => {
    if (frame.type !== "tool/result") io.exit(3); // the host broke the protocol: nothing sane is left to do
    else context.settle(frame.callId, frame.ok, frame.ok ? frame.valueJson : frame.error);
  });
}

/**
 * After a cell: waits until its leftover work has drained (a macrotask runs only once the microtask queue is
 * empty), collects garbage when the heap has grown, prepares the next context, and says so. Frames that arrive
 * meanwhile wait in the reader.
 */
async function settle(): Promise<void> {
  await pumpUntil(io.macrotask());
  if (io.gc !== undefined && io.heapUsed() > GC_THRESHOLD_BYTES) io.gc();
  next = new CellContext(io, session);
  send({ type: "sandbox/ready", heapBytes: io.heapUsed() });
}

/** Throwaway cells through the whole cell path, so the first real cell finds it compiled; output is dropped. */
async function warmUp(): Promise<void> {
  const drop = (message: SandboxToHost) => void JSON.stringify(message);
  await runCell(cellScript('text(""); await null;', ""), drop);
  await runCell(cellScript('const { text: t } = \u0131mports["codecell/helpers"]; t("");', ""), drop);
  next = new CellContext(io, session);
}

/** Serves the session: frames in, cells run, until stdin ends. */
async function serve(): Promise<never> {
  send({ type: "sandbox/hello", protocol: PROTOCOL_VERSION });
  while (true) {
    const frame = await nextFrame();
    switch (frame.type) {
      case "session/setup":
        session.setupJson = frame.json;
        session.limits = frame.limits;
        next = new CellContext(io, session);
        break;
      case "cell/warmup":
        await warmUp();
        send({ type: "sandbox/warm" });
        break;
      case "store/put":
        session.put(frame.key, frame.valueJson);
        break;
      case "cell/start":
        send({ type: "cell/started" });
        await runCell(frame.script, send);
        await settle();
        break;
      case "tool/result":
        break; // for a cell that is over: nobody waits for it
    }
  }
}

// The unhandled-rejection listener would swallow the runtime's own failure too: report it, and exit non-zero.
serve().catch((error) => {
  io.writeError(`codecell sandbox runtime failed: ${error instanceof Error ? error.stack : String(error)}`);
  io.exit(70);
});
