/**
 * The stack lines of a failed cell, as the model reads them (docs/contract.md §2): the cell's own frames
 * (`at cell.ts:3:7`, `at inner (cell.ts:2:26)`) and built-ins (`at Array.map (<anonymous>)`) stay; frames of the
 * helper kernel and of the runtime go. The cell is compiled as `cell.ts` with its first line as line 1, so its
 * positions need no arithmetic.
 *
 * @module
 */
import { KERNEL_FILE_NAME } from "../ext/bridge.ts";

const FRAME = /^\s+at (?:.*? \()?(.*?)(?::\d+:\d+)?\)?$/;

/** Whether a stack line is a frame of codecell itself (the kernel, the runtime bundle, Deno's node:vm). */
function isRuntimeFrame(line: string): boolean {
  const location = FRAME.exec(line)?.[1];
  if (location === undefined) return false;
  return location === KERNEL_FILE_NAME || location.startsWith("file://") || location.startsWith("node:") ||
    location.startsWith("ext:");
}

/** The error text with codecell's own frames removed. */
export function mapStack(text: string): string {
  return text.split("\n").filter((line) => !isRuntimeFrame(line)).join("\n");
}
