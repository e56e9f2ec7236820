/**
 * The cell type checker: a permissionless Deno process (started by `ts/source/checker_process.ts`) that runs the
 * TypeScript compiler over an in-memory file system (docs/contract.md §8, docs/architecture.md "Typed cells").
 *
 * It can read nothing: the host sends TypeScript's lib files once, then each request's cell, declarations and
 * helper modules. Every CompilerHost method answers from memory, only `codecell/helpers` and `codecell/tools`
 * resolve, and `ts.sys`'s file methods throw, so no import, reference or `typeof import(...)` in a cell can make
 * it touch a file. TypeScript is loaded from the path the host gives as the first argument.
 *
 * Protocol, one JSON object per line: → `{"type":"init","libs":[[name, text], ...]}`, ← `{"type":"ready"}`;
 * → `{"type":"check","id":1,"cell":...,"declarations":...,"helpers":...,"tools":...}`,
 * ← `{"type":"result","id":1,"ok":true|false,"diagnostics":...,"recycle":bool,"heapBytes":n}`.
 *
 * @module
 */
import { createRequire } from "node:module";
import process from "node:process";
import { createInterface } from "node:readline";
import type * as TS from "typescript";
import { DENO_PERMISSION_NAMES, EXIT_PERMISSIONS_GRANTED } from "../ts/contract/codec.ts";

// Defense in depth, as in the sandbox: started with any permission, the checker refuses to read a single cell.
const granted = DENO_PERMISSION_NAMES.filter((name) => Deno.permissions.querySync({ name }).state === "granted");
if (granted.length > 0) {
  process.stderr.write(`codecell checker refuses to run with permissions granted: ${granted.join(", ")}\n`);
  process.exit(EXIT_PERMISSIONS_GRANTED);
}

/** Virtual files, at the root of an otherwise empty file system. */
const CELL = "/cell.ts";
const DECLARATIONS = "/session.d.ts";
const HELPERS = "/helpers.ts";
const TOOLS = "/tools.ts";
const LIB_NAME = /^lib\.[a-z0-9.]+\.d\.ts$/;
const MODULES = new Map([["codecell/helpers", HELPERS], ["codecell/tools", TOOLS]]);
/** Diagnostics shown at most, and the longest cell checked. */
const MAX_DIAGNOSTICS = 50;
const MAX_CELL_CHARS = 1_000_000;

// typescript.js reads a few environment variables while it sets `ts.sys` up; a permissionless Deno refuses that.
Object.defineProperty(process, "env", { value: {}, configurable: true, writable: true });
const ts: typeof TS = createRequire(import.meta.url)(process.argv[2] ?? "typescript");
disarmSys();

/** Makes `ts.sys`'s file methods throw: a path that bypasses the CompilerHost fails loudly instead of reading. */
function disarmSys(): void {
  const sys = ts.sys as unknown as Record<string, unknown> | undefined;
  if (sys === undefined) return;
  for (const name of Object.keys(sys)) {
    if (typeof sys[name] === "function") {
      sys[name] = () => {
        throw new Error(`ts.sys.${name} called: the checker touches no file`);
      };
    }
  }
}

/** The options of `deno check` (strict, esnext), with our own module resolution. */
const OPTIONS: TS.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ESNext,
  lib: ["lib.esnext.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  isolatedModules: true,
  noImplicitOverride: true,
  useDefineForClassFields: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  types: [],
  typeRoots: [],
  skipDefaultLibCheck: true,
};

interface CheckRequest {
  cell: string;
  declarations: string;
  helpers: string;
  tools: string;
}

type CheckResult = { ok: true } | { ok: false; diagnostics: string; recycle: boolean };

/** Lib files by virtual path, parsed once and shared by every check. */
const libTexts = new Map<string, string>();
const libFiles = new Map<string, TS.SourceFile>();
/** Declarations and helper modules, parsed once per text (a session's rarely change). */
const fixedFiles = new Map<string, TS.SourceFile>();

function parse(path: string, text: string): TS.SourceFile {
  return ts.createSourceFile(
    path,
    text,
    {
      languageVersion: ts.ScriptTarget.ESNext,
      jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors,
    },
    false,
    ts.ScriptKind.TS,
  );
}

function check(request: CheckRequest): CheckResult {
  if (request.cell.length > MAX_CELL_CHARS) {
    return { ok: false, diagnostics: `error: the cell is longer than ${MAX_CELL_CHARS} characters`, recycle: false };
  }
  // A cell without import/export would be a script; the marker goes after the last line so no position moves.
  const cellText = `${request.cell}\nexport {};\n`;
  const texts = new Map([[CELL, cellText], [DECLARATIONS, request.declarations], [HELPERS, request.helpers], [
    TOOLS,
    request.tools,
  ]]);
  const host: TS.CompilerHost = {
    getSourceFile(fileName) {
      if (fileName === CELL) return parse(CELL, cellText);
      const text = texts.get(fileName);
      if (text !== undefined) {
        const key = `${fileName}\0${text}`;
        let file = fixedFiles.get(key);
        if (file === undefined) {
          if (fixedFiles.size >= 16) fixedFiles.delete(fixedFiles.keys().next().value!);
          fixedFiles.set(key, file = parse(fileName, text));
        }
        return file;
      }
      let lib = libFiles.get(fileName);
      if (lib === undefined) {
        const libText = libTexts.get(fileName);
        if (libText === undefined) return undefined;
        libFiles.set(fileName, lib = parse(fileName, libText));
      }
      return lib;
    },
    getDefaultLibFileName: () => "/lib.esnext.d.ts",
    getDefaultLibLocation: () => "/",
    writeFile: () => {
      throw new Error("the checker writes nothing");
    },
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => texts.has(name) || libTexts.has(name),
    readFile: (name) => texts.get(name) ?? libTexts.get(name),
    directoryExists: (name) => name === "/",
    realpath: (name) => name,
    getDirectories: () => [],
    getEnvironmentVariable: () => undefined,
    // Only the two helper modules resolve: anything else stays unresolved (TS2307), and no file is looked for.
    resolveModuleNameLiterals: (literals) =>
      literals.map((literal) => {
        const target = MODULES.get(literal.text);
        return target === undefined ? { resolvedModule: undefined } : {
          resolvedModule: { resolvedFileName: target, extension: ts.Extension.Ts, isExternalLibraryImport: false },
        };
      }),
    // `/// <reference types="..." />` never resolves (TS2688).
    resolveTypeReferenceDirectiveReferences: (references) =>
      references.map(() => ({ resolvedTypeReferenceDirective: undefined })),
  };
  const program = ts.createProgram({ rootNames: [DECLARATIONS, CELL], options: OPTIONS, host });
  const files = [CELL, DECLARATIONS, HELPERS, TOOLS].flatMap((name) => program.getSourceFile(name) ?? []);
  // Like tsc: syntax errors first; only without them the (otherwise cascading) semantic errors.
  let diagnostics: readonly TS.Diagnostic[] = [
    ...program.getOptionsDiagnostics(),
    ...files.flatMap((file) => program.getSyntacticDiagnostics(file)),
  ];
  if (diagnostics.length === 0) {
    diagnostics = [...program.getGlobalDiagnostics(), ...files.flatMap((file) => program.getSemanticDiagnostics(file))];
  }
  const errors = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return { ok: true };
  return { ok: false, diagnostics: formatDiagnostics(errors), recycle: false };
}

/** A stack overflow inside TypeScript (deeply nested code) is an answer too; the host replaces this process. */
function safeCheck(request: CheckRequest): CheckResult {
  try {
    return check(request);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return {
      ok: false,
      diagnostics: `error: the cell is too deeply nested to type-check (${error.message})`,
      recycle: true,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Deno's diagnostic format (`deno check`), without colors, files as the model sees them.

const MAX_SOURCE_LINE_BYTES = 150;

function displayName(fileName: string): string {
  if (fileName === CELL || fileName === DECLARATIONS || fileName === HELPERS || fileName === TOOLS) {
    return fileName.slice(1);
  }
  const name = fileName.slice(1);
  return LIB_NAME.test(name) ? `asset:///${name}` : fileName;
}

function formatDiagnostics(errors: readonly TS.Diagnostic[]): string {
  let text = errors.slice(0, MAX_DIAGNOSTICS).map(formatDiagnostic).join("\n\n");
  if (errors.length > MAX_DIAGNOSTICS) text += `\n\n(${errors.length - MAX_DIAGNOSTICS} more errors not shown)`;
  if (errors.length > 1) text += `\n\nFound ${errors.length} errors.`;
  return text;
}

function formatDiagnostic(diagnostic: TS.Diagnostic): string {
  let text = formatOne(diagnostic, 0);
  const related = diagnostic.relatedInformation ?? [];
  if (related.length > 0) {
    text += "\n\n";
    // Deno writes related items back to back.
    for (const info of related) text += formatOne(info, 4);
  }
  return text;
}

function formatOne(diagnostic: TS.Diagnostic | TS.DiagnosticRelatedInformation, level: number): string {
  const indent = " ".repeat(level);
  let text = "";
  const category = diagnostic.category === ts.DiagnosticCategory.Error
    ? "ERROR"
    : diagnostic.category === ts.DiagnosticCategory.Warning
    ? "WARN"
    : "";
  if (category !== "") text += `TS${diagnostic.code} [${category}]: `;
  text += typeof diagnostic.messageText === "string"
    ? indent + withoutInstallAdvice(diagnostic.messageText, diagnostic.code)
    : formatChain(diagnostic.messageText, level);
  const file = diagnostic.file;
  if (file !== undefined && diagnostic.start !== undefined && diagnostic.length !== undefined) {
    const start = file.getLineAndCharacterOfPosition(diagnostic.start);
    const end = file.getLineAndCharacterOfPosition(diagnostic.start + diagnostic.length);
    const lineStarts = file.getLineStarts();
    const line = file.text.slice(lineStarts[start.line], lineStarts[start.line + 1]).trimEnd();
    if (line !== "" && new TextEncoder().encode(line).length <= MAX_SOURCE_LINE_BYTES) {
      const length = start.line === end.line ? end.character - start.character : 1;
      const chars = Array.from(line);
      let under = "";
      for (let i = 0; i < start.character; i++) under += chars[i] === "\t" ? "\t" : " ";
      under += (length > 1 ? "~" : "^").repeat(Math.max(0, length));
      text += `\n${indent}${line}\n${indent}${under}`;
    }
    text += `\n${indent}    at ${displayName(file.fileName)}:${start.line + 1}:${start.character + 1}`;
  }
  return text;
}

/** "Cannot find name 'process'." without TypeScript's advice to install type definitions: no help to a cell. */
function withoutInstallAdvice(text: string, code: number): string {
  if ((code >= 2580 && code <= 2582) || (code >= 2591 && code <= 2593)) {
    return text.replace(/^(Cannot find name '[^']*'\.) Do you need to install type definitions for .*$/s, "$1");
  }
  return text;
}

function formatChain(chain: TS.DiagnosticMessageChain, level: number): string {
  let text = " ".repeat(level * 2) + chain.messageText;
  for (const next of chain.next ?? []) text += `\n${formatChain(next, level + 1)}`;
  return text;
}

// ---------------------------------------------------------------------------------------------------------------
// The protocol

const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  const message = JSON.parse(line);
  if (message.type === "init") {
    for (const [name, text] of message.libs as [string, string][]) {
      if (LIB_NAME.test(name)) libTexts.set(`/${name}`, text);
    }
    safeCheck({ cell: "", declarations: "", helpers: "export {};", tools: "export {};" }); // parses and binds the libs
    send({ type: "ready" });
  } else if (message.type === "check") {
    const result = safeCheck(message);
    send({ type: "result", id: message.id, ...result, heapBytes: process.memoryUsage().heapUsed });
  }
});
lines.on("close", () => process.exit(0));
