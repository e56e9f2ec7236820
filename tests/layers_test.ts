// The import graph of the project's own modules: no cycles, and every import points down the layers described in
// docs/architecture.md ("Layers").
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { denoBinaryPath } from "../ts/transport/deno_binary.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Layers from the bottom up; a module may import its own layer and the ones below it. */
const LAYERS: readonly (readonly string[])[] = [
  ["contract"],
  ["transport", "tools", "schema", "typegen", "source"],
  ["cell"],
  ["model"],
  ["session"],
  ["mcp", "adapters"],
  ["bin"],
];

/** The sandbox sees only the contract and its own folders. */
const SANDBOX_LAYERS = new Set(["runtime", "ext"]);
const SANDBOX_MAY_IMPORT = new Set(["contract", "runtime", "ext"]);

/** The layer of a project file, from its path: `ts/<layer>/...`, `ts/session.ts` and `ts/mod.ts`, `bin/`, ... */
function layerOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] === "ts") {
    if (parts.length === 2) return "session"; // ts/session.ts, ts/mod.ts: the session and the package entry
    return parts[1];
  }
  if (["bin", "runtime", "ext"].includes(parts[0])) return parts[0];
  return undefined; // tests, bench, scripts: not layered
}

function rankOf(layer: string): number {
  const rank = LAYERS.findIndex((names) => names.includes(layer));
  assert.ok(rank >= 0, `layer ${layer} is not in LAYERS`);
  return rank;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mjs)$/.test(name) && !name.endsWith("_test.ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const IMPORT_PATTERNS = [
  /(?:^|\n)\s*(?:import|export)\s[^"'`;]*?\sfrom\s*["']([^"']+)["']/g,
  /(?:^|\n)\s*import\s*["']([^"']+)["']/g,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** Relative imports of a file, as project paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier.startsWith(".")) found.add(relative(ROOT, resolve(ROOT, dirname(file), specifier)));
    }
  }
  return [...found];
}

const FILES = ["ts", "bin", "runtime", "ext"].flatMap((dir) => sourceFiles(dir));
const GRAPH = new Map(FILES.map((file) => [file, importsOf(file)]));

test("the import graph has no cycle", () => {
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
      return;
    }
    state.set(file, "visiting");
    for (const next of GRAPH.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of FILES) visit(file, []);
  assert.deepEqual(cycles, []);
});

test("every import points to the same layer or one below it", () => {
  const upward: string[] = [];
  for (const [file, imports] of GRAPH) {
    const from = layerOf(file);
    if (from === undefined) continue;
    for (const target of imports) {
      const to = layerOf(target);
      if (to === undefined) {
        upward.push(`${file} -> ${target} (outside the layers)`);
        continue;
      }
      if (SANDBOX_LAYERS.has(from) || SANDBOX_LAYERS.has(to)) {
        if (!SANDBOX_LAYERS.has(from) || !SANDBOX_MAY_IMPORT.has(to)) upward.push(`${file} -> ${target}`);
        continue;
      }
      if (rankOf(to) > rankOf(from)) upward.push(`${file} (${from}) -> ${target} (${to})`);
    }
  }
  assert.deepEqual(upward, []);
});

test("the contract imports nothing of the project outside itself", () => {
  const outside = [...GRAPH].flatMap(([file, imports]) =>
    layerOf(file) === "contract" ? imports.filter((target) => layerOf(target) !== "contract") : []
  );
  assert.deepEqual(outside, []);
});

/** Types of `@opentelemetry/api` the session options name: theirs to document, not ours to re-export. */
const THIRD_PARTY_TYPES = new Set(["TracerProvider", "Context"]);

test("the public entry points are fully documented (deno doc --lint)", () => {
  const deno = denoBinaryPath();
  const run = spawnSync(deno, ["doc", "--lint", "ts/mod.ts", "ts/mcp/mod.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const errors = run.stderr.split("\n").filter((line) => line.startsWith("error["));
  const ours = errors.filter((line) => {
    const referenced = /^error\[private-type-ref\]: .* references private type '([^']+)'$/.exec(line)?.[1];
    return referenced === undefined || !THIRD_PARTY_TYPES.has(referenced);
  });
  assert.deepEqual(ours, []);
  assert.ok(run.status === 0 || errors.length > 0, run.stderr);
});
