// Typed cells end to end: what the host declares is what the cell's TypeScript sees and what the model reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { CodeModeSession, defineTool } from "../ts/mod.ts";
import { statusOf, textsOf } from "./util.ts";

function sessionWithSideEffect(calls: string[]) {
  return new CodeModeSession({
    tools: [
      defineTool({
        name: "send_email",
        description: "Send an email (a side effect).",
        input: z.object({ to: z.string(), subject: z.string() }),
        output: z.object({ sent: z.boolean() }),
        run: ({ to }) => {
          calls.push(to);
          return { sent: true };
        },
      }),
    ],
  });
}

test("a cell that does not type-check fails with its diagnostics and calls no tool", async () => {
  const calls: string[] = [];
  const session = sessionWithSideEffect(calls);
  try {
    const out = await session.execTool(
      'await tools.send_email({ to: "ada@example.com", subject: "hi" });\nconst n: number = await tools.send_email({ to: 1 });',
      { typecheck: true },
    );
    assert.equal(out.success, false);
    assert.equal(statusOf(out), "Script failed");
    const [error] = textsOf(out);
    assert.match(error, /^Script error:\n/);
    assert.match(error, /cell\.ts:2:\d+/);
    assert.match(error, /TS2322|TS2739|TS2741|TS2345/);
    assert.ok(!error.includes("/tmp/"), error);
    assert.deepEqual(calls, []);
    assert.deepEqual(session.cells(), []);
  } finally {
    await session.close();
  }
});

test("a cell that type-checks runs normally, helper imports included", async () => {
  const calls: string[] = [];
  const session = sessionWithSideEffect(calls);
  try {
    const out = await session.execTool(
      'import { text } from "codecell/helpers";\nconst r = await tools.send_email({ to: "a@b.c", subject: "s" });\ntext(r.sent);',
      { typecheck: true },
    );
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), ["true"]);
    assert.deepEqual(calls, ["a@b.c"]);
  } finally {
    await session.close();
  }
});

test("typeDeclarations declares the helpers and this session's tools", async () => {
  const session = sessionWithSideEffect([]);
  try {
    const dts = session.typeDeclarations();
    assert.ok(dts.includes("send_email(args: { subject: string; to: string; }): Promise<{ sent: boolean; }>;"), dts);
    for (const helper of ["text", "image", "store", "load", "notify", "yield_control", "exit", "setTimeout"]) {
      assert.match(dts, new RegExp(`declare function ${helper}\\(`));
    }
    assert.equal(session.typeDeclarations(), dts);
  } finally {
    await session.close();
  }
});

test("toolSpecs gives exec and wait in each API's shape", async () => {
  const session = sessionWithSideEffect([]);
  try {
    const responses = session.toolSpecs("responses");
    assert.deepEqual(responses.map((t) => [t.type, t.name]), [["custom", "exec"], ["function", "wait"]]);
    const chat = session.toolSpecs("chat");
    assert.deepEqual(chat.map((t) => [t.function.name, t.function.parameters.required]), [["exec", ["code"]], ["wait", ["cell_id"]]]);
    const anthropic = session.toolSpecs("anthropic");
    assert.deepEqual(anthropic.map((t) => t.name), ["exec", "wait"]);
    assert.match(anthropic[0].description, /send_email/);
    const mcp = session.toolSpecs("mcp");
    assert.deepEqual(mcp.map((t) => [t.name, t.inputSchema.type]), [["exec", "object"], ["wait", "object"]]);
  } finally {
    await session.close();
  }
});
