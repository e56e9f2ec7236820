// A tool's output schema (zod `output` or JSON Schema `outputSchema`) is checked: a result that does not match
// rejects that call inside the cell with what is wrong; a matching one passes through unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { CodeModeSession, defineTool } from "../ts/mod.ts";

const tools = [
  defineTool({
    name: "total_zod",
    input: z.object({ value: z.unknown() }),
    output: z.object({ total: z.number() }),
    run: ({ value }): { total: number } => JSON.parse(JSON.stringify({ total: value })),
  }),
  defineTool({
    name: "total_json",
    inputSchema: { type: "object", properties: { value: {} } },
    outputSchema: { type: "object", properties: { total: { type: "number" } }, required: ["total"] },
    run: (args) => ({ total: args.value }),
  }),
];

test("a result that does not match the output schema fails that call with what is wrong", async () => {
  const session = new CodeModeSession({ pool: 0, tools });
  try {
    const out = await session.exec(`
for (const name of ["total_zod", "total_json"]) {
  text(JSON.stringify(await tools[name]({ value: 5 })));
  try { await tools[name]({ value: "five" }); } catch (error) { text(error.message); }
}`);
    assert.deepEqual([out.status, out.items], ["completed", [
      { type: "input_text", text: '{"total":5}' },
      {
        type: "input_text",
        text:
          "tool `total_zod` returned a result that does not match its output schema:\n- total: expected number, received string",
      },
      { type: "input_text", text: '{"total":5}' },
      {
        type: "input_text",
        text:
          "tool `total_json` returned a result that does not match its output schema:\n- total: expected number, received string",
      },
    ]]);
  } finally {
    await session.close();
  }
});
