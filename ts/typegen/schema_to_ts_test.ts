import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { schemaToTs, schemaToTsWithAliases, toolDeclaration } from "./schema_to_ts.ts";

const DENO = fileURLToPath(new URL("../../node_modules/@deno/linux-x64-glibc/deno", import.meta.url));

/** The declaration codecell prints for a function tool with JSON Schema input and optional output. */
function declare(name: string, input: unknown, output?: unknown): string {
  const outputTs = output === undefined ? "unknown" : schemaToTs(output);
  return toolDeclaration(name, { kind: "function", ts: schemaToTs(input) }, outputTs);
}

/** A tool's declaration block with its aliases first, input and output sharing one set of alias names. */
function declareWithAliases(name: string, input: unknown, output?: unknown): string {
  const taken = new Set<string>();
  const inputTs = schemaToTsWithAliases(input, { taken });
  const outputTs = output === undefined ? { type: "unknown", aliases: [] } : schemaToTsWithAliases(output, { taken });
  const declaration = toolDeclaration(name, { kind: "function", ts: inputTs.type }, outputTs.type);
  return [...inputTs.aliases, ...outputTs.aliases, declaration].join("\n");
}

const ORDER_INPUT = { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] };
const ORDER_OUTPUT = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };

// ---------------------------------------------------------------------------------------------------------------
// Declarations (docs/contract.md §5, §7)

test("the lookup_order declaration matches the contract byte for byte", () => {
  assert.equal(
    declare("lookup_order", ORDER_INPUT, ORDER_OUTPUT),
    "declare const tools: { lookup_order(args: { order_id: string; }): Promise<{ ok: boolean; }>; };",
  );
});

test("the echo declaration matches the contract byte for byte", () => {
  const input = { type: "object", properties: { message: { type: "string" } }, required: ["message"] };
  const output = { type: "object", properties: { echo: { type: "string" } }, required: ["echo"] };
  assert.equal(
    declare("echo", input, output),
    "declare const tools: { echo(args: { message: string; }): Promise<{ echo: string; }>; };",
  );
});

test("a tool without an output schema returns Promise<unknown>", () => {
  assert.equal(
    declare("lookup_order", ORDER_INPUT),
    "declare const tools: { lookup_order(args: { order_id: string; }): Promise<unknown>; };",
  );
});

test("a freeform tool takes a string input", () => {
  assert.equal(
    toolDeclaration("apply_patch", { kind: "freeform" }, "unknown"),
    "declare const tools: { apply_patch(input: string): Promise<unknown>; };",
  );
});

test("the tool name is normalized to the global identifier", () => {
  assert.equal(
    toolDeclaration("echo-tool", { kind: "function", ts: "{}" }, "unknown"),
    "declare const tools: { echo_tool(args: {}): Promise<unknown>; };",
  );
  assert.equal(
    toolDeclaration("9 lives", { kind: "freeform" }, "unknown"),
    "declare const tools: { __lives(input: string): Promise<unknown>; };",
  );
  assert.equal(
    toolDeclaration("", { kind: "freeform" }, "unknown"),
    "declare const tools: { _(input: string): Promise<unknown>; };",
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Basic schemas

test("true and the empty schema are unknown, false is never", () => {
  assert.equal(schemaToTs(true), "unknown");
  assert.equal(schemaToTs({}), "unknown");
  assert.equal(schemaToTs(false), "never");
});

test("anything that is not a schema renders unknown", () => {
  assert.equal(schemaToTs(null), "unknown");
  assert.equal(schemaToTs("string"), "unknown");
  assert.equal(schemaToTs([{ type: "string" }]), "unknown");
});

test("primitive types map to their TypeScript names", () => {
  assert.equal(schemaToTs({ type: "string" }), "string");
  assert.equal(schemaToTs({ type: "number" }), "number");
  assert.equal(schemaToTs({ type: "integer" }), "number");
  assert.equal(schemaToTs({ type: "boolean" }), "boolean");
  assert.equal(schemaToTs({ type: "null" }), "null");
  assert.equal(schemaToTs({ type: "date" }), "unknown");
});

test("a type list is a union, with null when listed", () => {
  assert.equal(schemaToTs({ type: ["string", "null"] }), "string | null");
  assert.equal(schemaToTs({ type: ["integer", "number", "integer"] }), "number | number");
  assert.equal(
    schemaToTs({ type: ["object", "null"], properties: { a: { type: "string" } } }),
    "{ a?: string; } | null",
  );
});

test("const and enum render JSON literal unions", () => {
  assert.equal(schemaToTs({ const: "circle" }), '"circle"');
  assert.equal(schemaToTs({ type: "string", const: 'say "hi"' }), '"say \\"hi\\""');
  assert.equal(schemaToTs({ const: null }), "null");
  assert.equal(schemaToTs({ enum: ["a", 1, true, null] }), '"a" | 1 | true | null');
  assert.equal(schemaToTs({ enum: [{ a: 1 }, [1, "2"]] }), '{"a":1} | [1,"2"]');
  assert.equal(schemaToTs({ type: "string", enum: [] }), "never");
});

test("anyOf and oneOf are unions, allOf an intersection", () => {
  assert.equal(schemaToTs({ anyOf: [{ type: "string" }, { type: "number" }] }), "string | number");
  assert.equal(schemaToTs({ oneOf: [{ const: 1 }, { const: 2 }, { type: "null" }] }), "1 | 2 | null");
  const a = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
  const b = { type: "object", properties: { b: { type: "number" } }, required: ["b"] };
  assert.equal(schemaToTs({ allOf: [a, b] }), "{ a: string; } & { b: number; }");
});

test("a union inside an intersection is parenthesized", () => {
  const a = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
  const b = { type: "object", properties: { b: { type: "number" } }, required: ["b"] };
  const named = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
  assert.equal(
    schemaToTs({ allOf: [named, { oneOf: [a, b] }] }),
    "{ name: string; } & ({ a: string; } | { b: number; })",
  );
});

test("object keywords beside a union intersect with it, and unconstraining variants add nothing", () => {
  const schema = {
    type: "object",
    properties: { a: { type: "string" }, b: { type: "string" } },
    oneOf: [{ required: ["a"] }, { required: ["b"] }],
  };
  assert.equal(schemaToTs(schema), "{ a?: string; b?: string; }");
  assert.equal(schemaToTs({ anyOf: [{ type: "string" }, {}] }), "string | unknown");
  assert.equal(schemaToTs({ allOf: [{ type: "string" }, {}] }), "string");
});

test("nullable: true adds null once", () => {
  assert.equal(schemaToTs({ type: "string", nullable: true }), "string | null");
  assert.equal(schemaToTs({ type: ["string", "null"], nullable: true }), "string | null");
  assert.equal(schemaToTs({ enum: ["a", "b"], nullable: true }), '"a" | "b" | null');
  assert.equal(schemaToTs({ type: "string", nullable: false }), "string");
});

test("unknown keywords are ignored", () => {
  assert.equal(
    schemaToTs({ type: "string", format: "uuid", minLength: 3, "x-vendor": { $ref: "#/nowhere" }, title: "Id" }),
    "string",
  );
  assert.equal(schemaToTs({ not: { type: "string" } }), "unknown");
});

// ---------------------------------------------------------------------------------------------------------------
// Arrays and tuples

test("arrays render Array<T>, unknown items when none are given", () => {
  assert.equal(schemaToTs({ type: "array", items: { type: "string" } }), "Array<string>");
  assert.equal(schemaToTs({ items: { type: ["number", "null"] } }), "Array<number | null>");
  assert.equal(schemaToTs({ type: "array" }), "Array<unknown>");
  assert.equal(schemaToTs({ type: "array", items: true }), "Array<unknown>");
  assert.equal(schemaToTs({ type: "array", items: false }), "[]");
});

test("prefixItems render a tuple, closed by items: false or by its absence", () => {
  const pair = [{ type: "number" }, { type: "string" }];
  assert.equal(schemaToTs({ type: "array", prefixItems: pair, items: false }), "[number, string]");
  assert.equal(schemaToTs({ type: "array", prefixItems: pair }), "[number, string]");
});

test("a tuple with an items schema gets a rest element", () => {
  const pair = [{ type: "number" }, { type: "string" }];
  assert.equal(
    schemaToTs({ type: "array", prefixItems: pair, items: { type: "boolean" } }),
    "[number, string, ...Array<boolean>]",
  );
  assert.equal(schemaToTs({ type: "array", prefixItems: pair, items: true }), "[number, string, ...Array<unknown>]");
});

test("draft-07 array items are a tuple, additionalItems its rest", () => {
  const pair = [{ type: "number" }, { type: "string" }];
  assert.equal(schemaToTs({ type: "array", items: pair, additionalItems: false }), "[number, string]");
  assert.equal(schemaToTs({ type: "array", items: pair }), "[number, string]");
  assert.equal(
    schemaToTs({ type: "array", items: pair, additionalItems: { type: "null" } }),
    "[number, string, ...Array<null>]",
  );
});

test("tuple elements past minItems are optional", () => {
  const items = [{ type: "string" }, { type: ["number", "null"] }, { type: "boolean" }];
  assert.equal(
    schemaToTs({ type: "array", prefixItems: items, items: false, minItems: 1 }),
    "[string, (number | null)?, boolean?]",
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Objects

test("object properties are sorted, optional unless required", () => {
  const schema = {
    type: "object",
    properties: { zeta: { type: "string" }, Alpha: { type: "number" }, alpha: { type: "boolean" }, _x: {} },
    required: ["alpha", "zeta", "missing"],
  };
  assert.equal(schemaToTs(schema), "{ Alpha?: number; _x?: unknown; alpha: boolean; zeta: string; }");
});

test("keys that are not identifiers are quoted", () => {
  const schema = {
    type: "object",
    properties: { "line-items": { type: "string" }, "2fa": { type: "string" }, $ok: { type: "string" }, "": {} },
    required: ["line-items"],
  };
  assert.equal(schemaToTs(schema), '{ ""?: unknown; $ok?: string; "2fa"?: string; "line-items": string; }');
});

test("additionalProperties false adds nothing", () => {
  assert.equal(
    schemaToTs({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false }),
    "{ a?: string; }",
  );
});

test("additionalProperties true adds an unknown index signature", () => {
  assert.equal(
    schemaToTs({ type: "object", properties: { a: { type: "string" } }, additionalProperties: true }),
    "{ a?: string; [key: string]: unknown; }",
  );
  assert.equal(schemaToTs({ type: "object", additionalProperties: true }), "{ [key: string]: unknown; }");
});

test("an additionalProperties schema types the index signature only when there are no properties", () => {
  assert.equal(
    schemaToTs({ type: "object", additionalProperties: { type: "number" } }),
    "{ [key: string]: number; }",
  );
  assert.equal(
    schemaToTs({ type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "number" } }),
    "{ a?: string; [key: string]: unknown; }",
  );
});

test("an object with neither properties nor additionalProperties is an open record", () => {
  assert.equal(schemaToTs({ type: "object" }), "{ [key: string]: unknown; }");
  assert.equal(schemaToTs({ type: "object", properties: {} }), "{ [key: string]: unknown; }");
});

test("an empty closed object is {}", () => {
  assert.equal(schemaToTs({ type: "object", properties: {}, additionalProperties: false }), "{}");
  assert.equal(schemaToTs({ type: "object", additionalProperties: false }), "{}");
});

test("properties without a type keyword still make an object", () => {
  assert.equal(
    schemaToTs({ properties: { a: { type: "string" } }, required: ["a"] }),
    "{ a: string; }",
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Descriptions

test("a property description puts the object on several lines with a comment above the property", () => {
  const schema = {
    type: "object",
    description: "not a property: no comment",
    properties: { city: { type: "string", description: "City name" }, days: { type: "integer" } },
    required: ["city"],
  };
  assert.equal(schemaToTs(schema), "{\n  // City name\n  city: string;\n  days?: number;\n}");
});

test("a multi-line description gives one comment line per line", () => {
  const schema = {
    type: "object",
    properties: { q: { type: "string", description: "\nFirst line\r\n\n  indented\u2028last  \n\n" } },
  };
  assert.equal(schemaToTs(schema), "{\n  // First line\n  //\n  //   indented\n  // last\n  q?: string;\n}");
});

test("nested objects with descriptions are indented two spaces per level", () => {
  const schema = {
    type: "object",
    properties: {
      outer: {
        type: "object",
        properties: {
          inner: { type: "string", description: "Deep" },
          list: {
            type: "array",
            items: { type: "object", properties: { x: { type: "number", description: "X" } }, required: ["x"] },
          },
        },
      },
      plain: { type: "object", properties: { a: { type: "string" } } },
    },
    additionalProperties: true,
  };
  assert.equal(
    schemaToTs(schema),
    [
      "{",
      "  outer?: {",
      "    // Deep",
      "    inner?: string;",
      "    list?: Array<{",
      "      // X",
      "      x: number;",
      "    }>;",
      "  };",
      "  plain?: { a?: string; };",
      "  [key: string]: unknown;",
      "}",
    ].join("\n"),
  );
});

const ESCAPES = {
  type: "object",
  properties: { "a*/b": { const: "x*/y", description: "ends */ here /* and */" } },
  required: ["a*/b"],
};

test("comment ends are escaped in descriptions, keys and literals", () => {
  assert.equal(schemaToTs(ESCAPES), '{\n  // ends *\\/ here /* and *\\/\n  "a*\\/b": "x*\\/y";\n}');
});

test("a tool declaration keeps a multi-line input type", () => {
  const input = {
    type: "object",
    properties: { query: { type: "string", description: "Search text" } },
    required: ["query"],
  };
  assert.equal(
    declare("search", input, ORDER_OUTPUT),
    "declare const tools: { search(args: {\n  // Search text\n  query: string;\n}): Promise<{ ok: boolean; }>; };",
  );
});

// ---------------------------------------------------------------------------------------------------------------
// $ref

test("non-recursive refs to $defs and definitions are inlined", () => {
  const schema = {
    type: "object",
    properties: { a: { $ref: "#/$defs/Point" }, b: { $ref: "#/definitions/Mode" } },
    required: ["a"],
    $defs: { Point: { type: "object", properties: { x: { type: "number" } }, required: ["x"] } },
    definitions: { Mode: { enum: ["fast", "safe"] } },
  };
  const expected = '{ a: { x: number; }; b?: "fast" | "safe"; }';
  assert.equal(schemaToTs(schema), expected);
  assert.deepEqual(schemaToTsWithAliases(schema), { type: expected, aliases: [] });
});

test("refs are JSON pointers: percent-encoded and ~-escaped segments resolve", () => {
  const schema = {
    anyOf: [{ $ref: "#/$defs/a~1b" }, { $ref: "#/%24defs/with%20space" }, { $ref: "#/$defs/list/1" }],
    $defs: { "a/b": { type: "string" }, "with space": { type: "number" }, list: [false, { type: "null" }] },
  };
  assert.equal(schemaToTs(schema), "string | number | null");
});

test("a ref that does not resolve renders unknown", () => {
  assert.equal(schemaToTs({ $ref: "#/$defs/Missing" }), "unknown");
  assert.equal(schemaToTs({ $ref: "https://example.com/schema.json" }), "unknown");
  assert.equal(schemaToTs({ $ref: "#anchor", $defs: { anchor: { type: "string" } } }), "unknown");
  assert.equal(schemaToTs({ $ref: "#/%E0%A4%A" }), "unknown");
});

const TREE = {
  $ref: "#/$defs/Tree",
  $defs: {
    Tree: {
      type: "object",
      properties: { value: { type: "number" }, children: { type: "array", items: { $ref: "#/$defs/Tree" } } },
      required: ["value", "children"],
    },
  },
};

test("a self-referencing definition becomes a named alias", () => {
  assert.deepEqual(schemaToTsWithAliases(TREE), {
    type: "Tree",
    aliases: ["type Tree = { children: Array<Tree>; value: number; };"],
  });
});

test("without aliases a recursive definition is expanded once, its self-references unknown", () => {
  assert.equal(schemaToTs(TREE), "{ children: Array<unknown>; value: number; }");
});

test("mutually recursive definitions each get an alias, in order of first reference", () => {
  const schema = {
    type: "object",
    properties: { root: { $ref: "#/definitions/Folder" } },
    required: ["root"],
    definitions: {
      Folder: {
        type: "object",
        properties: { name: { type: "string" }, entries: { type: "array", items: { $ref: "#/definitions/Entry" } } },
        required: ["name", "entries"],
      },
      Entry: { anyOf: [{ $ref: "#/definitions/Folder" }, { $ref: "#/definitions/File" }] },
      File: { type: "object", properties: { size: { type: "integer" } }, required: ["size"] },
    },
  };
  assert.deepEqual(schemaToTsWithAliases(schema), {
    type: "{ root: Folder; }",
    aliases: [
      "type Folder = { entries: Array<Entry>; name: string; };",
      "type Entry = Folder | { size: number; };",
    ],
  });
  assert.equal(schemaToTs(schema), "{ root: { entries: Array<unknown>; name: string; }; }");
});

test('a root referenced with "$ref": "#" is the alias Root', () => {
  const schema = {
    type: "object",
    properties: { name: { type: "string" }, next: { anyOf: [{ $ref: "#" }, { type: "null" }] } },
    required: ["name"],
  };
  assert.deepEqual(schemaToTsWithAliases(schema), {
    type: "Root",
    aliases: ["type Root = { name: string; next?: Root | null; };"],
  });
  assert.equal(schemaToTs(schema), "{ name: string; next?: unknown | null; }");
});

test("a reference that would make an alias circular is cut to unknown", () => {
  const direct = { $ref: "#/$defs/A", $defs: { A: { anyOf: [{ $ref: "#/$defs/A" }, { type: "string" }] } } };
  assert.deepEqual(schemaToTsWithAliases(direct), { type: "A", aliases: ["type A = unknown | string;"] });
  const mutual = {
    $ref: "#/$defs/A",
    $defs: { A: { allOf: [{ $ref: "#/$defs/B" }] }, B: { anyOf: [{ $ref: "#/$defs/A" }, { type: "number" }] } },
  };
  // A's reference to B is where the loop A → B → A closes, seen from A.
  assert.deepEqual(schemaToTsWithAliases(mutual), { type: "A", aliases: ["type A = unknown;"] });
  const restLoop = {
    $ref: "#/$defs/Expr",
    $defs: {
      Expr: {
        anyOf: [{ type: "string" }, {
          type: "array",
          prefixItems: [{ type: "string" }],
          items: { $ref: "#/$defs/Expr" },
        }],
      },
    },
  };
  assert.deepEqual(schemaToTsWithAliases(restLoop), {
    type: "Expr",
    aliases: ["type Expr = string | [string, ...Array<unknown>];"],
  });
});

const PAIRS = {
  $ref: "#/$defs/Pair",
  $defs: {
    Pair: {
      anyOf: [
        { type: "array", prefixItems: [{ $ref: "#/$defs/Pair" }, { type: "string" }], items: false },
        { type: "array", prefixItems: [{ $ref: "#/$defs/Pair" }], items: { type: "number" } },
        { type: "null" },
      ],
    },
  },
};

test("recursion through a closed tuple's element is kept, through a tuple with a rest it is cut", () => {
  assert.deepEqual(schemaToTsWithAliases(PAIRS), {
    type: "Pair",
    aliases: ["type Pair = [Pair, string] | [unknown, ...Array<number>] | null;"],
  });
});

test("alias names are identifiers that avoid each other, reserved names and taken names", () => {
  const schema = {
    type: "object",
    properties: {
      a: { $ref: "#/$defs/tree-node" },
      b: { $ref: "#/$defs/tree_node" },
      c: { $ref: "#/$defs/Map" },
      d: { $ref: "#/$defs/3d" },
      e: { $ref: "#/$defs/Taken" },
    },
    $defs: {
      "tree-node": { type: "array", items: { $ref: "#/$defs/tree-node" } },
      tree_node: { type: "array", items: { $ref: "#/$defs/tree_node" } },
      Map: { type: "array", items: { $ref: "#/$defs/Map" } },
      "3d": { type: "array", items: { $ref: "#/$defs/3d" } },
      Taken: { type: "array", items: { $ref: "#/$defs/Taken" } },
    },
  };
  const taken = new Set(["Taken"]);
  assert.deepEqual(schemaToTsWithAliases(schema, { taken }), {
    type: "{ a?: tree_node; b?: tree_node_2; c?: Map_2; d?: _3d; e?: Taken_2; }",
    aliases: [
      "type tree_node = Array<tree_node>;",
      "type tree_node_2 = Array<tree_node_2>;",
      "type Map_2 = Array<Map_2>;",
      "type _3d = Array<_3d>;",
      "type Taken_2 = Array<Taken_2>;",
    ],
  });
  assert.deepEqual([...taken], ["Taken", "tree_node", "tree_node_2", "Map_2", "_3d", "Taken_2"]);
});

test("input and output sharing a taken set get distinct alias names", () => {
  assert.equal(
    declareWithAliases("walk", TREE, TREE),
    [
      "type Tree = { children: Array<Tree>; value: number; };",
      "type Tree_2 = { children: Array<Tree_2>; value: number; };",
      "declare const tools: { walk(args: Tree): Promise<Tree_2>; };",
    ].join("\n"),
  );
});

test("an alias body with descriptions is laid out from column zero", () => {
  const schema = {
    $ref: "#/$defs/Node",
    $defs: {
      Node: {
        type: "object",
        properties: {
          next: { $ref: "#/$defs/Node", description: "The following node" },
          label: { type: "object", properties: { text: { type: "string", description: "Shown */ text" } } },
        },
      },
    },
  };
  assert.deepEqual(schemaToTsWithAliases(schema), {
    type: "Node",
    aliases: [
      [
        "type Node = {",
        "  label?: {",
        "    // Shown *\\/ text",
        "    text?: string;",
        "  };",
        "  // The following node",
        "  next?: Node;",
        "};",
      ].join("\n"),
    ],
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Whole schemas

const HARD = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  description: "root description is not rendered",
  properties: {
    tree: { $ref: "#/$defs/Tree" },
    status: { enum: ["open", "closed", null] },
    "line-items": { type: "array", items: { $ref: "#/$defs/LineItem" } },
    id: { type: "string", description: "Order id */ (see docs)" },
    point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false },
    tags: { type: "object", additionalProperties: { type: "string" } },
    meta: { type: "object", properties: { v: { type: "integer" } }, additionalProperties: true },
    note: { type: "string", nullable: true },
    shape: {
      oneOf: [
        {
          type: "object",
          properties: { kind: { const: "circle" }, r: { type: "number" } },
          required: ["kind", "r"],
          additionalProperties: false,
        },
        {
          type: "object",
          properties: { kind: { const: "square" }, side: { type: "number", description: "Edge length\nin cm" } },
          required: ["kind", "side"],
        },
      ],
    },
    extra: {
      allOf: [
        { $ref: "#/$defs/Named" },
        {
          anyOf: [
            { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
            { type: "object", properties: { b: { type: "number" } }, required: ["b"] },
          ],
        },
      ],
    },
    custom: { type: "string", format: "uuid", "x-vendor": 1 },
  },
  required: ["id", "status", "line-items", "tree"],
  $defs: {
    LineItem: {
      type: "object",
      properties: { sku: { type: "string" }, qty: { type: ["integer", "null"] } },
      required: ["sku"],
    },
    Tree: {
      type: "object",
      properties: { value: { type: "number" }, children: { type: "array", items: { $ref: "#/$defs/Tree" } } },
      required: ["value", "children"],
    },
    Named: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  },
};

function hardType(tree: string): string {
  return [
    "{",
    "  custom?: string;",
    "  extra?: { name: string; } & ({ a: string; } | { b: number; });",
    "  // Order id *\\/ (see docs)",
    "  id: string;",
    '  "line-items": Array<{ qty?: number | null; sku: string; }>;',
    "  meta?: { v?: number; [key: string]: unknown; };",
    "  note?: string | null;",
    "  point?: [number, number];",
    '  shape?: { kind: "circle"; r: number; } | {',
    '    kind: "square";',
    "    // Edge length",
    "    // in cm",
    "    side: number;",
    "  };",
    '  status: "open" | "closed" | null;',
    "  tags?: { [key: string]: string; };",
    `  tree: ${tree};`,
    "}",
  ].join("\n");
}

test("a hard schema renders nested objects, enums, unions, tuples, refs, nullable and descriptions", () => {
  assert.deepEqual(schemaToTsWithAliases(HARD), {
    type: hardType("Tree"),
    aliases: ["type Tree = { children: Array<Tree>; value: number; };"],
  });
  assert.equal(schemaToTs(HARD), hardType("{ children: Array<unknown>; value: number; }"));
});

test("rendering is deterministic and independent of property order", () => {
  const reordered = { ...HARD, properties: Object.fromEntries(Object.entries(HARD.properties).reverse()) };
  assert.equal(schemaToTs(reordered), schemaToTs(HARD));
  assert.deepEqual(schemaToTsWithAliases(HARD), schemaToTsWithAliases(HARD));
});

const Category: z.ZodType<{ name: string; subcategories: unknown[] }> = z.object({
  name: z.string(),
  get subcategories() {
    return z.array(Category);
  },
});

const ZOD_INPUT = z.object({
  query: z.string().describe("What to look for"),
  limit: z.int().min(1).optional(),
  cursor: z.string().nullable(),
  sort: z.enum(["asc", "desc"]).default("asc"),
  range: z.tuple([z.number(), z.number().optional()]),
  args: z.tuple([z.string()], z.boolean()),
  headers: z.record(z.string(), z.string()),
  ids: z.array(z.uuid()),
  kind: z.literal("search"),
  filter: z.union([z.string(), z.object({ field: z.string(), value: z.number() })]),
  category: Category,
});

test("a zod input schema renders optional, nullable, enum, tuple, record, array and recursive fields", () => {
  const schema = z.toJSONSchema(ZOD_INPUT, { io: "input" });
  assert.deepEqual(schemaToTsWithAliases(schema), {
    type: [
      "{",
      "  args: [string, ...Array<boolean>];",
      "  category: __schema0;",
      "  cursor: string | null;",
      "  filter: string | { field: string; value: number; };",
      "  headers: { [key: string]: string; };",
      "  ids: Array<string>;",
      '  kind: "search";',
      "  limit?: number;",
      "  // What to look for",
      "  query: string;",
      "  range: [number, number?];",
      '  sort?: "asc" | "desc";',
      "}",
    ].join("\n"),
    aliases: ["type __schema0 = { name: string; subcategories: Array<__schema0>; };"],
  });
});

test("a zod output schema is closed and has its defaults required", () => {
  const schema = z.toJSONSchema(z.object({ ok: z.boolean(), mode: z.enum(["a", "b"]).default("a") }), { io: "output" });
  assert.equal(schemaToTs(schema), '{ mode: "a" | "b"; ok: boolean; }');
});

test("a recursive zod root refers to itself as Root", () => {
  assert.deepEqual(schemaToTsWithAliases(z.toJSONSchema(Category, { io: "input" })), {
    type: "Root",
    aliases: ["type Root = { name: string; subcategories: Array<Root>; };"],
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Type checking

function denoCheck(args: string[], cwd: string): { status: number | null; output: string } {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" };
  const result = spawnSync(DENO, ["check", ...args], { cwd, env, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Declarations (aliases first) and a line that calls the tool, one module each. */
const CHECKED: Array<{ name: string; declaration: string; use: string }> = [
  {
    name: "contract",
    declaration: declare("lookup_order", ORDER_INPUT, ORDER_OUTPUT),
    use: 'const ok: boolean = (await tools.lookup_order({ order_id: "A1" })).ok;',
  },
  {
    name: "escapes",
    declaration: declare("escape", ESCAPES, ESCAPES),
    use: 'const value: "x*/y" = (await tools.escape({ "a*/b": "x*/y" }))["a*/b"];',
  },
  {
    name: "freeform",
    declaration: toolDeclaration("apply-patch", { kind: "freeform" }, "unknown"),
    use: 'const result: unknown = await tools.apply_patch("*** Begin Patch");',
  },
  {
    name: "hard_inline",
    declaration: declare("hard", HARD, HARD),
    use: 'await tools.hard({ id: "1", status: null, "line-items": [{ sku: "x" }], tree: { value: 1, children: [] } });',
  },
  {
    name: "hard_aliases",
    declaration: declareWithAliases("hard", HARD, TREE),
    use: [
      "const tree = { value: 1, children: [{ value: 2, children: [] }] };",
      'const leaf: number = (await tools.hard({ id: "1", status: "open", "line-items": [], tree })).children[0].value;',
    ].join("\n"),
  },
  {
    name: "zod",
    declaration: declareWithAliases("find", z.toJSONSchema(ZOD_INPUT, { io: "input" }), z.toJSONSchema(Category)),
    use: [
      "const found = await tools.find({",
      '  query: "q", cursor: null, range: [1], args: ["a", true], headers: {}, ids: [], kind: "search",',
      '  filter: { field: "f", value: 1 }, category: { name: "c", subcategories: [{ name: "d", subcategories: [] }] },',
      "});",
      "const names: string[] = found.subcategories.map((c) => c.name);",
    ].join("\n"),
  },
  {
    name: "cut_direct",
    declaration: declareWithAliases("direct", {
      $ref: "#/$defs/A",
      $defs: { A: { anyOf: [{ $ref: "#/$defs/A" }, { type: "string" }] } },
    }),
    use: 'await tools.direct("x");',
  },
  {
    name: "cut_mutual",
    declaration: declareWithAliases("mutual", {
      $ref: "#/$defs/A",
      $defs: { A: { allOf: [{ $ref: "#/$defs/B" }] }, B: { anyOf: [{ $ref: "#/$defs/A" }, { type: "number" }] } },
    }),
    use: "await tools.mutual(1);",
  },
  {
    name: "cut_tuple_rest",
    declaration: declareWithAliases("expr", {
      $ref: "#/$defs/E",
      $defs: {
        E: {
          anyOf: [
            { type: "string" },
            { type: "array", prefixItems: [{ $ref: "#/$defs/E" }], minItems: 0, items: { $ref: "#/$defs/E" } },
          ],
        },
      },
    }),
    use: 'await tools.expr([["a"], "b"]);',
  },
  {
    name: "tuples",
    declaration: declareWithAliases("pairs", PAIRS, PAIRS),
    use: 'const pair = await tools.pairs([[null, "a"], "b"]);\nconst first: unknown = pair?.[0];',
  },
];

test("every generated declaration passes deno check", () => {
  const dir = mkdtempSync(join(tmpdir(), "schema-to-ts-"));
  try {
    const files = CHECKED.map(({ name, declaration, use }) => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, `${declaration}\n${use}\nexport {};\n`);
      return file;
    });
    const { status, output } = denoCheck(["--no-config", ...files], dir);
    assert.equal(status, 0, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("aliases named like ES globals type-check in a global declaration file", () => {
  // A session's declarations are a global script (compilerOptions.types), where `type Map = ...` would clash.
  const schema = {
    type: "object",
    properties: { when: { $ref: "#/$defs/Date" }, index: { $ref: "#/$defs/Map" } },
    required: ["when", "index"],
    $defs: {
      Date: { type: "object", properties: { prev: { $ref: "#/$defs/Date" } } },
      Map: { type: "object", additionalProperties: { $ref: "#/$defs/Map" } },
    },
  };
  const dir = mkdtempSync(join(tmpdir(), "schema-to-ts-"));
  try {
    writeFileSync(join(dir, "tools.d.ts"), `${declareWithAliases("index", schema)}\n`);
    writeFileSync(
      join(dir, "deno.json"),
      JSON.stringify({ compilerOptions: { types: ["./tools.d.ts"], lib: ["esnext"] } }),
    );
    writeFileSync(join(dir, "cell.ts"), "await tools.index({ when: { prev: {} }, index: { a: { b: {} } } });\n");
    const { status, output } = denoCheck(["--config", join(dir, "deno.json"), join(dir, "cell.ts")], dir);
    assert.equal(status, 0, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
