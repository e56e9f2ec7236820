/**
 * The sandbox end of the ops channel: frames out on stdout, frames in from stdin (see `ts/contract/codec.ts`).
 *
 * Reading is linear in the size of a frame: the contract's `FrameDecoder` keeps the parts of an unfinished frame
 * as they come and joins them once, when its newline arrives. A frame that carries a JSON value
 * (`tool/result`, `store/put`) has it last; its text is cut out and handed on unparsed, so a large tool result
 * is parsed once, inside the cell's context.
 *
 * @module
 */
import { FrameDecoder } from "../ts/contract/codec.ts";
import type { Captured } from "./outer.ts";

/** Writes one frame: a JSON text and its newline. */
export function writeFrame(io: Captured, json: string): void {
  io.write(io.encode(`${json}\n`));
}

/** A frame from the host, decoded as far as the runtime needs. */
export type HostFrame =
  /** `json` is the frame itself: the kernel parses it again inside each context. */
  | { type: "session/setup"; json: string; limits: { storedValueBytes: number; storedBytes: number } }
  | { type: "cell/warmup" }
  | { type: "store/put"; key: string; valueJson: string }
  | { type: "cell/start"; cellId: string; script: string }
  | { type: "tool/result"; callId: string; ok: true; valueJson: string }
  | { type: "tool/result"; callId: string; ok: false; error: string };

const VALUE_FIELD = ',"value":';

/**
 * Decodes a frame of the (trusted) host. A frame with a `value` has it as its last field: the header before it is
 * parsed, the value's text is kept as it is.
 */
export function decodeHostFrame(text: string): HostFrame {
  const valueAt = text.startsWith('{"type":"tool/result"') || text.startsWith('{"type":"store/put"')
    ? text.indexOf(VALUE_FIELD)
    : -1;
  if (valueAt !== -1) {
    const header = JSON.parse(`${text.slice(0, valueAt)}}`);
    const valueJson = text.slice(valueAt + VALUE_FIELD.length, -1);
    return header.type === "store/put"
      ? { type: "store/put", key: header.key, valueJson }
      : { type: "tool/result", callId: header.callId, ok: true, valueJson };
  }
  const message = JSON.parse(text);
  if (message.type === "session/setup") return { type: "session/setup", json: text, limits: message.limits };
  return message;
}

/** Size of a read while no frame is pending, and while a large one is. */
const SMALL_READ = 64 * 1024;
const LARGE_READ = 1024 * 1024;

/**
 * Frames from stdin, read either blocking (while the sandbox has nothing else to do: the cheapest wake-up when the
 * host's next message arrives) or asynchronously (while a cell runs; the pending read also keeps the event loop
 * alive while a cell awaits something that never settles). Construct it before the lock-down: the frame decoder
 * keeps a `TextDecoder`.
 */
export class FrameReader {
  readonly #io: Captured;
  readonly #decoder = new FrameDecoder();
  #frames: string[] = [];
  #ended = false;
  #reading: Promise<void> | undefined;

  constructor(io: Captured) {
    this.#io = io;
  }

  /** Whether stdin has ended (frames may still wait). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether a frame is waiting. */
  get hasFrame(): boolean {
    return this.#frames.length > 0;
  }

  /** The oldest waiting frame (check {@linkcode hasFrame} first). */
  take(): string {
    return this.#frames.shift()!;
  }

  /** The next frame, blocking the whole sandbox until it arrives; `null` when stdin has ended. */
  async nextIdle(): Promise<string | null> {
    while (true) {
      if (this.#frames.length > 0) return this.#frames.shift()!;
      if (this.#ended) return null;
      if (this.#reading !== undefined) {
        await this.#reading; // an asynchronous read is in flight: its bytes come first
        continue;
      }
      const buffer = this.#buffer();
      this.#ingest(buffer, this.#io.readSync(buffer));
    }
  }

  /** Resolves once one more asynchronous read has landed (starting one unless one is in flight). */
  fill(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    if (this.#reading === undefined) {
      const buffer = this.#buffer();
      this.#reading = this.#io.read(buffer).then((n) => {
        this.#reading = undefined;
        this.#ingest(buffer, n);
      });
    }
    return this.#reading;
  }

  /** A fresh buffer per read, larger while a large frame is coming in. */
  #buffer(): Uint8Array {
    return new Uint8Array(this.#decoder.pendingBytes > 0 ? LARGE_READ : SMALL_READ);
  }

  #ingest(buffer: Uint8Array, n: number | null): void {
    if (n === null) {
      this.#ended = true;
      return;
    }
    for (const frame of this.#decoder.push(buffer.subarray(0, n))) this.#frames.push(frame);
  }
}
