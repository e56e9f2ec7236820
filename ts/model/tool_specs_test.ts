import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../contract/defaults.ts";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { z } from "zod";
import { Ajv2020 } from "ajv/dist/2020.js";
import { defineTool, withResultKind } from "../tools/define.ts";
import { ToolRegistry } from "../tools/registry.ts";
import { EXEC_GRAMMAR, type ParametersSchema, type ToolSpecFormat, toolSpecs } from "./tool_specs.ts";

/** The fixed tools of the golden files: one zod tool, one JSON Schema tool with descriptions, one freeform tool. */
const GOLDEN_TOOLS = new ToolRegistry([
  defineTool({
    name: "lookup_order",
    description: "Find an order by its id.\nReturns whether it exists.",
    input: z.object({ order_id: z.string(), include_items: z.boolean().optional() }),
    output: z.object({ ok: z.boolean() }),
    run: () => ({ ok: true }),
  }),
  // Bridged from an MCP server: resolves with a whole CallToolResult.
  withResultKind(
    defineTool({
      name: "search-docs",
      namespace: "mcp__docs",
      description: "Search the documentation.",
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "Words to look for" },
          limit: { type: "integer", description: "At most this many hits" },
        },
        required: ["query"],
      },
      run: () => ({ content: [] }),
    }),
    "mcp",
  ),
  defineTool({ name: "apply_patch", kind: "freeform", description: "Apply a patch to the workspace.", run: () => "" }),
]).entries();

const FORMATS: readonly ToolSpecFormat[] = ["responses", "chat", "anthropic", "mcp"];

const GOLDEN_DIR = new URL("../../tests/golden/tool_specs/", import.meta.url);

function assertGolden(fileName: string, value: unknown): void {
  const actual = `${JSON.stringify(value, null, 2)}\n`;
  const file = new URL(fileName, GOLDEN_DIR);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, "utf8"), `${fileName} differs; rerun with UPDATE_GOLDEN=1 if intended`);
}

for (const format of FORMATS) {
  test(`the ${format} tool specs match their golden file`, () => {
    assertGolden(`${format}.json`, toolSpecs(format, GOLDEN_TOOLS));
  });

  test(`the code-mode-only ${format} tool specs match their golden file`, () => {
    assertGolden(`${format}.code_mode_only.json`, toolSpecs(format, GOLDEN_TOOLS, { codeModeOnly: true }));
  });
}

// ---- shapes

test("responses: exec is a custom tool with the Lark grammar and wait a non-strict function tool", () => {
  const [exec, wait] = toolSpecs("responses", []);
  assert.equal(exec.type, "custom");
  assert.deepEqual(exec.type === "custom" && exec.format, {
    type: "grammar",
    syntax: "lark",
    definition: EXEC_GRAMMAR,
  });
  assert.equal(wait.type === "function" && wait.strict, false);
  assert.deepEqual([exec.name, wait.name], ["exec", "wait"]);
});

test("the grammar is Codex's, byte for byte", () => {
  assert.equal(
    EXEC_GRAMMAR,
    "\nstart: pragma_source | plain_source\npragma_source: PRAGMA_LINE NEWLINE SOURCE\nplain_source: SOURCE\n\n" +
      "PRAGMA_LINE: /[ \\t]*\\/\\/ @exec:[^\\r\\n]*/\nNEWLINE: /\\r?\\n/\nSOURCE: /[\\s\\S]+/\n",
  );
});

/** The grammar's two alternatives as anchored JS regexes, built from the terminals written in the grammar itself. */
function grammarAlternatives(): { pragma: RegExp; plain: RegExp } {
  const terminals = new Map<string, string>();
  for (const match of EXEC_GRAMMAR.matchAll(/^([A-Z_]+): \/(.*)\/$/gm)) terminals.set(match[1], match[2]);
  const rule = (name: string) => {
    const body = new RegExp(`^${name}: (.*)$`, "m").exec(EXEC_GRAMMAR)?.[1];
    assert.ok(body, `no rule ${name}`);
    const parts = body.split(" ").map((terminal) => {
      const pattern = terminals.get(terminal);
      assert.ok(pattern !== undefined, `no terminal ${terminal}`);
      return `(?:${pattern})`;
    });
    return new RegExp(`^${parts.join("")}$`);
  };
  assert.match(EXEC_GRAMMAR, /^start: pragma_source \| plain_source$/m);
  return { pragma: rule("pragma_source"), plain: rule("plain_source") };
}

test("the grammar accepts source with or without a pragma line and rejects empty input", () => {
  const { pragma, plain } = grammarAlternatives();
  const accepts = (input: string) => pragma.test(input) || plain.test(input);
  for (const input of ['text("hi")', "const a: number = 1;\n\ntext(a);\n", " ", "// just a comment"]) {
    assert.ok(accepts(input), JSON.stringify(input));
    assert.ok(!pragma.test(input), `${JSON.stringify(input)} is not a pragma source`);
  }
  for (
    const input of ['// @exec: {"yield_time_ms": 10}\ntext(1)', '\t  // @exec: {"max_output_tokens": 5}\r\ntext(1)']
  ) {
    assert.ok(pragma.test(input), JSON.stringify(input));
  }
  // The `// @exec:` spelling is exact: anything else is ordinary source.
  for (const input of ["//@exec: {}\ntext(1)", "x // @exec: {}\ntext(1)", "// @exec {}\ntext(1)"]) {
    assert.ok(!pragma.test(input), JSON.stringify(input));
  }
  assert.ok(!accepts(""));
});

function inputSchemas(format: Exclude<ToolSpecFormat, "responses">): ParametersSchema[] {
  switch (format) {
    case "chat":
      return toolSpecs("chat", GOLDEN_TOOLS).map((spec) => spec.function.parameters);
    case "anthropic":
      return toolSpecs("anthropic", GOLDEN_TOOLS).map((spec) => spec.input_schema);
    case "mcp":
      return toolSpecs("mcp", GOLDEN_TOOLS).map((spec) => spec.inputSchema);
  }
}

test("the chat, anthropic and mcp input schemas are valid JSON Schema objects that accept exactly the contract's arguments", () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const format of ["chat", "anthropic", "mcp"] as const) {
    const [exec, wait] = inputSchemas(format);
    for (const schema of [exec, wait]) {
      assert.equal(ajv.validateSchema(schema), true, `${format}: ${ajv.errorsText()}`);
      assert.equal(schema.type, "object");
    }
    const execValid = ajv.compile(exec);
    assert.ok(execValid({ code: 'text("hi")' }));
    assert.ok(!execValid({}));
    assert.ok(!execValid({ code: 1 }));
    const waitValid = ajv.compile(wait);
    assert.ok(waitValid({ cell_id: "1" }));
    assert.ok(waitValid({ cell_id: "1", yield_time_ms: 500, max_tokens: 100, terminate: true }));
    assert.ok(!waitValid({}));
    assert.ok(!waitValid({ cell_id: 1 }));
    assert.ok(!waitValid({ cell_id: "1", extra: true }));
  }
  const [, wait] = toolSpecs("responses", GOLDEN_TOOLS);
  assert.equal(wait.type === "function" && ajv.validateSchema(wait.parameters), true);
});

// ---- descriptions

test("the exec description covers every helper, the pragma, imports, yielding, the budget and the limits", () => {
  const [exec] = toolSpecs("anthropic", GOLDEN_TOOLS);
  for (
    const phrase of [
      "`text(",
      "`image(",
      "`generatedImage(",
      "`store(",
      "`load(",
      "`notify(",
      "`yield_control()`",
      "`exit()`",
      "`setTimeout(",
      "`clearTimeout(",
      "`console.log(",
      "`ALL_TOOLS`",
      "`tools.<name>(",
      "// @exec:",
      "TypeScript",
      '"codecell/helpers"',
      '"codecell/tools"',
      "Script running with cell ID <id>",
      "`wait`",
      "`terminate: true`",
      "`max_output_tokens` (default 10000",
      "512 MiB of heap, 15 min of run time, 16 MiB of output and 64 tool calls in flight; 128 live cells",
    ]
  ) {
    assert.ok(exec.description.includes(phrase), `missing ${phrase}`);
  }
});

test("the default exec description lists each nested tool on one line", () => {
  const [exec] = toolSpecs("mcp", GOLDEN_TOOLS);
  assert.ok(
    exec.description.endsWith(
      [
        "Nested tools (their full declarations are in `ALL_TOOLS`):",
        "- `lookup_order`: Find an order by its id.",
        "- `mcp__docs__search_docs`: Search the documentation.",
        "- `apply_patch` (takes a string): Apply a patch to the workspace.",
      ].join("\n"),
    ),
    exec.description,
  );
});

test("the code-mode-only description declares every tool, grouped by namespace, with the MCP preamble once", () => {
  const [exec] = toolSpecs("chat", GOLDEN_TOOLS, { codeModeOnly: true });
  const { description } = exec.function;
  const preamble = description.indexOf("MCP tools resolve with a `CallToolResult`:");
  const heading = description.indexOf("### Namespace `mcp__docs`");
  assert.ok(preamble > 0 && heading > preamble);
  assert.equal(description.split("type CallToolResult<").length, 2);
  // Un-namespaced tools come before the namespace heading; the namespaced one after it.
  assert.ok(description.indexOf("declare const tools: { lookup_order(") < heading);
  assert.ok(description.indexOf("declare const tools: { apply_patch(input: string): Promise<unknown>; };") < heading);
  assert.ok(description.indexOf("declare const tools: { mcp__docs__search_docs(") > heading);
});

test("without MCP tools there is no preamble, and without tools the list says so", () => {
  const plain = new ToolRegistry([defineTool({ name: "ping", run: () => "pong" })]).entries();
  const [exec] = toolSpecs("anthropic", plain, { codeModeOnly: true });
  assert.ok(!exec.description.includes("CallToolResult"));
  assert.ok(
    exec.description.endsWith(
      "```ts\ndeclare const tools: { ping(args: { [key: string]: unknown; }): Promise<unknown>; };\n```",
    ),
  );
  const [empty] = toolSpecs("anthropic", []);
  assert.ok(empty.description.endsWith("Nested tools: none in this session."));
});

test("the limits in the description follow the session's limits", () => {
  const limits = {
    ...DEFAULT_LIMITS,
    heapMiB: 2048,
    lifetimeMs: 90_000,
    outputBytes: 64 << 10,
    maxCells: 4,
    maxToolCallsInFlight: 8,
  };
  const [exec] = toolSpecs("mcp", [], { limits });
  assert.ok(
    exec.description.includes(
      "Limits: per cell 2 GiB of heap, 90 s of run time, 64 KiB of output and 8 tool calls in flight; " +
        "4 live cells per session.",
    ),
    exec.description,
  );
});

test("with console capture off the description does not offer console", () => {
  const [exec] = toolSpecs("mcp", [], { console: false });
  assert.ok(!exec.description.includes("console"));
});
