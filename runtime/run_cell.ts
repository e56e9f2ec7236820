/**
 * Evaluates prepared cell source. Function mode (no static imports, the common case) compiles the source as the
 * body of a strict async function: ~20× cheaper than loading a module. Module mode imports it as a `data:` module,
 * resolving `codecell/helpers` and `codecell/tools` through the runtime's import map.
 *
 * @module
 */
import type { CellMode } from "../ts/contract/wire.ts";
import { IMPORT_GUARD_NAME, INTERNAL_SPECIFIER } from "../ts/contract/cell_source.ts";
import { guardedImport } from "../ext/imports.ts";

const AsyncFunction = (async () => {}).constructor as new (...params: string[]) => (...args: unknown[]) => Promise<void>;
const encodeURI = encodeURIComponent;

/** Starts the cell; the promise settles when its top-level code does. */
export function evaluateCell(source: string, mode: CellMode): Promise<unknown> {
  if (mode === "function") {
    // Keep `"use strict"` on a line of its own: stack lines are mapped back by a fixed line offset.
    const body = new AsyncFunction(IMPORT_GUARD_NAME, `"use strict";\n${source}`);
    return body(guardedImport);
  }
  // Appended after the last line, so no position moves; static imports are hoisted, so the guard exists from the start.
  const module = `${source}\n;import { guardedImport as ${IMPORT_GUARD_NAME} } from "${INTERNAL_SPECIFIER}";\n`;
  return import(`data:application/javascript,${encodeURI(module)}`);
}
