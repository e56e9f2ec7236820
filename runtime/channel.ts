/**
 * The sandbox end of the ops channel: frames out on stdout, frames in from stdin (see `ts/protocol/codec.ts`).
 * Deno's stdio handles are captured here at boot; the lock-down deletes `Deno` before any cell runs.
 *
 * @module
 */
import { MAX_FRAME_BYTES } from "../ts/contract/codec.ts";
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
const readSync = stdin.readSync.bind(stdin);
/** Ends the process; captured because the lock-down removes `Deno`. */
export const exitProcess: (code: number) => never = Deno.exit;

/** Writes one frame (JSON text, no newline) completely: `writeSync` may write part of a buffer. */
export function writeFrame(json: string): void {
  const bytes = utf8Encode(json + "\n");
  for (let at = 0; at < bytes.length;) at += writeSync(TypedArrayPrototypeSubarray(bytes, at));
}

/**
 * Frames from stdin, read either blocking (while the sandbox has nothing else to do: the cheapest wake-up when the
 * host's `cell/start` arrives) or asynchronously (while a cell runs; the pending read is also what keeps the event
 * loop alive when a cell awaits something that never settles). Bytes past a frame carry over between the two.
 */
export class FrameReader {
  #chunk = new Uint8ArrayCtor(64 * 1024);
  #pending = new Uint8ArrayCtor(0);
  #frames: string[] = [];

  /** The next frame, blocking the whole sandbox until it arrives; `null` when stdin has closed. */
  nextSync(): string | null {
    while (this.#frames.length === 0) {
      const n = readSync(this.#chunk);
      if (n === null) return null;
      this.#take(n);
    }
    return this.#frames.shift()!;
  }

  /** The next frame, read without blocking the event loop; `null` when stdin has closed. */
  async next(): Promise<string | null> {
    while (this.#frames.length === 0) {
      const n = await read(this.#chunk);
      if (n === null) return null;
      this.#take(n);
    }
    return this.#frames.shift()!;
  }

  /** Calls `onFrame` for every frame until stdin closes. */
  async pump(onFrame: (json: string) => void): Promise<void> {
    while (true) {
      while (this.#frames.length > 0) onFrame(this.#frames.shift()!);
      const n = await read(this.#chunk);
      if (n === null) return;
      this.#take(n);
    }
  }

  #take(n: number): void {
    let data = TypedArrayPrototypeSubarray(this.#chunk, 0, n);
    if (this.#pending.length > 0) {
      const joined = new Uint8ArrayCtor(this.#pending.length + n);
      TypedArrayPrototypeSet(joined, this.#pending, 0);
      TypedArrayPrototypeSet(joined, data, this.#pending.length);
      data = joined;
    }
    let start = 0;
    for (let nl = TypedArrayPrototypeIndexOf(data, 0x0a); nl !== -1; nl = TypedArrayPrototypeIndexOf(data, 0x0a, start)) {
      this.#frames[this.#frames.length] = utf8Decode(TypedArrayPrototypeSubarray(data, start, nl));
      start = nl + 1;
    }
    if (data.length - start > MAX_FRAME_BYTES) throw new Error("codecell: host frame exceeds MAX_FRAME_BYTES");
    // Copy the unfinished tail: the chunk buffer is reused by the next read.
    this.#pending = new Uint8ArrayCtor(TypedArrayPrototypeSubarray(data, start));
  }
}
