/**
 * Framing of the ops channel: one JSON text per line (newline-delimited JSON).
 *
 * `JSON.stringify` escapes every newline inside strings, so a newline byte always ends a frame and nothing a cell
 * prints can forge one. The decoder enforces `MAX_FRAME_BYTES` before it keeps more bytes, so a sandbox that writes
 * junk without newlines costs the host at most that much memory. Free of dependencies: the sandbox loads it too.
 *
 * @module
 */

/** Bumped whenever a message of the ops channel changes shape; host and sandbox compare it in the handshake. */
export const PROTOCOL_VERSION = 2;

/** Every kind of Deno permission: a sandbox or checker holding any of them refuses to run. */
export const DENO_PERMISSION_NAMES = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const;

/** Exit code of a sandbox that found itself started with a permission: it refuses to run anything. */
export const EXIT_PERMISSIONS_GRANTED = 78;

/** Largest frame either side accepts, in bytes, newline excluded. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Raised by {@linkcode FrameDecoder} for a frame over the size cap. */
export class FrameTooLargeError extends Error {
  readonly code = "frame_too_large";
  constructor(readonly bytes: number) {
    super(`frame exceeds ${MAX_FRAME_BYTES} bytes (at least ${bytes} bytes without a newline)`);
    this.name = "FrameTooLargeError";
  }
}

/** Encodes one message as a frame. */
export function encodeFrame(message: unknown): string {
  return JSON.stringify(message) + "\n";
}

/**
 * Encodes a message that carries a JSON value, given as text, with the value as its last field `value`: the
 * sandbox cuts the value's text out of the frame and hands it to the cell unparsed. `valueJson` must be JSON text
 * without a line break (what `JSON.stringify` gives; the host checks stored values for it).
 *
 * @example
 * ```ts
 * encodeFrameWithValue({ type: "store/put", key: "k" }, '{"a":1}'); // '{"type":"store/put","key":"k","value":{"a":1}}\n'
 * ```
 */
export function encodeFrameWithValue(head: Record<string, unknown>, valueJson: string): string {
  return `${JSON.stringify(head).slice(0, -1)},"value":${valueJson}}\n`;
}

/**
 * Splits a byte stream into frame texts. Chunks may cut frames (and UTF-8 characters) anywhere.
 *
 * @example
 * ```ts
 * const d = new FrameDecoder();
 * d.push(new TextEncoder().encode('{"a":1}\n{"b"')); // → ['{"a":1}']
 * ```
 */
export class FrameDecoder {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #utf8 = new TextDecoder("utf-8", { fatal: true });

  /** Bytes held for an unfinished frame. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Feeds a chunk; returns the complete frame texts it finished, in order. Throws on an oversized frame. */
  push(chunk: Uint8Array): string[] {
    const frames: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.#check(this.#pendingBytes + nl - start);
      frames.push(this.#take(chunk.subarray(start, nl)));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.#check(this.#pendingBytes + chunk.length - start);
      // Copy: the caller may reuse its buffer.
      this.#pending.push(chunk.slice(start));
      this.#pendingBytes += chunk.length - start;
    }
    return frames;
  }

  #check(bytes: number): void {
    if (bytes > MAX_FRAME_BYTES) throw new FrameTooLargeError(bytes);
  }

  #take(tail: Uint8Array): string {
    if (this.#pending.length === 0) return this.#utf8.decode(tail);
    const whole = new Uint8Array(this.#pendingBytes + tail.length);
    let at = 0;
    for (const part of this.#pending) {
      whole.set(part, at);
      at += part.length;
    }
    whole.set(tail, at);
    this.#pending = [];
    this.#pendingBytes = 0;
    return this.#utf8.decode(whole);
  }
}
