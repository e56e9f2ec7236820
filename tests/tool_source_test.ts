// A live tool list (toolSource): the next cell gets the new tools; an unusable list is refused, not thrown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CodeModeSession, defineTool, type ToolDefinition } from "../ts/mod.ts";
import { deferred, statusOf, textsOf } from "./util.ts";

const tool = (name: string, answer: string) =>
  defineTool({ name, description: `Answers ${answer}.`, inputSchema: { type: "object" }, run: () => answer });

test("a changed tool list reaches the next cell; a running cell keeps the tools it started with", async () => {
  const held = deferred();
  const hold = defineTool({ name: "hold", description: "Waits for the test.", inputSchema: { type: "object" }, run: () => held.promise });
  let list: readonly ToolDefinition[] = [tool("first", "one"), hold];
  const session = new CodeModeSession({ toolSource: { tools: () => list } });
  try {
    // The first cell calls `first` only after the list has changed and a second cell has run on the new list.
    const running = await session.execTool("yield_control(); await tools.hold({}); text(await tools.first({}));");
    assert.equal(statusOf(running), "Script running with cell ID 1");
    list = [tool("first", "uno"), tool("second", "two"), hold];
    const next = await session.execTool("text(ALL_TOOLS.map((t) => t.name)); text(await tools.first({})); text(await tools.second({}));");
    assert.deepEqual(textsOf(next), ['["first","second","hold"]', "uno", "two"]);
    held.resolve();
    assert.deepEqual(textsOf(await session.waitTool({ cell_id: "1" })), ["one"]);
  } finally {
    await session.close();
  }
});

test("a changed list whose names collide is refused once; cells keep the previous tools", async () => {
  let list: readonly ToolDefinition[] = [tool("echo-tool", "a")];
  const refused: string[] = [];
  const session = new CodeModeSession({
    toolSource: { tools: () => list },
    onToolsRefused: (error) => refused.push(error.message),
  });
  try {
    list = [tool("echo-tool", "a"), tool("echo_tool", "b")];
    for (let i = 0; i < 2; i++) {
      const out = await session.execTool("text(await tools.echo_tool({}));");
      assert.deepEqual(textsOf(out), ["a"]);
    }
    assert.equal(refused.length, 1);
    assert.match(refused[0], /echo-tool/);
    assert.match(refused[0], /echo_tool/);
  } finally {
    await session.close();
  }
});
