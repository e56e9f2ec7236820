import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { CodecellError } from "../contract/errors.ts";
import { defineTool, type ToolContext, type ToolDefinition } from "./define.ts";
import { toJsonValue, type ToolEntry, ToolRegistry } from "./registry.ts";
import { typeDeclarations } from "../typegen/declarations.ts";

function context(signal = new AbortController().signal): ToolContext {
  return { signal, cellId: "1", callId: "call-1" };
}

function entry(registry: ToolRegistry, name: string): ToolEntry {
  const found = registry.get(name);
  assert.ok(found, `no tool ${name}`);
  return found;
}

function single(definition: ToolDefinition): ToolEntry {
  const registry = new ToolRegistry([definition]);
  return entry(registry, registry.entries()[0].name);
}

const lookupOrder = defineTool({
  name: "lookup_order",
  description: "Find an order.",
  input: z.object({ order_id: z.string() }),
  output: z.object({ ok: z.boolean() }),
  run: (args) => ({ ok: args.order_id.startsWith("ord_") }),
});

const echoJson = defineTool({
  name: "echo",
  description: "Echo the message back.",
  inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
  outputSchema: { type: "object", properties: { echo: { type: "string" } }, required: ["echo"] },
  run: (args: { message: string }) => ({ echo: `ECHOING: ${args.message}` }),
});

// ---- names and ALL_TOOLS

test("ALL_TOOLS description: description, blank line, header, ts fence with the declaration (contract example)", () => {
  assert.deepEqual(new ToolRegistry([lookupOrder]).sandboxTools(), [
    {
      name: "lookup_order",
      kind: "function",
      description: "Find an order.\n\nexec tool declaration:\n```ts\n" +
        "declare const tools: { lookup_order(args: { order_id: string; }): Promise<{ ok: boolean; }>; };\n```",
    },
  ]);
});

test("sandbox tools use normalized, namespaced names; no output schema declares unknown; freeform takes a string", () => {
  const registry = new ToolRegistry([
    defineTool({ name: "echo-tool", description: "Echo.", run: () => null }),
    defineTool({ name: "get-sum", namespace: "mcp__everything", description: "Add.", run: () => 0 }),
    defineTool({
      name: "shout",
      kind: "freeform",
      description: "Shout.",
      outputSchema: { type: "string" },
      run: (s) => s,
    }),
  ]);
  assert.deepEqual(registry.sandboxTools(), [
    {
      name: "echo_tool",
      kind: "function",
      description: "Echo.\n\nexec tool declaration:\n```ts\n" +
        "declare const tools: { echo_tool(args: { [key: string]: unknown; }): Promise<unknown>; };\n```",
    },
    {
      name: "mcp__everything__get_sum",
      kind: "function",
      description: "Add.\n\nexec tool declaration:\n```ts\n" +
        "declare const tools: { mcp__everything__get_sum(args: { [key: string]: unknown; }): Promise<unknown>; };\n```",
    },
    {
      name: "shout",
      kind: "freeform",
      description: "Shout.\n\nexec tool declaration:\n```ts\n" +
        "declare const tools: { shout(input: string): Promise<string>; };\n```",
    },
  ]);
});

test("a recursive schema is declared in ALL_TOOLS as in the session's .d.ts: with a named alias", () => {
  const tree = defineTool({
    name: "walk",
    description: "Walk a tree.",
    inputSchema: {
      type: "object",
      properties: { root: { $ref: "#/$defs/node" } },
      required: ["root"],
      $defs: { node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/$defs/node" } } } } },
    },
    run: () => null,
  });
  const registry = new ToolRegistry([tree]);
  const declaration = [
    "type node = { children?: Array<node>; };",
    "declare const tools: { walk(args: { root: node; }): Promise<unknown>; };",
  ].join("\n");
  assert.equal(
    entry(registry, "walk").description,
    `Walk a tree.\n\nexec tool declaration:\n\`\`\`ts\n${declaration}\n\`\`\``,
  );
  const dts = typeDeclarations(registry.entries());
  assert.ok(dts.includes("type node = { children?: Array<node>; };"), dts);
  assert.ok(dts.includes("  walk(args: { root: node; }): Promise<unknown>;"), dts);
});

test("ToolRegistry.of builds one registry per list of definitions", () => {
  const list = [lookupOrder, echoJson];
  assert.equal(ToolRegistry.of(list), ToolRegistry.of(list));
  assert.notEqual(ToolRegistry.of(list), ToolRegistry.of([...list]));
});

test("entries are found by their normalized name only, and expose their declaration", () => {
  const registry = new ToolRegistry([echoJson, defineTool({ name: "echo-tool", run: () => null })]);
  assert.deepEqual(
    {
      size: registry.size,
      names: registry.entries().map((e) => e.name),
      normalized: registry.get("echo_tool")?.name,
      original: registry.get("echo-tool"),
      declaration: registry.get("echo")?.declaration,
    },
    {
      size: 2,
      names: ["echo", "echo_tool"],
      normalized: "echo_tool",
      original: undefined,
      declaration: "declare const tools: { echo(args: { message: string; }): Promise<{ echo: string; }>; };",
    },
  );
});

test("two tools that normalize to the same name are a collision error naming both", () => {
  const error = captureError(() =>
    new ToolRegistry([
      defineTool({ name: "echo-tool", run: () => null }),
      defineTool({ name: "echo_tool", run: () => null }),
    ])
  );
  assert.deepEqual(codeAndMessage(error), {
    code: "tool_name_collision",
    message: "tools `echo-tool` and `echo_tool` both become `echo_tool` in the sandbox; rename one of them",
  });
});

test("a namespaced tool colliding with a plain one names the namespace", () => {
  const error = captureError(() =>
    new ToolRegistry([
      defineTool({ name: "mcp__gh__search", run: () => null }),
      defineTool({ name: "search", namespace: "mcp__gh", run: () => null }),
    ])
  );
  assert.deepEqual(codeAndMessage(error), {
    code: "tool_name_collision",
    message: "tools `mcp__gh__search` and `search` (namespace `mcp__gh`) both become `mcp__gh__search` in the " +
      "sandbox; rename one of them",
  });
});

test("the same definition twice is a collision too", () => {
  assert.deepEqual(codeAndMessage(captureError(() => new ToolRegistry([echoJson, echoJson]))), {
    code: "tool_name_collision",
    message: "tools `echo` and `echo` both become `echo` in the sandbox; rename one of them",
  });
});

test("a value not made by defineTool is rejected", () => {
  const raw = { name: "x", run: () => null } as unknown as ToolDefinition;
  assert.deepEqual(codeAndMessage(captureError(() => new ToolRegistry([echoJson, raw]))), {
    code: "invalid_tool",
    message: "tools[1] was not created by defineTool",
  });
});

test("128 tools register in milliseconds", () => {
  const definitions = Array.from({ length: 128 }, (_, i) =>
    i % 2 === 0
      ? defineTool({
        name: `tool-${i}`,
        description: `Tool ${i}.`,
        inputSchema: {
          type: "object",
          properties: {
            id: { type: "string" },
            count: { type: "integer" },
            tags: { type: "array", items: { type: "string" } },
          },
          required: ["id"],
        },
        outputSchema: { type: "object", properties: { ok: { type: "boolean" } } },
        run: () => ({ ok: true }),
      })
      : defineTool({
        name: `tool-${i}`,
        input: z.object({ id: z.string(), count: z.int().optional(), tags: z.array(z.string()).default([]) }),
        output: z.object({ ok: z.boolean() }),
        run: () => ({ ok: true }),
      }));
  const started = performance.now();
  const registry = new ToolRegistry(definitions);
  const elapsed = performance.now() - started;
  assert.deepEqual([registry.sandboxTools().length, registry.get("tool_127")?.name], [128, "tool_127"]);
  assert.ok(elapsed < 100, `took ${elapsed.toFixed(1)} ms`);
});

// ---- defineTool checks its definition

test("malformed definitions throw invalid_tool with a clear message", () => {
  const cases: [string, () => unknown][] = [
    ["not an object", () => Reflect.apply(defineTool, undefined, ["echo"])],
    ["no name", () => Reflect.apply(defineTool, undefined, [{ run: () => null }])],
    ["no run", () => Reflect.apply(defineTool, undefined, [{ name: "a" }])],
    [
      "both inputs",
      () => Reflect.apply(defineTool, undefined, [{ name: "a", input: z.object({}), inputSchema: {}, run: () => 1 }]),
    ],
    [
      "both outputs",
      () => defineTool({ name: "a", output: z.string(), outputSchema: { type: "string" }, run: () => 1 }),
    ],
    [
      "freeform with input",
      () => Reflect.apply(defineTool, undefined, [{ name: "a", kind: "freeform", inputSchema: {}, run: () => 1 }]),
    ],
    [
      "input not zod",
      () => Reflect.apply(defineTool, undefined, [{ name: "a", input: { type: "object" }, run: () => 1 }]),
    ],
    ["input not an object", () => defineTool({ name: "a", input: z.string(), run: () => 1 })],
    ["unknown field", () => Reflect.apply(defineTool, undefined, [{ name: "a", input_schema: {}, run: () => 1 }])],
    ["bad kind", () => Reflect.apply(defineTool, undefined, [{ name: "a", kind: "raw", run: () => 1 }])],
    ["empty namespace", () => defineTool({ name: "a", namespace: "", run: () => 1 })],
    [
      "needsApproval a string",
      () => Reflect.apply(defineTool, undefined, [{ name: "a", needsApproval: "yes", run: () => 1 }]),
    ],
  ];
  assert.deepEqual(
    cases.map(([label, define]) => [label, codeAndMessage(captureError(define))]),
    [
      ["not an object", {
        code: "invalid_tool",
        message: "defineTool expects an object with at least `name` and `run`",
      }],
      ["no name", { code: "invalid_tool", message: "a tool needs a non-empty string `name`" }],
      ["no run", { code: "invalid_tool", message: "tool `a` needs a `run` function" }],
      ["both inputs", {
        code: "invalid_tool",
        message: "tool `a` has both `input` (zod) and `inputSchema` (JSON Schema); keep one",
      }],
      ["both outputs", {
        code: "invalid_tool",
        message: "tool `a` has both `output` (zod) and `outputSchema` (JSON Schema); keep one",
      }],
      ["freeform with input", {
        code: "invalid_tool",
        message: "tool `a` is freeform (it takes a raw string), so it cannot have an input schema",
      }],
      ["input not zod", { code: "invalid_tool", message: "tool `a`: `input` must be a zod schema" }],
      ["input not an object", {
        code: "invalid_tool",
        message: "tool `a`: the input schema must describe a JSON object (function tools take an object of " +
          'arguments); use `kind: "freeform"` for a tool that takes a raw string',
      }],
      ["unknown field", {
        code: "invalid_tool",
        message: "tool `a` has an unknown field `input_schema` (known: name, description, namespace, kind, input, " +
          "inputSchema, output, outputSchema, run, needsApproval)",
      }],
      ["bad kind", { code: "invalid_tool", message: 'tool `a`: `kind` must be "function" or "freeform"' }],
      ["empty namespace", { code: "invalid_tool", message: "tool `a`: `namespace` must be a non-empty string" }],
      ["needsApproval a string", {
        code: "invalid_tool",
        message: "tool `a`: `needsApproval` must be a boolean or a function of the arguments",
      }],
    ],
  );
});

test("a definition exposes its JSON Schemas, from zod without $schema", () => {
  const { name, namespace, description, kind, inputSchema, outputSchema } = lookupOrder;
  assert.deepEqual({ name, namespace, description, kind, inputSchema, outputSchema }, {
    name: "lookup_order",
    namespace: undefined,
    description: "Find an order.",
    kind: "function",
    inputSchema: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
    outputSchema: {
      type: "object",
      properties: { ok: { type: "boolean" } },
      required: ["ok"],
      additionalProperties: false,
    },
  });
});

test("a JSON Schema given by the host is copied, so later edits change nothing", () => {
  const schema = { type: "object", properties: { a: { type: "string" } } };
  const definition = defineTool({ name: "a", inputSchema: schema, run: () => 1 });
  schema.properties.a.type = "number";
  assert.deepEqual(definition.inputSchema, { type: "object", properties: { a: { type: "string" } } });
});

// ---- calls

test("a valid call runs the handler with the parsed arguments and returns its result", async () => {
  const seen: unknown[] = [];
  const tool = single(defineTool({
    name: "search",
    input: z.object({ query: z.string(), limit: z.number().default(10) }),
    run: (args) => {
      seen.push(args);
      return { hits: [args.query], limit: args.limit };
    },
  }));
  assert.deepEqual(await tool.call({ query: "x" }, context()), { ok: true, value: { hits: ["x"], limit: 10 } });
  assert.deepEqual(seen, [{ query: "x", limit: 10 }]);
});

test("sync and async handlers give the same result; a thrown error or rejection gives its message", async () => {
  const tools = new ToolRegistry([
    defineTool({ name: "sync", run: () => "s" }),
    defineTool({ name: "async", run: async () => await Promise.resolve("a") }),
    defineTool({
      name: "throws",
      run: () => {
        throw new Error("handler exploded");
      },
    }),
    defineTool({ name: "rejects", run: () => Promise.reject(new TypeError("bad")) }),
    defineTool({ name: "throws_string", run: () => Promise.reject("plain text") }),
  ]);
  const results = await Promise.all(
    ["sync", "async", "throws", "rejects", "throws_string"].map((name) => entry(tools, name).call({}, context())),
  );
  assert.deepEqual(results, [
    { ok: true, value: "s" },
    { ok: true, value: "a" },
    { ok: false, error: "handler exploded" },
    { ok: false, error: "bad" },
    { ok: false, error: "plain text" },
  ]);
});

test("invalid arguments are rejected with the validation message and the handler does not run", async () => {
  let runs = 0;
  const registry = new ToolRegistry([
    defineTool({
      name: "zod-echo",
      input: z.object({ message: z.string() }),
      run: () => ++runs,
    }),
    defineTool({
      name: "json-echo",
      inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
      run: () => ++runs,
    }),
  ]);
  const results = await Promise.all([
    entry(registry, "zod_echo").call({ message: 1 }, context()),
    entry(registry, "json_echo").call({ message: 1 }, context()),
    entry(registry, "json_echo").call({}, context()),
  ]);
  assert.deepEqual({ results, runs }, {
    results: [
      { ok: false, error: "invalid arguments for tool `zod_echo`:\n- message: expected string, received number" },
      { ok: false, error: "invalid arguments for tool `json_echo`:\n- message: expected string, received number" },
      { ok: false, error: "invalid arguments for tool `json_echo`:\n- message: missing required property" },
    ],
    runs: 0,
  });
});

test("function tools take undefined as {} and reject non-objects with the contract message", async () => {
  const calls: unknown[] = [];
  const tool = single(defineTool({ name: "echo-tool", run: (args) => calls.push(args) }));
  const results = await Promise.all([undefined, null, [], "text", 5].map((input) => tool.call(input, context())));
  assert.deepEqual({ results, calls }, {
    results: [
      { ok: true, value: 1 },
      { ok: false, error: "tool `echo_tool` expects a JSON object for arguments" },
      { ok: false, error: "tool `echo_tool` expects a JSON object for arguments" },
      { ok: false, error: "tool `echo_tool` expects a JSON object for arguments" },
      { ok: false, error: "tool `echo_tool` expects a JSON object for arguments" },
    ],
    calls: [{}],
  });
});

test("freeform tools receive the raw string and reject anything else", async () => {
  const tool = single(
    defineTool({ name: "shout", kind: "freeform", run: (input) => Promise.resolve(input.toUpperCase()) }),
  );
  const results = await Promise.all(
    ["hi there", { text: "hi" }, undefined].map((input) => tool.call(input, context())),
  );
  assert.deepEqual(results, [
    { ok: true, value: "HI THERE" },
    { ok: false, error: "tool `shout` expects a string input" },
    { ok: false, error: "tool `shout` expects a string input" },
  ]);
});

test("the handler receives the call's abort signal, cell id and call id", async () => {
  const controller = new AbortController();
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const tool = single(defineTool({
    name: "block",
    run: (_args, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener("abort", () => reject(new Error(`aborted ${ctx.cellId}/${ctx.callId}`)));
        started();
      }),
  }));
  const pending = tool.call({}, context(controller.signal));
  await running;
  controller.abort();
  assert.deepEqual(await pending, { ok: false, error: "aborted 1/call-1" });
});

test("a handler written as a method keeps its this", async () => {
  const tool = single(defineTool({
    name: "counter",
    run() {
      return this.name === "counter" ? "kept" : "lost";
    },
  }));
  assert.deepEqual(await tool.call({}, context()), { ok: true, value: "kept" });
});

// ---- results as JSON

test("results are copied as JSON: Dates become strings, undefined properties are omitted, undefined is null", async () => {
  const when = new Date("2026-01-02T03:04:05.000Z");
  const tool = single(
    defineTool({ name: "r", run: (args) => (args.empty ? undefined : { when, gone: undefined, n: -0 }) }),
  );
  assert.deepEqual(await Promise.all([tool.call({}, context()), tool.call({ empty: true }, context())]), [
    { ok: true, value: { when: "2026-01-02T03:04:05.000Z", n: 0 } },
    { ok: true, value: null },
  ]);
});

test("a result that is not JSON-serializable rejects the call with the reason and where", async () => {
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const values: Record<string, unknown> = {
    fn: { items: [{ format: () => "x" }] },
    symbol: Symbol("s"),
    bigint: { count: 10n },
    nan: { ratio: NaN },
    infinity: [Infinity],
    cycle: cyclic,
    map: { index: new Map() },
    promise: { pending: Promise.resolve(1) },
    bytes: { data: new Uint8Array(2) },
    hole: [1, undefined],
    error: new Error("oops"),
  };
  const registry = new ToolRegistry(
    Object.entries(values).map(([name, value]) => defineTool({ name, run: () => value })),
  );
  const errors = await Promise.all(
    Object.keys(values).map(async (name) => {
      const result = await entry(registry, name).call({}, context());
      return result.ok ? "ok" : result.error;
    }),
  );
  assert.deepEqual(errors, [
    "tool `fn` returned a value that is not JSON-serializable: a function at items[0].format",
    "tool `symbol` returned a value that is not JSON-serializable: a symbol at (root)",
    "tool `bigint` returned a value that is not JSON-serializable: a BigInt (10n) at count",
    "tool `nan` returned a value that is not JSON-serializable: the number NaN at ratio",
    "tool `infinity` returned a value that is not JSON-serializable: the number Infinity at [0]",
    "tool `cycle` returned a value that is not JSON-serializable: a circular reference at self",
    "tool `map` returned a value that is not JSON-serializable: a Map at index",
    "tool `promise` returned a value that is not JSON-serializable: a Promise (missing await?) at pending",
    "tool `bytes` returned a value that is not JSON-serializable: a Uint8Array at data",
    "tool `hole` returned a value that is not JSON-serializable: undefined at [1]",
    "tool `error` returned a value that is not JSON-serializable: an Error at (root)",
  ]);
});

test("toJsonValue keeps shared (non-cyclic) references and __proto__ keys as data", () => {
  const shared = { v: 1 };
  const parsed = JSON.parse('{"__proto__": {"x": 1}}');
  assert.deepEqual(
    [toJsonValue({ a: shared, b: [shared] }), toJsonValue(parsed), toJsonValue({ toJSON: () => ({ custom: true }) })],
    [
      { ok: true, value: { a: { v: 1 }, b: [{ v: 1 }] } },
      { ok: true, value: parsed },
      { ok: true, value: { custom: true } },
    ],
  );
});

test("a getter that throws while the result is copied rejects the call", async () => {
  const tool = single(defineTool({
    name: "g",
    run: () => ({
      get broken() {
        throw new Error("getter failed");
      },
    }),
  }));
  assert.deepEqual(await tool.call({}, context()), {
    ok: false,
    error: "tool `g` returned a value that is not JSON-serializable: getter failed",
  });
});

// ---- helpers

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

function codeAndMessage(error: unknown): { code: string; message: string } | unknown {
  return error instanceof CodecellError ? { code: error.code, message: error.message } : error;
}
