import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeSettings, settingsFromFlags } from "./settings.ts";

test("setting flags become the session options' shape, each value checked and a bad one named", () => {
  assert.deepEqual(
    settingsFromFlags(new Map([["--heap-mib", "256"], ["--typecheck", "true"], ["--os-sandbox", "none"]])),
    { ok: true, value: { limits: { heapMiB: 256 }, typecheck: true, osSandbox: "none" } },
  );
  assert.deepEqual(settingsFromFlags(new Map([["--pool", "65"]])), {
    ok: false,
    error: "--pool: Too big: expected number to be <=64",
  });
  assert.deepEqual(settingsFromFlags(new Map([["--max-cells", "-1"]])), {
    ok: false,
    error: '--max-cells expects a whole number, got "-1"',
  });
});

test("flags override the config block limit by limit", () => {
  assert.deepEqual(
    mergeSettings({ pool: 1, limits: { heapMiB: 256, maxCells: 3 } }, { limits: { maxCells: 5 }, typecheck: true }),
    { pool: 1, limits: { heapMiB: 256, maxCells: 5 }, typecheck: true },
  );
});
