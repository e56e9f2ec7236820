import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { typecheckCell } from "../source/typecheck.ts";
import { denoBinaryPath } from "../transport/deno_binary.ts";
import {
  helperModuleSource,
  packageModuleDeclarations,
  renderToolTypes,
  toolsModuleSource,
  typeDeclarations,
} from "./declarations.ts";
import { defineTool, withResultKind } from "../tools/define.ts";
import { ToolRegistry } from "../tools/registry.ts";

const lookupOrder = defineTool({
  name: "lookup_order",
  description: "Find an order.",
  input: z.object({ order_id: z.string() }),
  output: z.object({ ok: z.boolean() }),
  run: () => ({ ok: true }),
});

const TREE = {
  type: "object",
  properties: { value: { type: "number" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } },
  required: ["value", "children"],
  $defs: {
    Node: {
      type: "object",
      properties: { value: { type: "number" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } },
      required: ["value", "children"],
    },
  },
};

const SESSION_TOOLS = new ToolRegistry([
  lookupOrder,
  defineTool({
    name: "sum-tree",
    description: "Adds up a tree.\nEvery node counts; a */ stays inside the comment.",
    inputSchema: TREE,
    outputSchema: TREE,
    run: () => TREE,
  }),
  defineTool({ name: "shout", kind: "freeform", description: "Upper-cases its input.", run: (input) => input }),
  // Bridged from an MCP server: resolves with a whole CallToolResult.
  withResultKind(
    defineTool({
      name: "search",
      namespace: "mcp__docs",
      description: "Search the docs.",
      inputSchema: {
        type: "object",
        properties: { query: { type: "string", description: "Words" } },
        required: ["query"],
      },
      run: () => ({ content: [] }),
    }),
    "mcp",
  ),
]).entries();

/** The `declare const tools: {...};` block of a declarations text. */
function toolsBlock(dts: string): string | undefined {
  return /^declare const tools: (?:\{\};|\{\n[\s\S]*?\n\};)$/m.exec(dts)?.[0];
}

// ---- exact text

test("a session's tools are declared with their descriptions as JSDoc", () => {
  assert.equal(
    toolsBlock(typeDeclarations(new ToolRegistry([lookupOrder]).entries())),
    [
      "declare const tools: {",
      "  /** Find an order. */",
      "  lookup_order(args: { order_id: string; }): Promise<{ ok: boolean; }>;",
      "};",
    ].join("\n"),
  );
  assert.equal(toolsBlock(typeDeclarations([])), "declare const tools: {};");
});

test("the helper globals are declared with their signatures", () => {
  const dts = typeDeclarations([]);
  for (
    const line of [
      "declare function text(value?: unknown): void;",
      "declare function generatedImage(result: { image_url: string; output_hint?: string }): void;",
      "declare function store(key: string, value: unknown): void;",
      "declare function load(key: string): unknown;",
      "declare function notify(value: unknown): void;",
      "declare function yield_control(): void;",
      "declare function exit(): never;",
      "declare function setTimeout(callback: () => void, delayMs?: number): number;",
      "declare function clearTimeout(id?: number): void;",
      "declare const ALL_TOOLS: ReadonlyArray<{ readonly name: string; readonly description: string }>;",
      "  log(...values: unknown[]): void;",
    ]
  ) {
    assert.ok(dts.split("\n").includes(line), `missing ${line}`);
  }
  assert.ok(dts.includes('  detail?: "auto" | "low" | "high" | "original",\n): void;'));
  assert.ok(!dts.includes("CallToolResult"), "no MCP types without MCP tools");
});

test("multi-line tool types, recursive aliases and MCP results render into one declarations text", () => {
  const dts = typeDeclarations(SESSION_TOOLS);
  assert.equal(
    toolsBlock(dts),
    [
      "declare const tools: {",
      "  /** Find an order. */",
      "  lookup_order(args: { order_id: string; }): Promise<{ ok: boolean; }>;",
      "  /**",
      "   * Adds up a tree.",
      "   * Every node counts; a *\\/ stays inside the comment.",
      "   */",
      "  sum_tree(args: { children: Array<Node>; value: number; }): Promise<{ children: Array<Node_2>; value: number; }>;",
      "  /** Upper-cases its input. */",
      "  shout(input: string): Promise<unknown>;",
      "  /** Search the docs. */",
      "  mcp__docs__search(args: {",
      "    // Words",
      "    query: string;",
      "  }): Promise<CallToolResult>;",
      "};",
    ].join("\n"),
  );
  assert.ok(dts.includes("\ntype Node = { children: Array<Node>; value: number; };\n"));
  assert.ok(dts.includes("\ntype Node_2 = { children: Array<Node_2>; value: number; };\n"));
  assert.equal(dts.split("type CallToolResult<").length, 2);
});

test("alias names are unique across tools and avoid the MCP type names", () => {
  const contentTree = {
    $ref: "#/$defs/ContentBlock",
    $defs: { ContentBlock: { type: "object", properties: { inner: { $ref: "#/$defs/ContentBlock" } } } },
  };
  const tools = new ToolRegistry([
    defineTool({ name: "a", inputSchema: TREE, run: () => null }),
    defineTool({ name: "b", inputSchema: TREE, outputSchema: contentTree, run: () => null }),
  ]).entries();
  assert.deepEqual(renderToolTypes(tools).map(({ aliases, signature }) => ({ aliases, signature })), [
    {
      aliases: ["type Node = { children: Array<Node>; value: number; };"],
      signature: "a(args: { children: Array<Node>; value: number; }): Promise<unknown>",
    },
    {
      aliases: [
        "type Node_2 = { children: Array<Node_2>; value: number; };",
        "type ContentBlock_2 = { inner?: ContentBlock_2; };",
      ],
      signature: "b(args: { children: Array<Node_2>; value: number; }): Promise<ContentBlock_2>",
    },
  ]);
});

test("the helper modules re-export the globals", () => {
  assert.equal(
    toolsModuleSource(),
    [
      "// Re-exports cell globals declared by the session's declarations file.",
      "const tools_ = tools;",
      "const ALL_TOOLS_ = ALL_TOOLS;",
      "export { tools_ as tools, ALL_TOOLS_ as ALL_TOOLS };",
      "",
    ].join("\n"),
  );
  assert.ok(
    helperModuleSource().endsWith(
      "export { text_ as text, image_ as image, generatedImage_ as generatedImage, store_ as store, load_ as load, " +
        "notify_ as notify, yield_control_ as yield_control, exit_ as exit, setTimeout_ as setTimeout, " +
        "clearTimeout_ as clearTimeout, tools_ as tools, ALL_TOOLS_ as ALL_TOOLS };\n",
    ),
  );
});

// ---- the package's static declaration files

const PACKAGE_FILES = [
  { module: "helpers", url: new URL("../../ext/helpers.d.ts", import.meta.url) },
  { module: "tools", url: new URL("../../ext/tools.d.ts", import.meta.url) },
] as const;

test("ext/helpers.d.ts and ext/tools.d.ts are the generator's output", () => {
  for (const { module, url } of PACKAGE_FILES) {
    const expected = packageModuleDeclarations(module);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(url, expected);
    assert.equal(readFileSync(url, "utf8"), expected, `${fileURLToPath(url)} is stale: rerun with UPDATE_GOLDEN=1`);
  }
});

test("a module importing the package's declaration files type-checks", () => {
  const dir = mkdtempSync(join(tmpdir(), "codecell-package-dts-"));
  try {
    const [helpers, tools] = PACKAGE_FILES.map(({ url }) => url.href);
    const file = join(dir, "use.ts");
    writeFileSync(
      file,
      [
        `import { image, load, setTimeout, store, text } from ${JSON.stringify(helpers)};`,
        `import { ALL_TOOLS, tools } from ${JSON.stringify(tools)};`,
        "const result: unknown = await tools.anything?.({ a: 1 });",
        "store(ALL_TOOLS[0]?.name ?? 'none', result);",
        "text(load('none'));",
        "image('data:image/png;base64,AAAA', 'low');",
        "const id: number = setTimeout(() => {});",
        "text(id);",
      ].join("\n"),
    );
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" };
    const result = spawnSync(denoBinaryPath(), ["check", "--quiet", "--no-config", "--no-lock", file], {
      env,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- type checking a cell against the declarations

/** A cell that uses every helper and every tool of {@link SESSION_TOOLS}. */
const EVERY_HELPER_CELL = `
import { store as save } from "codecell/helpers";
import { ALL_TOOLS as listed } from "codecell/tools";
const order = await tools.lookup_order({ order_id: "A1" });
const ok: boolean = order.ok;
const tree = await tools.sum_tree({ value: 1, children: [{ value: 2, children: [] }] });
const firstChild: number | undefined = tree.children[0]?.value;
const loud: unknown = await tools.shout("hi");
const hits = await tools.mcp__docs__search({ query: "q" });
for (const block of hits.content) if (block.type === "text") text(block.text.toUpperCase());
if (hits.isError) notify("search failed");
text({ ok, firstChild, loud });
image("data:image/png;base64,AAAA");
image({ image_url: "data:image/png;base64,AAAA", detail: "original" }, "low");
image({ type: "image", data: "AAAA", mimeType: "image/png" });
generatedImage({ image_url: "data:image/png;base64,AAAA", output_hint: "a square" });
store("count", 1);
save("names", listed.map((tool) => tool.name));
const count: unknown = load("count");
notify(\`count is \${String(count)}\`);
const timer: number = setTimeout(() => yield_control(), 10);
clearTimeout(timer);
console.log(ALL_TOOLS.length, tools);
console.error("done");
exit();
`;

test("the declarations and a cell using every helper pass deno check together", async () => {
  const result = await typecheckCell(EVERY_HELPER_CELL, typeDeclarations(SESSION_TOOLS));
  assert.deepEqual(result, { ok: true });
});

test("wrong uses of the helpers and of a tool's result are type errors", async () => {
  const cell = [
    'image("data:image/png;base64,AAAA", "huge");',
    "setTimeout(() => {}, '5');",
    "const order = await tools.lookup_order({ order_id: 'A1' });",
    "const n: number = order.ok;",
    "load('x').foo;",
  ].join("\n");
  const result = await typecheckCell(cell, typeDeclarations(SESSION_TOOLS));
  assert.equal(result.ok, false);
  const positions = result.ok ? [] : [...result.error.matchAll(/at cell\.ts:(\d+):\d+/g)].map((m) => m[1]);
  assert.deepEqual(positions, ["1", "2", "4", "5"]);
});
