/**
 * Files a sandbox needs on the host side: the import map that confines module resolution, an empty scratch
 * working directory, and a `DENO_DIR` per V8 flag set (Deno keys its code cache by flags; sharing one directory
 * across heap sizes costs every start 8–10 ms).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import process from "node:process";
import { HELPERS_SPECIFIER, INTERNAL_SPECIFIER, TOOLS_SPECIFIER } from "../contract/cell_source.ts";
import { PROTOCOL_VERSION } from "../contract/codec.ts";

const root = new URL("../../", import.meta.url);
const at = (path: string) => new URL(path, root).href;

/** The sandbox entry point. */
export const RUNTIME_ENTRY = fileURLToPath(new URL("runtime/main.ts", root));

/**
 * The import map: the two helper specifiers resolve to codecell's modules; every other `file:` URL maps to an
 * unresolvable one, so even code built at run time (`eval`, `new Function`) cannot load local files: a
 * permissionless Deno would otherwise import (and so reveal) any file by URL. The runtime's own folders stay
 * loadable for the runtime itself.
 */
export function importMap(entry: string = RUNTIME_ENTRY): { imports: Record<string, string> } {
  // The entry module itself resolves through the map too: keep its folder loadable (it is runtime/ unless a test
  // substitutes a stand-in).
  const entryDir = new URL(".", pathToFileURL(entry)).href;
  return {
    imports: {
      [HELPERS_SPECIFIER]: at("ext/helpers_module.ts"),
      [TOOLS_SPECIFIER]: at("ext/tools_module.ts"),
      [INTERNAL_SPECIFIER]: at("ext/imports.ts"),
      "file:///": "unsupported-import:/",
      [at("runtime/")]: at("runtime/"),
      [at("ext/")]: at("ext/"),
      [at("ts/contract/")]: at("ts/contract/"),
      [entryDir]: entryDir,
    },
  };
}

interface SandboxFiles {
  importMapPath: (entry: string) => string;
  scratchDir: string;
  denoDir: (heapMiB: number) => string;
}

let files: SandboxFiles | undefined;

/** Creates (once per process) and returns the sandbox files. */
export function sandboxFiles(): SandboxFiles {
  if (files !== undefined) return files;
  const user = typeof process.getuid === "function" ? process.getuid() : "user";
  const base = join(process.env.CODECELL_CACHE_DIR ?? join(tmpdir(), `codecell-${user}`), `v${PROTOCOL_VERSION}`);
  const scratchDir = join(base, "scratch");
  mkdirSync(scratchDir, { recursive: true });
  const maps = new Map<string, string>();
  const importMapPath = (entry: string) => {
    let path = maps.get(entry);
    if (path === undefined) maps.set(entry, (path = writeImportMap(base, entry)));
    return path;
  };
  files = { importMapPath, scratchDir, denoDir: (heapMiB) => join(base, `deno-heap-${heapMiB}`) };
  return files;
}

/**
 * Writes the import map for `entry`. Named by content, so checkouts in different places never share one; written
 * under a temporary name and renamed, so a concurrent host never reads half a file.
 */
function writeImportMap(base: string, entry: string): string {
  const map = JSON.stringify(importMap(entry));
  const path = join(base, `import-map-${createHash("sha256").update(map).digest("hex").slice(0, 16)}.json`);
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, map);
  renameSync(partial, path);
  return path;
}
