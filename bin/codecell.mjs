#!/usr/bin/env node
// The `codecell` executable (package.json "bin"): runs bin/codecell.ts, directly under Deno, and under Node 20+
// through tsx's ESM loader (registered here, so `node bin/codecell.mjs` needs no --import flag).
if (!("Deno" in globalThis)) {
  const { register } = await import("tsx/esm/api");
  register();
}
const { runAndExit } = await import("./codecell.ts");
await runAndExit();
