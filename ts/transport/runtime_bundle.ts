/**
 * The sandbox as one JavaScript file: `runtime/` (the outer realm: channel, contexts, stack mapping) with the
 * helper kernel of `ext/` inlined as the source text each fresh context evaluates. One file means a boot resolves
 * no module graph, and there is no runtime module a cell could import (docs/architecture.md "The sandbox").
 *
 * The published package ships the file (`runtime/sandbox.js` next to the compiled host, built by `npm run build`).
 * A source checkout builds it on first use with esbuild (a dev dependency) into codecell's private cache folder,
 * named by a hash of its sources, so an edited runtime is never run stale.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot, privateDir, writePrivateFile } from "./cache_dir.ts";

/** The bundle shipped with a compiled package, relative to this module once compiled. */
const SHIPPED = new URL("../../runtime/sandbox.js", import.meta.url);
/** The project root of a source checkout, relative to this module. */
const SOURCE_ROOT = new URL("../../", import.meta.url);
/** Folders whose files make up the bundle. */
const SOURCE_DIRS = ["runtime", "ext", "ts/contract"];

let cached: string | undefined;

/** Path of the sandbox bundle: the shipped one, or one built (once per process and sources) from a checkout. */
export function sandboxBundlePath(): string {
  if (cached !== undefined) return cached;
  if (existsSync(SHIPPED)) return (cached = fileURLToPath(SHIPPED));
  const sources = sourceFiles();
  const hash = createHash("sha256");
  for (const [path, text] of sources) hash.update(`${path}\0${text}\0`);
  const name = `sandbox-${hash.digest("hex").slice(0, 16)}.js`;
  const dir = privateDir(join(cacheRoot(), "runtime"));
  const path = join(dir, name);
  if (existsSync(path)) {
    const now = new Date();
    utimesSync(path, now, now); // in use: the pruning of other checkouts keeps it
  } else {
    writePrivateFile(path, buildSandboxBundle());
    pruneBundles(dir);
  }
  return (cached = path);
}

/** The sources of the bundle in a checkout, by project-relative path, in a stable order. */
function sourceFiles(): [string, string][] {
  const files: [string, string][] = [];
  for (const dir of SOURCE_DIRS) {
    const folder = fileURLToPath(new URL(`${dir}/`, SOURCE_ROOT));
    for (const name of readdirSync(folder).sort()) {
      if (!name.endsWith(".ts") || name.endsWith("_test.ts") || name.endsWith(".d.ts")) continue;
      files.push([`${dir}/${name}`, readFileSync(join(folder, name), "utf8")]);
    }
  }
  return files;
}

/** Bundles kept in the cache: other checkouts and versions on this host may be using theirs right now. */
const KEPT_BUNDLES = 8;

/** Removes all but the {@linkcode KEPT_BUNDLES} bundles used most recently. */
function pruneBundles(dir: string): void {
  const bundles = readdirSync(dir)
    .filter((name) => /^sandbox-[0-9a-f]{16}\.js$/.test(name))
    .map((name) => ({ path: join(dir, name), used: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const { path } of bundles.slice(KEPT_BUNDLES)) rmSync(path, { force: true });
}

/** esbuild's build API, as far as this module uses it. */
interface Esbuild {
  buildSync(options: Record<string, unknown>): { outputFiles: { text: string }[] };
}

/**
 * Builds the bundle's text from the sources of a checkout (needs esbuild). The kernel (`ext/kernel.ts`) becomes a
 * script whose completion value is its exports, embedded in the runtime as `KERNEL_SOURCE`.
 */
export function buildSandboxBundle(): string {
  const esbuild = loadEsbuild();
  const root = fileURLToPath(SOURCE_ROOT);
  const common = { bundle: true, write: false, platform: "neutral", target: "esnext", logLevel: "silent" };
  const kernel = esbuild.buildSync({ ...common, entryPoints: [join(root, "ext/kernel.ts")], format: "cjs" });
  // A function scope, so the kernel's top-level declarations stay out of the context's global object; strict, so
  // no frame of the kernel lets a cell's sloppy function reach its callers (`caller`, CallSite.getFunction).
  const kernelScript = `(function (module) {"use strict";\n${
    kernel.outputFiles[0].text
  }\nreturn module.exports;\n})({ exports: {} })`;
  const runtime = esbuild.buildSync({
    ...common,
    entryPoints: [join(root, "runtime/main.ts")],
    format: "esm",
    external: ["node:*"],
    define: { KERNEL_SOURCE: JSON.stringify(kernelScript) },
  });
  return runtime.outputFiles[0].text;
}

function loadEsbuild(): Esbuild {
  try {
    return createRequire(import.meta.url)("esbuild");
  } catch (error) {
    throw new Error(
      `codecell's sandbox must be built from source here, and esbuild (a dev dependency) is missing: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
