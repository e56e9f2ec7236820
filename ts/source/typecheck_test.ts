import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { z } from "zod";
import { typeDeclarations } from "../typegen/declarations.ts";
import { defineTool } from "../tools/define.ts";
import { ToolRegistry } from "../tools/registry.ts";
import { releaseTypechecks, typecheckCell } from "./typecheck.ts";

const DECLARATIONS = typeDeclarations(
  new ToolRegistry([
    defineTool({
      name: "lookup_order",
      description: "Find an order.",
      input: z.object({ order_id: z.string() }),
      output: z.object({ ok: z.boolean() }),
      run: () => ({ ok: true }),
    }),
  ]).entries(),
);

async function diagnosticsOf(source: string): Promise<string> {
  const result = await typecheckCell(source, DECLARATIONS);
  assert.equal(result.ok, false, "expected type errors");
  return result.ok ? "" : result.error;
}

/** No host paths and no colors reach the model. */
function assertClean(diagnostics: string): void {
  assert.ok(!diagnostics.includes("file://"), diagnostics);
  assert.ok(!diagnostics.includes(tmpdir()), diagnostics);
  assert.ok(!diagnostics.includes("\u001b["), diagnostics);
  assert.ok(!diagnostics.includes("Type checking failed"), diagnostics);
}

test("a tool called with a wrong argument type fails with the TypeScript error at cell.ts:L:C", async () => {
  const diagnostics = await diagnosticsOf(
    'text("start");\nconst order = await tools.lookup_order({ order_id: 42 });\n',
  );
  assertClean(diagnostics);
  assert.equal(
    diagnostics,
    [
      "TS2322 [ERROR]: Type 'number' is not assignable to type 'string'.",
      "const order = await tools.lookup_order({ order_id: 42 });",
      "                                         ~~~~~~~~",
      "    at cell.ts:2:42",
      "",
      // The related information points into the declarations by their file name.
      "    The expected type comes from property 'order_id' which is declared here on type '{ order_id: string; }'",
      "      lookup_order(args: { order_id: string; }): Promise<{ ok: boolean; }>;",
      "                           ~~~~~~~~",
      `        at session.d.ts:${declarationLine("lookup_order(")}:24`,
    ].join("\n"),
  );
});

/** The 1-based line of the declarations that contains `text`. */
function declarationLine(text: string): number {
  return DECLARATIONS.split("\n").findIndex((line) => line.includes(text)) + 1;
}

test("an unknown tool and a misused result are reported at their own lines", async () => {
  const diagnostics = await diagnosticsOf(
    [
      "await tools.lookup_orders({ order_id: 'A1' });",
      "const order = await tools.lookup_order({ order_id: 'A1' });",
      "const count: number = order.ok;",
    ].join("\n"),
  );
  assertClean(diagnostics);
  assert.match(diagnostics, /TS2551 \[ERROR\]: Property 'lookup_orders' does not exist on type/);
  assert.deepEqual([...diagnostics.matchAll(/^ {4}at (cell\.ts:\d+:\d+)$/gm)].map((m) => m[1]), [
    "cell.ts:1:13",
    "cell.ts:3:7",
  ]);
});

test("a correct cell with top-level await and no imports type-checks", async () => {
  const result = await typecheckCell(
    [
      'const order = await tools.lookup_order({ order_id: "A1" });',
      "const ok: boolean = order.ok;",
      "text(ok);",
      "// a last line without a newline",
    ].join("\n"),
    DECLARATIONS,
  );
  assert.deepEqual(result, { ok: true });
});

test("a cell importing from codecell/helpers and codecell/tools type-checks", async () => {
  const result = await typecheckCell(
    [
      'import { store, text } from "codecell/helpers";',
      'import { ALL_TOOLS, tools as nested } from "codecell/tools";',
      'const order = await nested.lookup_order({ order_id: "A1" });',
      'store("ok", order.ok);',
      "text(ALL_TOOLS.map((tool) => tool.name));",
    ].join("\n"),
    DECLARATIONS,
  );
  assert.deepEqual(result, { ok: true });
});

test("the host's globals do not exist in a cell", async () => {
  const diagnostics = await diagnosticsOf("await fetch('https://example.com');\nDeno.exit(0);\n");
  assertClean(diagnostics);
  assert.match(diagnostics, /Cannot find name 'fetch'/);
  assert.match(diagnostics, /Cannot find name 'Deno'/);
});

test("a syntax error is reported at its position", async () => {
  const diagnostics = await diagnosticsOf("const a = 1;\nconst b = ;\n");
  assertClean(diagnostics);
  assert.match(diagnostics, /^TS1109 \[ERROR\]: Expression expected\.$/m);
  assert.match(diagnostics, /at cell\.ts:2:11$/m);
});

test("concurrent checks each get their own answer", async () => {
  const results = await Promise.all([
    typecheckCell('text(await tools.lookup_order({ order_id: "1" }));', DECLARATIONS),
    typecheckCell("text(await tools.lookup_order({ order_id: 1 }));", DECLARATIONS),
    typecheckCell('text(await tools.lookup_order({ order_id: "3" }));', DECLARATIONS),
  ]);
  assert.deepEqual(results.map((result) => result.ok), [true, false, true]);
});

test("checks are served round-robin between sessions: one session's queue does not hold another's back", async () => {
  const busy = {};
  const other = {};
  const finished: string[] = [];
  const check = (name: string, owner: object) =>
    typecheckCell("text(1);", DECLARATIONS, { owner }).then(() => void finished.push(name));
  await Promise.all([check("busy 1", busy), check("busy 2", busy), check("busy 3", busy), check("other", other)]);
  releaseTypechecks(busy);
  releaseTypechecks(other);
  assert.deepEqual(finished, ["busy 1", "other", "busy 2", "busy 3"]);
});

test("an aborted check fails with a message instead of rejecting", async () => {
  assert.deepEqual(await typecheckCell("text(1);", DECLARATIONS, { signal: AbortSignal.abort() }), {
    ok: false,
    error: "error: the cell could not be type-checked: the session is closing",
  });
});

// ---- what a cell cannot make the checker do

/** A host file the checker must never read: its text would reach the model in a diagnostic. */
const SECRET = readFileSync("/etc/passwd", "utf8").split("\n")[0];

for (
  const cell of [
    'import "/etc/passwd";',
    'import secret from "/etc/passwd";',
    'import x from "file:///etc/passwd";',
    '/// <reference path="/etc/passwd" />',
    '/// <reference types="node" />',
    'type T = typeof import("/etc/passwd");',
    'import x = require("/etc/passwd");',
    'const x = await import("/etc/passwd");',
    'import "/dev/zero";',
    `import "/proc/${process.pid}/environ";`,
  ]
) {
  test(`a cell cannot make the checker read a file: ${cell}`, async () => {
    const result = await typecheckCell(cell, DECLARATIONS);
    assert.equal(result.ok, false);
    const diagnostics = result.ok ? "" : result.error;
    assert.ok(!diagnostics.includes(SECRET), diagnostics);
    assert.ok(!diagnostics.includes("PATH="), diagnostics);
    assert.match(diagnostics, /TS\d+ \[ERROR\]/);
  });
}

test("a check that runs too long is stopped and fails with a message", async () => {
  // A recursive conditional type that TypeScript takes seconds (and hundreds of MiB) to give up on.
  const bomb =
    "type Grow<T extends unknown[]> = T['length'] extends 100000 ? T : Grow<[...T, 0]>;\ntype X = Grow<[]>;\n";
  assert.deepEqual(await typecheckCell(bomb, DECLARATIONS, { timeoutMs: 200 }), {
    ok: false,
    error: "error: the cell could not be type-checked: the check took longer than 200 ms",
  });
  // The next check gets a new checker.
  assert.deepEqual(await typecheckCell("text(1);", DECLARATIONS), { ok: true });
});
