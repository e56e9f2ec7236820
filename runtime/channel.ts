/**
 * The sandbox end of the ops channel: frames out on stdout, frames in from stdin (see `ts/protocol/codec.ts`).
 * Deno's stdio handles are captured here at boot; the lock-down deletes `Deno` before any cell runs.
 *
 * @module
 */
import { MAX_FRAME_BYTES } from "../ts/protocol/codec.ts";
import {
  TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray,
  Uint8ArrayCtor,
  utf8Decode,
  utf8Encode,
} from "../ext/intrinsics.ts";

const stdout = Deno.stdout;
const stdin = Deno.stdin;
const writeSync = stdout.writeSync.bind(stdout);
const read = stdin.read.bind(stdin);
/** Ends the process; captured because the lock-down removes `Deno`. */
export const exitProcess: (code: number) => never = Deno.exit;

/** Writes one frame (JSON text, no newline) completely: `writeSync` may write part of a buffer. */
export function writeFrame(json: string): void {
  const bytes = utf8Encode(json + "\n");
  for (let at = 0; at < bytes.length;) at += writeSync(TypedArrayPrototypeSubarray(bytes, at));
}

/**
 * Reads frames from stdin until it closes, calling `onFrame` with each frame's text. The pending read is also
 * what keeps the sandbox's event loop alive while a cell awaits something that never settles.
 */
export async function readFrames(onFrame: (json: string) => void): Promise<void> {
  const chunk = new Uint8ArrayCtor(64 * 1024);
  let pending = new Uint8ArrayCtor(0);
  while (true) {
    const n = await read(chunk);
    if (n === null) return;
    let data = TypedArrayPrototypeSubarray(chunk, 0, n);
    if (pending.length > 0) {
      const joined = new Uint8ArrayCtor(pending.length + n);
      TypedArrayPrototypeSet(joined, pending, 0);
      TypedArrayPrototypeSet(joined, data, pending.length);
      data = joined;
    }
    let start = 0;
    for (let nl = TypedArrayPrototypeIndexOf(data, 0x0a); nl !== -1; nl = TypedArrayPrototypeIndexOf(data, 0x0a, start)) {
      onFrame(utf8Decode(TypedArrayPrototypeSubarray(data, start, nl)));
      start = nl + 1;
    }
    if (data.length - start > MAX_FRAME_BYTES) throw new Error("codecell: host frame exceeds MAX_FRAME_BYTES");
    // Copy the unfinished tail: `chunk` is reused by the next read.
    pending = new Uint8ArrayCtor(TypedArrayPrototypeSubarray(data, start));
  }
}
