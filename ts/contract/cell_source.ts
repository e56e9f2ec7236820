/**
 * Conventions for prepared cell source, shared by the host (which prepares it) and the sandbox (which runs it).
 * Dependency-free: the sandbox loads it.
 *
 * @module
 */

/** Specifiers a cell may import; everything else fails with `Unsupported import in exec: <specifier>`. */
export const HELPERS_SPECIFIER = "codecell/helpers";
export const TOOLS_SPECIFIER = "codecell/tools";
export const ALLOWED_IMPORTS: readonly string[] = [HELPERS_SPECIFIER, TOOLS_SPECIFIER];

/** Module-mode cells import the dynamic-import guard from here (a line the host appends after the cell). */
export const INTERNAL_SPECIFIER = "codecell/internal";

/**
 * The identifier the host puts in place of each dynamic `import` keyword. U+0131 (dotless i) keeps the length, so
 * every line and column of the cell stays where it was; nobody types it by accident.
 */
export const IMPORT_GUARD_NAME = "\u0131mport";

/** The file name cell positions are reported under in stack traces and diagnostics. */
export const CELL_FILE_NAME = "cell.ts";
