/**
 * Files a sandbox needs on the host side, all in codecell's private cache folder (`./cache_dir.ts`): the import map
 * that confines module resolution, an empty working directory, and a `DENO_DIR` per V8 flag set (Deno keys its
 * code cache by flags; sharing one directory across heap sizes costs every start 8–10 ms).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { PROTOCOL_VERSION } from "../contract/codec.ts";
import { cacheRoot, privateDir, writePrivateFile } from "./cache_dir.ts";

/**
 * The import map: every `file:` URL but the bundle's own folder maps to an unresolvable one. Cells cannot import
 * at all (a context has no module loader); this is a backstop for code that escaped a context, so that even it
 * cannot load (and so reveal) local files.
 */
export function importMap(bundle: string): { imports: Record<string, string> } {
  const folder = pathToFileURL(`${dirname(bundle)}/`).href;
  return { imports: { "file:///": "unsupported-import:/", [folder]: folder } };
}

/** The sandbox files. */
export interface SandboxFiles {
  /** The import map for a bundle at `bundle`, as Deno sees that path (inside an OS layer, it differs). */
  importMapPath(bundle: string): string;
  /** The working directory of a sandbox: empty, and nothing may write to it. */
  scratchDir: string;
  /** `DENO_DIR` for sandboxes with this V8 heap limit. */
  denoDir(heapMiB: number): string;
}

let files: SandboxFiles | undefined;

/** Creates (once per process) and returns the sandbox files. */
export function sandboxFiles(): SandboxFiles {
  if (files !== undefined) return files;
  const base = privateDir(join(cacheRoot(), `v${PROTOCOL_VERSION}`));
  const scratchDir = privateDir(join(base, "scratch"));
  const maps = new Map<string, string>();
  const importMapPath = (bundle: string) => {
    let path = maps.get(bundle);
    if (path !== undefined) return path;
    const map = JSON.stringify(importMap(bundle));
    // Named by content: checkouts and packages in different places never share one.
    path = join(base, `import-map-${createHash("sha256").update(map).digest("hex").slice(0, 16)}.json`);
    if (!existsSync(path)) writePrivateFile(path, map);
    maps.set(bundle, path);
    return path;
  };
  files = { importMapPath, scratchDir, denoDir: (heapMiB) => privateDir(join(base, `deno-heap-${heapMiB}`)) };
  return files;
}
