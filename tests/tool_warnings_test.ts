// A tool name that is not an identifier is normalized for cells, and the host is told (onWarning); an MCP
// server's namespaced tools are renamed by design and not reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { CodeModeSession, defineTool } from "../ts/mod.ts";

const tool = (name: string, namespace?: string) =>
  defineTool({ name, ...(namespace === undefined ? {} : { namespace }), input: z.object({}), run: () => name });

test("a tool renamed by normalization is reported once, and cells call it by the new name", async () => {
  const warnings: string[] = [];
  const session = new CodeModeSession({
    pool: 0,
    tools: [tool("lookup-order"), tool("plain_name"), tool("get-sum", "mcp__everything")],
    onWarning: (message) => warnings.push(message),
  });
  try {
    assert.deepEqual(warnings, [
      "tool `lookup-order` is `tools.lookup_order` in cells: a tool name must be an identifier (letters, digits, _ " +
      "and $), so the other characters became _",
    ]);
    const out = await session.exec("text(await tools.lookup_order({}));");
    assert.deepEqual([out.status, out.items], ["completed", [{ type: "input_text", text: "lookup-order" }]]);
  } finally {
    await session.close();
  }
});
