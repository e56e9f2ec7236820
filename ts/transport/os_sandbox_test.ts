// The OS layer's probe is remembered across host processes, but only while the files it tested are unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cachedProbe, rememberProbe } from "./os_sandbox.ts";
import { denoBinaryPath } from "./deno_binary.ts";

test("a remembered bwrap probe is used while Deno, bwrap and the libraries are unchanged, and not after", (t) => {
  if (process.platform !== "linux" || !existsSync("/usr/bin/bwrap")) return t.skip("needs Linux with bubblewrap");
  const dir = mkdtempSync(join(tmpdir(), "codecell-probe-"));
  const previous = process.env.CODECELL_CACHE_DIR;
  process.env.CODECELL_CACHE_DIR = dir;
  try {
    const deno = denoBinaryPath();
    const files = { deno, bundle: "b.js", importMap: () => "m.json", denoDir: dir };
    assert.equal(cachedProbe(files), undefined);
    rememberProbe(deno, "/usr/bin/bwrap");
    assert.deepEqual(cachedProbe(files), { bwrap: "/usr/bin/bwrap", reason: "" });
    // A record whose stamp of Deno no longer matches (an upgraded binary) is not used.
    const path = join(dir, "os-layer.json");
    const record = JSON.parse(readFileSync(path, "utf8"));
    record.stamps[deno] = "0:0";
    writeFileSync(path, JSON.stringify(record));
    assert.equal(cachedProbe(files), undefined);
    writeFileSync(path, "not json");
    assert.equal(cachedProbe(files), undefined);
  } finally {
    if (previous === undefined) delete process.env.CODECELL_CACHE_DIR;
    else process.env.CODECELL_CACHE_DIR = previous;
    rmSync(dir, { recursive: true, force: true });
  }
});
