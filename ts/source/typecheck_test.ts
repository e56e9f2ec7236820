import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { z } from "zod";
import { typeDeclarations } from "../typegen/declarations.ts";
import { defineTool } from "../tools/define.ts";
import { ToolRegistry } from "../tools/registry.ts";
import { typecheckCell } from "./typecheck.ts";

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
  assert.match(diagnostics, /^error: SyntaxError: Expression expected$/m);
  assert.match(diagnostics, /at cell\.ts:2:11$/m);
});

test("concurrent checks share the declarations directory and leave no cell files behind", async () => {
  // Declarations of their own, so no other check running on this machine shares the directory.
  const declarations = `${DECLARATIONS}// ${crypto.randomUUID()}\n`;
  const results = await Promise.all([
    typecheckCell('text(await tools.lookup_order({ order_id: "1" }));', declarations),
    typecheckCell("text(await tools.lookup_order({ order_id: 1 }));", declarations),
    typecheckCell('text(await tools.lookup_order({ order_id: "3" }));', declarations),
  ]);
  assert.deepEqual(results.map((result) => result.ok), [true, false, true]);
  const user = typeof process.getuid === "function" ? process.getuid() : "user";
  const root = join(process.env.CODECELL_CACHE_DIR ?? join(tmpdir(), `codecell-${user}`), "typecheck");
  const dirs = readdirSync(root).map((entry) => join(root, entry)).filter((dir) => {
    const file = join(dir, "session.d.ts");
    return existsSync(file) && readFileSync(file, "utf8") === declarations;
  });
  assert.equal(dirs.length, 1);
  assert.deepEqual(readdirSync(dirs[0]).sort(), ["deno.json", "helpers.ts", "session.d.ts", "tools.ts"]);
  rmSync(dirs[0], { recursive: true });
});

test("an aborted check rejects", async () => {
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(typecheckCell("text(1);", DECLARATIONS, { signal: controller.signal }), /stop/);
});
