/**
 * `npm run build` (also run by `prepack`): the published package in `dist/`, laid out like the checkout so that
 * compiled modules find their companions at the same relative paths (docs/architecture.md "The published package"):
 *
 * - `dist/ts/`, `dist/bin/`: the host as ES modules with `.d.ts` beside them, compiled by `tsc -p tsconfig.build.json`;
 * - `dist/runtime/sandbox.js`: the sandbox as one file (`ts/transport/runtime_bundle.ts`);
 * - `dist/runtime/checker.js`: the type checker program (`runtime/checker.ts`), bundled with what it imports;
 * - `dist/ext/*.d.ts`: the declarations of `codecell/helpers` and `codecell/tools`.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { buildSandboxBundle } from "../ts/transport/runtime_bundle.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const require = createRequire(import.meta.url);

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});

mkdirSync(join(dist, "runtime"), { recursive: true });
writeFileSync(join(dist, "runtime/sandbox.js"), buildSandboxBundle());
buildSync({
  entryPoints: [join(root, "runtime/checker.ts")],
  outfile: join(dist, "runtime/checker.js"),
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "esnext",
  external: ["node:*"],
  logLevel: "warning",
});

for (const name of ["helpers.d.ts", "tools.d.ts"]) {
  mkdirSync(join(dist, "ext"), { recursive: true });
  copyFileSync(join(root, "ext", name), join(dist, "ext", name));
}
chmodSync(join(dist, "bin/main.js"), 0o755);
console.log(`built ${dist}`);
