/**
 * Finds the real Deno executable shipped by the npm package `deno` (its platform package), not the `.bin`
 * wrapper: spawning the binary directly starts a sandbox ~80 ms sooner.
 *
 * @module
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";
import process from "node:process";
import { CodecellError } from "../contract/errors.ts";

const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "@deno/linux-x64-glibc",
  "linux-arm64": "@deno/linux-arm64-glibc",
  "darwin-x64": "@deno/darwin-x64",
  "darwin-arm64": "@deno/darwin-arm64",
  "win32-x64": "@deno/win32-x64",
  "win32-arm64": "@deno/win32-arm64",
};

/**
 * Every permission denied explicitly, in each permissionless `deno run` codecell starts. Without a permission flag
 * of its own, a command line that names the running Deno's binary is rewritten by Deno's `node:child_process`
 * (under a Deno host) to add `-A`: a sandbox would get every permission (docs/architecture.md "Defense in depth").
 */
export const DENY_ALL_PERMISSIONS: readonly string[] = [
  "--deny-read",
  "--deny-write",
  "--deny-net",
  "--deny-env",
  "--deny-run",
  "--deny-ffi",
  "--deny-sys",
  "--deny-import",
];

let cached: string | undefined;

/**
 * Path of the Deno binary: `$CODECELL_DENO` if set, else the `deno` npm package's platform binary. The path is
 * spelled with a `/./` before the file name: under a Deno host, Deno's `node:child_process` rewrites a command
 * line holding the running binary's exact path as if it started Node (adding `-A` and flags of its own), also
 * where the path is an argument of a wrapper (`setpriv`, `bwrap --ro-bind`).
 */
export function denoBinaryPath(): string {
  if (cached !== undefined) return cached;
  const fromEnv = process.env.CODECELL_DENO;
  if (fromEnv) return (cached = unlikeExecPath(fromEnv));
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (pkg !== undefined) {
    try {
      const require = createRequire(import.meta.url);
      const dir = dirname(require.resolve(`${pkg}/package.json`));
      const binary = join(dir, process.platform === "win32" ? "deno.exe" : "deno");
      if (existsSync(binary)) return (cached = unlikeExecPath(binary));
    } catch {
      // not installed for this platform: fall through
    }
  }
  throw new CodecellError(
    "deno_not_found",
    `no Deno binary for ${process.platform}-${process.arch}: install its npm package (codecell's optional dependency ${
      pkg ?? "@deno/<os>-<arch>"
    }) or set CODECELL_DENO`,
  );
}

/** `path` as a different string naming the same file. */
function unlikeExecPath(path: string): string {
  return `${dirname(path)}${sep}.${sep}${basename(path)}`;
}
