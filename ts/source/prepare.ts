/**
 * Turns a cell's TypeScript/JavaScript source into the script a sandbox compiles (see `ts/contract/cell_source.ts`),
 * on the host, before any sandbox is used.
 *
 * - Types are stripped with `@swc/wasm-typescript` (the stripper inside Node's own type stripping, which runs on
 *   every Node codecell supports), which keeps every position; `enum` and other syntax that needs code generation
 *   falls back to its transform mode. It parses with module grammar, so a syntax error or a top-level `return` is
 *   reported here with its position.
 * - es-module-lexer finds imports and exports. A static import of anything but `codecell/helpers`/`codecell/tools`
 *   fails the cell; the helper imports become `const` bindings on the wrapper's first line, taken from the module
 *   objects the sandbox passes in, and their statements turn into spaces. So the sandbox loads no module per cell.
 *   `export` keywords are blanked (a cell has no importer). Each dynamic `import(` and `import.meta` gets the guard
 *   name of the same length in place of `import`.
 *
 * @module
 */
import { type Options as SwcOptions, transformSync } from "@swc/wasm-typescript";
import { MAX_SOURCE_NESTING, tooDeeplyNested } from "./nesting.ts";
import { init as initLexer, parse as lexModule } from "es-module-lexer";
import {
  ALLOWED_IMPORTS,
  CELL_FILE_NAME,
  cellScript,
  HELPERS_SPECIFIER,
  IMPORT_GUARD_NAME,
  MODULES_NAME,
} from "../contract/cell_source.ts";
import { helperNames } from "../contract/helpers.ts";
import {
  cellSyntaxError,
  importNotExported,
  sourceNestedTooDeep,
  sourceUnreadable,
  staticImportError,
} from "../contract/messages.ts";

/** A cell ready to send to a sandbox (the script to compile), or the error text that fails it before it runs. */
export type PreparedCell = { ok: true; script: string } | { ok: false; error: string };

const lexerReady = initLexer;

/** Loads the stripper and the lexer (the stripper's first call costs ~15 ms); call early, off the hot path. */
export async function warmSourceTools(): Promise<void> {
  await lexerReady;
  stripTypes("const warm: number = 1;");
}

/** The stripper's error for code it cannot handle: a syntax error, or syntax strip-only mode does not support. */
interface StripError {
  code?: string;
  message?: string;
  startLine?: number;
  startColumn?: number;
}

function isStripError(error: unknown): error is StripError {
  return typeof error === "object" && error !== null && "code" in error;
}

/**
 * Transform mode as Node's own type stripping sets it: imports kept as written, class fields as in JavaScript, and
 * no `export {}` added to a file that exports nothing.
 */
const TRANSFORM: SwcOptions = {
  mode: "transform",
  transform: { verbatimModuleSyntax: true, nativeClassProperties: true, noEmptyExport: true },
};

/** Strips types; throws the stripper's error for invalid syntax. */
function stripTypes(source: string): string {
  try {
    return transformSync(source, { mode: "strip-only" }).code;
  } catch (error) {
    // Enums, namespaces with values, parameter properties: syntax that needs code, not just erasure.
    if (isStripError(error) && error.code === "UnsupportedSyntax") {
      return transformSync(source, TRANSFORM).code;
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
  const deep = tooDeeplyNested(source);
  if (deep !== undefined) {
    return { ok: false, error: cellSyntaxError(sourceNestedTooDeep(MAX_SOURCE_NESTING), deep.line, deep.column, "") };
  }
  let code: string;
  try {
    code = stripTypes(source);
  } catch (error) {
    if (!isStripError(error)) return { ok: false, error: cellSyntaxError(sourceUnreadable(String(error)), 1, 1, "") };
    const line = error.startLine ?? 1;
    return {
      ok: false,
      error: cellSyntaxError(error.message ?? "invalid syntax", line, (error.startColumn ?? 0) + 1, ""),
    };
  }
  // Cheap test first: most cells mention neither keyword and need no lexing.
  if (!code.includes("import") && !code.includes("export")) return { ok: true, script: cellScript(code, "") };
  await lexerReady;
  const [imports, exports] = lexModule(code, CELL_FILE_NAME);
  const edits = new Edits(code);
  const bindings: string[] = [];
  for (const entry of imports) {
    if (entry.d === -1) {
      // A static import, or a re-export (`export ... from`): either way it gives the cell nothing but bindings.
      const specifier = entry.n ?? code.slice(entry.s, entry.e);
      const { line, column } = positionOf(code, entry.ss);
      if (!ALLOWED_IMPORTS.includes(specifier)) return { ok: false, error: staticImportError(specifier, line, column) };
      const statement = code.slice(entry.ss, entry.se);
      if (statement.startsWith("import")) {
        const clause = importBindings(statement.slice("import".length, statement.lastIndexOf("from")), specifier);
        if (!clause.ok) return { ok: false, error: importNotExported(specifier, clause.error, line, column) };
        bindings.push(...clause.declarations);
      }
      edits.blank(entry.ss, entry.se);
    } else if (code.startsWith("import", entry.ss)) {
      edits.replace(entry.ss, IMPORT_GUARD_NAME); // `import(...)` or `import.meta`
    }
  }
  for (const entry of exports) blankExportKeyword(code, entry.s, edits);
  return { ok: true, script: cellScript(edits.apply(), bindings.join("")) };
}

// ---------------------------------------------------------------------------------------------------------------
// Static imports of the helper modules

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `const` declarations for an import clause (`{ a, b as c }`, `* as ns`, `{}`; nothing for a bare import), from
 * the module objects the sandbox passes in; or the name the module does not export.
 */
function importBindings(
  clause: string,
  specifier: string,
): { ok: true; declarations: string[] } | { ok: false; error: string } {
  const module = `${MODULES_NAME}[${JSON.stringify(specifier)}]`;
  const exported = helperNames(specifier === HELPERS_SPECIFIER ? "helpers" : "tools");
  const text = clause.trim();
  if (text === "") return { ok: true, declarations: [] };
  const namespace = /^\*\s*as\s+([A-Za-z_$][\w$]*)$/.exec(text);
  if (namespace !== null) return { ok: true, declarations: [` const ${namespace[1]} = ${module};`] };
  const named = /^\{([\s\S]*)\}$/.exec(text);
  // A default import (`import x from ...`): the helper modules have no default export.
  if (named === null) return { ok: false, error: "default" };
  const pairs: string[] = [];
  for (const part of named[1].split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const [name, alias = name] = item.split(/\s+as\s+/).map((word) => word.trim());
    if (!exported.includes(name)) return { ok: false, error: name };
    if (!IDENTIFIER.test(alias)) return { ok: false, error: item };
    pairs.push(name === alias ? name : `${name}: ${alias}`);
  }
  return { ok: true, declarations: pairs.length === 0 ? [] : [` const { ${pairs.join(", ")} } = ${module};`] };
}

// ---------------------------------------------------------------------------------------------------------------
// Exports

/** Blanks the `export` keyword before an exported name (and `default`, or a whole `export { ... }` list). */
function blankExportKeyword(code: string, nameStart: number, edits: Edits): void {
  const keyword = code.lastIndexOf("export", nameStart);
  if (keyword === -1 || edits.touched(keyword)) return;
  const rest = code.slice(keyword + "export".length);
  const after = keyword + "export".length + (rest.length - rest.trimStart().length);
  if (code.startsWith("default", after)) return edits.blank(keyword, after + "default".length);
  if (code[after] === "{") {
    const close = code.indexOf("}", after);
    const end = code[close + 1] === ";" ? close + 2 : close + 1;
    return edits.blank(keyword, end);
  }
  edits.blank(keyword, keyword + "export".length);
}

/** Same-length replacements of a source text, applied in one pass (positions refer to the original). */
class Edits {
  readonly #code: string;
  readonly #edits: { start: number; end: number; text: string }[] = [];

  constructor(code: string) {
    this.#code = code;
  }

  /** Spaces in place of `[start, end)`, keeping its line breaks. */
  blank(start: number, end: number): void {
    this.#edits.push({ start, end, text: this.#code.slice(start, end).replace(/[^\r\n]/g, " ") });
  }

  /** `text` (of the same length) in place of the characters at `start`. */
  replace(start: number, text: string): void {
    this.#edits.push({ start, end: start + text.length, text });
  }

  /** Whether an edit already covers `index`. */
  touched(index: number): boolean {
    return this.#edits.some((edit) => edit.start <= index && index < edit.end);
  }

  apply(): string {
    let out = "";
    let at = 0;
    for (const edit of [...this.#edits].sort((a, b) => a.start - b.start)) {
      if (edit.start < at) continue; // inside a statement blanked already
      out += this.#code.slice(at, edit.start) + edit.text;
      at = edit.end;
    }
    return out + this.#code.slice(at);
  }
}
