/**
 * Defaults and limits: the one definition of every default the model or the host can observe
 * (docs/contract.md §1, §6). The tool descriptions, the argument parsers and the session all read them from here.
 *
 * Import-free: the sandbox may load it.
 *
 * @module
 */

/** Limits that apply to one cell. */
export interface CellLimits {
  /** V8 heap limit of the cell's sandbox, in MiB; exceeding it fails the cell with `memory_limit`. */
  heapMiB: number;
  /** Longest a cell may run, in milliseconds; past it the cell is stopped with `timeout`. */
  lifetimeMs: number;
  /** Most output, in bytes, a cell may buffer before it is delivered; past it the cell stops with `output_limit`. */
  outputBytes: number;
  /** Most tool calls a cell may have pending at once; a call beyond it rejects inside the cell. */
  maxToolCallsInFlight: number;
  /** Most notifications a cell may send; later ones are dropped, and the host is told once how many. */
  maxNotifications: number;
}

/** Per-session limits; every one is configurable and every failure names the limit it hit. */
export interface SessionLimits extends CellLimits {
  /** Live cells per session (running, or finished but not yet delivered). */
  maxCells: number;
  /** Largest stored value, in bytes of JSON; `store()` refuses a larger one. */
  storedValueBytes: number;
  /** Most bytes of JSON all of a session's stored values may take; `store()` refuses a write past it. */
  storedBytes: number;
}

/** Defaults of {@linkcode SessionLimits}. */
export const DEFAULT_LIMITS: Readonly<SessionLimits> = Object.freeze({
  heapMiB: 512,
  lifetimeMs: 15 * 60_000,
  outputBytes: 16 << 20,
  maxCells: 128,
  maxToolCallsInFlight: 64,
  maxNotifications: 1000,
  storedValueBytes: 16 << 20,
  storedBytes: 64 << 20,
});

/** Longest `notify()` text, in UTF-16 code units: notifications are progress lines, not output. */
export const MAX_NOTIFY_CHARS = 16_384;

/** What each buffered output item counts against `outputBytes` on top of its own bytes. */
export const OUTPUT_ITEM_OVERHEAD_BYTES = 64;

/** The longest delay a timer can hold (setTimeout's own limit); longer waits are clamped to it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Deepest nesting of a tool call's arguments the host accepts; a deeper call rejects inside the cell. */
export const MAX_ARGUMENT_DEPTH = 256;

/** Default yield time of `exec` and of `wait`, in milliseconds. */
export const DEFAULT_YIELD_TIME_MS = 10_000;

/** Default output budget of `exec` (`max_output_tokens`) and of `wait` (`max_tokens`), in tokens. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 10_000;

/** Yield times of at least {@linkcode YIELD_GRACE_FROM_MS} get this much extra (a tool call just past the deadline). */
export const YIELD_GRACE_MS = 1000;

/** The shortest yield time that gets {@linkcode YIELD_GRACE_MS} of grace; shorter yields are exact. */
export const YIELD_GRACE_FROM_MS = 10_000;

/** Warm sandboxes a session keeps ready by default. */
export const DEFAULT_POOL_SIZE = 2;

/** Bytes per token of the output budget's estimate: `ceil(utf8_bytes / 4)`. */
export const BYTES_PER_TOKEN = 4;

/** Number of bytes `text` takes in UTF-8 (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
export function utf8ByteLength(text: string): number {
  // Counting code units avoids allocating an encoded copy of outputs that can be many MiB.
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (isHighSurrogate(unit) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Token estimate used for every budget: `ceil(utf8_bytes / 4)`. */
export function estimateTokens(text: string): number {
  return Math.ceil(utf8ByteLength(text) / BYTES_PER_TOKEN);
}

/** Whether a UTF-16 code unit is the first half of a surrogate pair. */
export function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** Whether a UTF-16 code unit is the second half of a surrogate pair. */
export function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
