/**
 * Type-checks a cell with `deno check` against a session's declarations before anything runs (docs/contract.md §8).
 *
 * Each distinct declarations text gets one directory (named by its hash, reused by every check) holding the
 * `.d.ts`, the two helper modules and a `deno.json` that wires them up; each check writes its cell into a fresh
 * subdirectory, removed afterwards, so concurrent checks never share a file. Diagnostics come back with positions
 * as `cell.ts:L:C` (no host paths) and without colors.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import process from "node:process";
import { CELL_FILE_NAME, HELPERS_SPECIFIER, TOOLS_SPECIFIER } from "../contract/cell_source.ts";
import { helperModuleSource, toolsModuleSource } from "../typegen/declarations.ts";
import { denoBinaryPath } from "../transport/deno_binary.ts";

/** The outcome of {@link typecheckCell}: `error` holds the diagnostics the model reads when the cell has type errors. */
export type TypecheckResult = { ok: true } | { ok: false; error: string };

/** Options of {@link typecheckCell}. */
export interface TypecheckOptions {
  /** Stops the check (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** A check slower than this is stopped: `deno check` of one cell takes well under a second once warm. */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * Type-checks `source` as a module cell against `declarations` (a `.d.ts` from `typeDeclarations()`), with
 * `strict` and `lib: ["esnext"]`; `codecell/helpers` and `codecell/tools` resolve to the declared globals.
 * Resolves `{ ok: false, error }` for type and syntax errors; rejects only when the checker itself cannot run
 * (no Deno binary, killed, timed out, aborted).
 *
 * @example
 * ```ts
 * const result = await typecheckCell('await tools.lookup_order({ order_id: 1 });', session.typeDeclarations());
 * if (!result.ok) console.log(result.error); // "TS2322 [ERROR]: ... at cell.ts:1:28"
 * ```
 */
export async function typecheckCell(
  source: string,
  declarations: string,
  options: TypecheckOptions = {},
): Promise<TypecheckResult> {
  const checkDir = await declarationsDir(declarations);
  const cellDir = await mkdtemp(join(checkDir, "cell-"));
  try {
    // A cell without import/export is a script to TypeScript, where top-level await is an error; the marker makes
    // it a module. It goes after the last line, so no position in the cell moves.
    await writeFile(join(cellDir, CELL_FILE_NAME), `${source}\nexport {};\n`);
    const { code, output } = await runDenoCheck(cellDir, join(checkDir, CONFIG_FILE), options.signal);
    if (code === 0) return { ok: true };
    // Deno reports real paths (a temporary directory may be behind a symlink, as on macOS).
    const dirs = [cellDir, await realpath(cellDir), checkDir, await realpath(checkDir)];
    return { ok: false, error: cleanDiagnostics(output, dirs) };
  } finally {
    await rm(cellDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The directory of one declarations text

const CONFIG_FILE = "deno.json";
const DECLARATIONS_FILE = "session.d.ts";
const HELPERS_FILE = "helpers.ts";
const TOOLS_FILE = "tools.ts";

/** The files of a check directory, by name. */
function checkFiles(declarations: string): Record<string, string> {
  const config = {
    compilerOptions: { types: [`./${DECLARATIONS_FILE}`], lib: ["esnext"], strict: true },
    imports: { [HELPERS_SPECIFIER]: `./${HELPERS_FILE}`, [TOOLS_SPECIFIER]: `./${TOOLS_FILE}` },
  };
  return {
    [DECLARATIONS_FILE]: declarations,
    [HELPERS_FILE]: helperModuleSource(),
    [TOOLS_FILE]: toolsModuleSource(),
    [CONFIG_FILE]: `${JSON.stringify(config, null, 2)}\n`,
  };
}

const preparing = new Map<string, Promise<string>>();

/** Creates (once per process, or again if something removed it) the check directory of `declarations`. */
async function declarationsDir(declarations: string): Promise<string> {
  const files = checkFiles(declarations);
  const key = createHash("sha256").update(JSON.stringify(files)).digest("hex").slice(0, 24);
  const dir = join(typecheckRoot(), key);
  let ready = preparing.get(key);
  // The OS may clean its temporary directory under a long-lived process.
  if (ready !== undefined && !existsSync(join(dir, CONFIG_FILE))) ready = undefined;
  if (ready === undefined) {
    ready = writeCheckDir(dir, files);
    preparing.set(key, ready);
    ready.catch(() => preparing.delete(key));
  }
  return await ready;
}

/** Writes each file under a temporary name and renames it, so a concurrent process never reads half a file. */
async function writeCheckDir(dir: string, files: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  // The config goes last: its presence marks a complete directory.
  const names = Object.keys(files).sort((a, b) => Number(a === CONFIG_FILE) - Number(b === CONFIG_FILE));
  for (const name of names) {
    const partial = join(dir, `${name}.${process.pid}.${crypto.randomUUID()}.tmp`);
    await writeFile(partial, files[name]);
    await rename(partial, join(dir, name));
  }
  return dir;
}

/** `<cache>/typecheck`, beside the sandboxes' files (the same base as ts/transport/sandbox_files.ts). */
function typecheckRoot(): string {
  const user = typeof process.getuid === "function" ? process.getuid() : "user";
  return join(process.env.CODECELL_CACHE_DIR ?? join(tmpdir(), `codecell-${user}`), "typecheck");
}

// ---------------------------------------------------------------------------------------------------------------
// Running deno check

function runDenoCheck(
  cwd: string,
  config: string,
  signal: AbortSignal | undefined,
): Promise<{ code: number; output: string }> {
  const args = ["check", "--quiet", "--no-lock", "--no-remote", "--no-npm", "--config", config, CELL_FILE_NAME];
  // A clean environment: no host secrets, and no RUST_BACKTRACE (it appends a backtrace to Deno's errors).
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NO_COLOR: "1",
    DENO_DIR: join(typecheckRoot(), "deno-dir"),
  };
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const child = spawn(denoBinaryPath(), args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], signal });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), CHECK_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(signal?.aborted ? signal.reason : error);
    });
    child.on("close", (code, killedBy) => {
      clearTimeout(timer);
      if (code === null) {
        reject(new Error(`deno check ended by ${killedBy ?? "a signal"}`));
        return;
      }
      resolve({ code, output: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

/**
 * Deno's diagnostics as the model reads them: no ANSI colors, host paths cut to file names (`file:///…/cell.ts:2:5`
 * becomes `cell.ts:2:5`, declarations show as `session.d.ts`), and without the closing "Type checking failed".
 */
function cleanDiagnostics(output: string, dirs: readonly string[]): string {
  // deno-lint-ignore no-control-regex
  let text = output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
  for (const dir of dirs) {
    text = text.replaceAll(`${pathToFileURL(dir).href}/`, "").replaceAll(`${dir}${sep}`, "");
  }
  return text.replace(/\n*error: Type checking failed\.\s*$/, "").trim();
}
