/**
 * Conventions for prepared cell source, shared by the host (which prepares it) and the sandbox (which runs it).
 *
 * A cell runs as the body of a strict async function, compiled in a fresh context of the sandbox: the host wraps
 * the cell's (type-stripped) source in {@linkcode cellScript}, turning its static imports of the helper modules
 * into bindings on the wrapper's first line, so every line and column of the cell stays where it was.
 *
 * Import-free: the sandbox loads it.
 *
 * @module
 */

/** Specifiers a cell may import; everything else fails with `Unsupported import in exec: <specifier>`. */
export const HELPERS_SPECIFIER = "codecell/helpers";
/** The module of `tools` and `ALL_TOOLS`. */
export const TOOLS_SPECIFIER = "codecell/tools";
/** Both importable specifiers. */
export const ALLOWED_IMPORTS: readonly string[] = [HELPERS_SPECIFIER, TOOLS_SPECIFIER];

/**
 * The identifier the host puts in place of each `import` keyword of a dynamic `import(...)` or `import.meta`.
 * U+0131 (dotless i) keeps the length, so positions stay put; nobody types it by accident.
 */
export const IMPORT_GUARD_NAME = "\u0131mport";

/** The wrapper's second parameter: the helper modules' exports, by specifier, for the rewritten static imports. */
export const MODULES_NAME = "\u0131mports";

/** The file name cell positions are reported under in stack traces and diagnostics. */
export const CELL_FILE_NAME = "cell.ts";

/**
 * The script a sandbox compiles for a cell: a strict async function of the import guard and the helper modules,
 * whose first line also holds `bindings` (declarations the host made from the cell's static imports, one line).
 * The cell starts on line 2, so the sandbox compiles it with a line offset of -1.
 */
export function cellScript(source: string, bindings: string): string {
  return `(async function (${IMPORT_GUARD_NAME}, ${MODULES_NAME}) {"use strict";${bindings}\n${source}\n})`;
}

/** The line offset that makes the cell's first line read as line 1 of `cell.ts`. */
export const CELL_LINE_OFFSET = -1;
