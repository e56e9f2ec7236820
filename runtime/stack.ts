/**
 * The error text of a failed cell (docs/contract.md §2): the thrown value's `stack` if it is a string, else `String(value)`.
 * Stack frames are mapped back to the cell's own lines (`cell.ts:L:C`) and the runtime's own frames are dropped,
 * so the model sees its code, not codecell's paths.
 *
 * @module
 */
import type { CellMode } from "../ts/contract/wire.ts";
import { CELL_FILE_NAME } from "../ts/contract/cell_source.ts";
import { UNPRINTABLE_ERROR } from "../ts/contract/messages.ts";
import {
  ArrayPrototypeJoin,
  NumberCtor,
  RegExpPrototypeExec,
  StringCtor,
  StringPrototypeIndexOf,
  StringPrototypeSplit,
} from "../ext/intrinsics.ts";

/** Lines the function wrapper puts before the cell: `(async function anonymous(ımport`, `) {`, `"use strict";`. */
export const FUNCTION_PREFIX_LINES = 3;

const FRAME = /^(\s+at )(?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;
const FUNCTION_CELL_LOCATION = /^eval at .*, <anonymous>$/;
const MODULE_CELL_LOCATION = /^data:/;

/** Rewrites one stack line; `undefined` drops it (a frame inside codecell's runtime). */
function mapFrame(line: string, mode: CellMode): string | undefined {
  const frame = RegExpPrototypeExec(FRAME, line);
  if (frame === null) return line;
  // Index access, not destructuring: a cell may have replaced the array iterator.
  const at = frame[1], name: string | undefined = frame[2], location = frame[3], lineText = frame[4], column = frame[5];
  const inCell = mode === "function"
    ? RegExpPrototypeExec(FUNCTION_CELL_LOCATION, location) !== null
    : RegExpPrototypeExec(MODULE_CELL_LOCATION, location) !== null;
  if (inCell) {
    const cellLine = NumberCtor(lineText) - (mode === "function" ? FUNCTION_PREFIX_LINES : 0);
    const position = `${CELL_FILE_NAME}:${cellLine}:${column}`;
    const topLevel = name === undefined || name === "eval" || name === "async eval";
    return topLevel ? `${at}${position}` : `${at}${name} (${position})`;
  }
  if (StringPrototypeIndexOf(location, "file://") !== -1 || StringPrototypeIndexOf(location, "ext:") !== -1) {
    return undefined;
  }
  return line;
}

/** Maps a V8 stack text of an error thrown while the cell ran. */
export function mapStack(stack: string, mode: CellMode): string {
  const out: string[] = [];
  const lines = StringPrototypeSplit(stack, "\n");
  for (let i = 0; i < lines.length; i++) {
    const mapped = mapFrame(lines[i], mode);
    if (mapped !== undefined) out[out.length] = mapped;
  }
  return ArrayPrototypeJoin(out, "\n");
}

/** The contract's error text for a thrown value; never throws, whatever the value's getters do. */
export function errorText(error: unknown, mode: CellMode): string {
  try {
    const stack = typeof error === "object" && error !== null ? (error as { stack?: unknown }).stack : undefined;
    if (typeof stack === "string") return mapStack(stack, mode);
    return StringCtor(error);
  } catch {
    return UNPRINTABLE_ERROR;
  }
}
