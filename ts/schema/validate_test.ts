import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { compileJsonSchemaValidator as compileJsonSchema, compileZodValidator as compileZod, type Validation } from "./validate.ts";
import { renderArgumentFailure } from "../contract/arguments.ts";

/** A validation with its failure rendered as the cell reads it. */
type Rendered<T> = { ok: true; value: T } | { ok: false; message: string };

function rendered<T>(toolName: string, validation: Validation<T>): Rendered<T> {
  return validation.ok ? validation : { ok: false, message: renderArgumentFailure(toolName, validation.error) };
}

function compileJsonSchemaValidator(toolName: string, schema: Parameters<typeof compileJsonSchema>[0]) {
  const validate = compileJsonSchema(schema);
  return (args: Record<string, unknown>) => rendered(toolName, validate(args));
}

function compileZodValidator(toolName: string, schema: Parameters<typeof compileZod>[0]) {
  const validate = compileZod(schema);
  return async (args: unknown) => rendered(toolName, await validate(args));
}

const echoSchema = { type: "object", properties: { message: { type: "string" } }, required: ["message"] };

// ---- JSON Schema

test("JSON Schema: valid arguments pass through unchanged", () => {
  const validate = compileJsonSchemaValidator("echo", echoSchema);
  assert.deepEqual(validate({ message: "hi", extra: 1 }), { ok: true, value: { message: "hi", extra: 1 } });
});

test("JSON Schema: a wrong type names the property, the expected and the received type", () => {
  const validate = compileJsonSchemaValidator("echo", echoSchema);
  assert.deepEqual(validate({ message: 1 }), {
    ok: false,
    message: "invalid arguments for tool `echo`:\n- message: expected string, received number",
  });
});

test("JSON Schema: a missing required property is reported at its own path", () => {
  const validate = compileJsonSchemaValidator("echo", echoSchema);
  assert.deepEqual(validate({}), {
    ok: false,
    message: "invalid arguments for tool `echo`:\n- message: missing required property",
  });
});

test("JSON Schema: every leaf error is listed and wrapper errors are dropped", () => {
  const validate = compileJsonSchemaValidator("hard", {
    type: "object",
    properties: {
      message: { type: "string" },
      "a/b~c d": { type: "integer" },
      list: { type: "array", items: { $ref: "#/$defs/item" } },
      either: { anyOf: [{ type: "string" }, { type: "number" }] },
      shape: { anyOf: [{ type: "object", required: ["a"] }, { type: "object", required: ["b"] }] },
      pair: { type: "array", prefixItems: [{ type: "string" }], items: false },
      closed: { type: "object", additionalProperties: false, properties: { x: { const: 1 } } },
      short: { type: "string", minLength: 3 },
      nullable: { type: ["string", "null"] },
    },
    required: ["message", "id"],
    $defs: { item: { type: "object", properties: { n: { enum: [1, 2] } }, required: ["n"] } },
  });
  const result = validate({
    message: 1,
    "a/b~c d": 1.5,
    list: [{ n: 3 }, {}],
    either: true,
    shape: {},
    pair: ["a", 1],
    closed: { x: 2, y: 1 },
    short: "a",
    nullable: 5,
  });
  assert.deepEqual(result, {
    ok: false,
    message: [
      "invalid arguments for tool `hard`:",
      "- id: missing required property",
      "- message: expected string, received number",
      '- ["a/b~c d"]: expected integer, received number',
      "- list[0].n: expected one of [1,2]",
      "- list[1].n: missing required property",
      "- either: expected string or number, received boolean",
      "- shape: matches none of the allowed alternatives",
      "- pair[1]: unexpected item",
      "- closed.x: expected 1",
      "- closed.y: unexpected property",
      "- short: string is too short (1 < 3)",
      "- nullable: expected string or null, received number",
    ].join("\n"),
  });
});

test("JSON Schema: issues are data: a path and a code with the schema's own limits", () => {
  const validate = compileJsonSchema({
    type: "object",
    properties: { short: { type: "string", minLength: 3 }, list: { type: "array", items: { $ref: "#/$defs/n" } } },
    required: ["id"],
    $defs: { n: { type: "integer", maximum: 9 } },
  });
  assert.deepEqual(validate({ short: "ab", list: [1, 12] }), {
    ok: false,
    error: {
      code: "invalid",
      issues: [
        { path: ["id"], code: "missing" },
        { path: ["short"], code: "string_length", length: 2, limit: 3, bound: "min" },
        { path: ["list", 1], code: "number_range", value: 12, limit: 9, bound: "max", exclusive: false },
      ],
    },
  });
});

test("JSON Schema: an issue with the arguments object itself is reported at (root)", () => {
  const validate = compileJsonSchemaValidator("pick", { type: "object", minProperties: 1 });
  assert.deepEqual(validate({}), {
    ok: false,
    message: "invalid arguments for tool `pick`:\n- (root): instance does not have at least 1 properties",
  });
});

test("JSON Schema: a draft-07 schema is validated with draft-07 rules (array `items` is a tuple)", () => {
  const validate = compileJsonSchemaValidator("pair", {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { pair: { type: "array", items: [{ type: "string" }, { type: "number" }] } },
  });
  assert.deepEqual([validate({ pair: ["a", 1] }), validate({ pair: [1, 1] })], [
    { ok: true, value: { pair: ["a", 1] } },
    { ok: false, message: "invalid arguments for tool `pair`:\n- pair[0]: expected string, received number" },
  ]);
});

test("JSON Schema: values the validator cannot handle give a message instead of throwing", () => {
  const validate = compileJsonSchemaValidator("echo", echoSchema);
  assert.deepEqual(validate({ message: undefined }), {
    ok: false,
    message: 'could not validate the arguments of tool `echo`: Instances of "undefined" type are not supported.',
  });
});

test("JSON Schema: compiling does not modify the caller's schema", () => {
  const schema = { type: "object", properties: { a: { $ref: "#/$defs/a" } }, $defs: { a: { type: "string" } } };
  const before = structuredClone(schema);
  compileJsonSchemaValidator("a", schema);
  assert.deepEqual(Object.getOwnPropertyNames(schema), Object.getOwnPropertyNames(before));
  assert.deepEqual(Object.getOwnPropertyNames(schema.properties.a), ["$ref"]);
});

// ---- zod

test("zod: the handler's value is zod's output, defaults applied", async () => {
  const validate = compileZodValidator("search", z.object({ query: z.string(), limit: z.number().default(10) }));
  assert.deepEqual(await validate({ query: "x" }), { ok: true, value: { query: "x", limit: 10 } });
});

test("zod: issues use the same wording as JSON Schema", async () => {
  const validate = compileZodValidator(
    "z",
    z.object({
      message: z.string(),
      count: z.int().optional(),
      tags: z.array(z.string()).optional(),
      kind: z.enum(["a", "b"]).optional(),
      exact: z.literal("x").optional(),
      either: z.union([z.string(), z.number()]).optional(),
      shape: z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]).optional(),
      closed: z.strictObject({ x: z.string() }).optional(),
    }),
  );
  assert.deepEqual(
    await validate({
      message: 1,
      count: 1.5,
      tags: ["ok", 2],
      kind: "c",
      exact: "y",
      either: true,
      shape: {},
      closed: { x: "a", y: 1, z: 2 },
    }),
    {
      ok: false,
      message: [
        "invalid arguments for tool `z`:",
        "- message: expected string, received number",
        "- count: expected integer, received number",
        "- tags[1]: expected string, received number",
        '- kind: expected one of ["a","b"]',
        '- exact: expected "x"',
        "- either: expected string or number, received boolean",
        "- shape: matches none of the allowed alternatives",
        "- closed.y: unexpected property",
        "- closed.z: unexpected property",
      ].join("\n"),
    },
  );
});

test("zod: a missing property, a bad discriminator and a range issue", async () => {
  const validate = compileZodValidator(
    "shapes",
    z.object({
      name: z.string().min(2),
      shape: z.discriminatedUnion("kind", [
        z.object({ kind: z.literal("circle") }),
        z.object({ kind: z.literal("box") }),
      ]),
      size: z.number(),
    }),
  );
  assert.deepEqual(await validate({ name: "a", shape: { kind: "star" } }), {
    ok: false,
    message: [
      "invalid arguments for tool `shapes`:",
      "- name: Too small: expected string to have >=2 characters",
      '- shape.kind: expected one of ["circle","box"]',
      "- size: missing required property",
    ].join("\n"),
  });
});

test("zod: messages set by the tool author are kept", async () => {
  const validate = compileZodValidator("r", z.object({ id: z.string({ error: "id must be the order id" }) }));
  assert.deepEqual(await validate({ id: 5 }), {
    ok: false,
    message: "invalid arguments for tool `r`:\n- id: id must be the order id",
  });
});

test("zod: async refinements run", async () => {
  const validate = compileZodValidator(
    "r",
    z.object({
      id: z.string().refine(async (id) => await Promise.resolve(id.startsWith("ord_")), "expected an order id"),
    }),
  );
  assert.deepEqual([await validate({ id: "ord_1" }), await validate({ id: "x" })], [
    { ok: true, value: { id: "ord_1" } },
    { ok: false, message: "invalid arguments for tool `r`:\n- id: expected an order id" },
  ]);
});

test("zod: a refinement that throws gives a message instead of a rejection", async () => {
  const validate = compileZodValidator(
    "r",
    z.object({
      id: z.string().refine(() => {
        throw new Error("lookup service down");
      }),
    }),
  );
  assert.deepEqual(await validate({ id: "x" }), {
    ok: false,
    message: "could not validate the arguments of tool `r`: lookup service down",
  });
});
