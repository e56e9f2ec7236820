/**
 * Turns a cell's TypeScript/JavaScript source into what a sandbox runs, on the host, before any sandbox is used.
 *
 * - Types are stripped with amaro (Node's own swc-based stripper), which keeps every position; `enum` and other
 *   syntax that needs code generation falls back to amaro's transform mode. amaro parses with module grammar, so
 *   a syntax error or a top-level `return` is reported here with its position.
 * - es-module-lexer finds imports: a static import of anything but `codecell/helpers`/`codecell/tools` fails the
 *   cell; cells with static imports, exports or `import.meta` run as modules, all others as a strict async function
 *   body (much cheaper); every dynamic `import(` is renamed to the sandbox's import guard (same length).
 *
 * @module
 */
import amaro from "amaro";
import { init as initLexer, parse as lexModule } from "es-module-lexer";
import type { CellMode } from "../contract/wire.ts";
import { ALLOWED_IMPORTS, CELL_FILE_NAME, IMPORT_GUARD_NAME } from "../contract/cell_source.ts";
import { cellSyntaxError, staticImportError } from "../contract/messages.ts";

/** A cell ready to send to a sandbox, or the error text that fails it before it runs. */
export type PreparedCell = { ok: true; source: string; mode: CellMode } | { ok: false; error: string };

const lexerReady = initLexer;

/** Loads the stripper and the lexer (amaro's first call costs ~15 ms); call early, off the hot path. */
export async function warmSourceTools(): Promise<void> {
  await lexerReady;
  stripTypes("const warm: number = 1;");
}

interface AmaroError {
  code?: string;
  message?: string;
  snippet?: string;
  startLine?: number;
  startColumn?: number;
}

function isAmaroError(error: unknown): error is AmaroError {
  return typeof error === "object" && error !== null && "code" in error;
}

/** Strips types; throws amaro's error for invalid syntax. */
function stripTypes(source: string): string {
  try {
    return amaro.transformSync(source, { mode: "strip-only" }).code;
  } catch (error) {
    // Enums, namespaces with values, parameter properties: syntax that needs code, not just erasure.
    if (isAmaroError(error) && error.code === "UnsupportedSyntax") {
      return amaro.transformSync(source, { mode: "transform" }).code;
    }
    throw error;
  }
}

/** 1-based line and column of a string index. */
function positionOf(source: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i !== -1 && i < index; i = source.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/** Prepares a cell's source for the sandbox. */
export async function prepareCell(source: string): Promise<PreparedCell> {
  let code: string;
  try {
    code = stripTypes(source);
  } catch (error) {
    if (!isAmaroError(error)) throw error;
    return {
      ok: false,
      error: cellSyntaxError(error.message ?? "invalid syntax", error.startLine ?? 1, (error.startColumn ?? 0) + 1, ""),
    };
  }
  // Cheap test first: most cells mention neither keyword and need no lexing.
  if (!code.includes("import") && !code.includes("export")) return { ok: true, source: code, mode: "function" };
  await lexerReady;
  const [imports, exports] = lexModule(code, CELL_FILE_NAME);
  let mode: CellMode = exports.length > 0 ? "module" : "function";
  let rewritten = code;
  for (const entry of imports) {
    if (entry.d === -1) {
      // Static import or re-export.
      const specifier = entry.n ?? code.slice(entry.s, entry.e);
      if (!ALLOWED_IMPORTS.includes(specifier)) {
        const { line, column } = positionOf(code, entry.ss);
        return { ok: false, error: staticImportError(specifier, line, column) };
      }
      mode = "module";
    } else if (entry.d === -2) {
      mode = "module"; // import.meta only exists in modules
    } else if (code.startsWith("import", entry.ss)) {
      rewritten = rewritten.slice(0, entry.ss) + IMPORT_GUARD_NAME + rewritten.slice(entry.ss + 6);
    }
  }
  return { ok: true, source: rewritten, mode };
}
