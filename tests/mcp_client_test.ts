// MCP servers as nested tools: the real server-everything and the in-repo fixture server, over
// stdio and streamable HTTP, called from cells through `mcpTools()`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CodeModeSession, type ToolResponse } from "../ts/mod.ts";
import type { ToolDefinition } from "../ts/tools/define.ts";
import { type McpServerConfig, mcpTools, type McpToolSource } from "../ts/mcp/client.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deferred, EVERYTHING, FIXTURE, FIXTURE_PNG, ROOT, startNode, tempDir, within } from "./mcp_helpers.ts";
import { statusOf, textsOf } from "./util.ts";

/** Connects to `servers`, runs `fn` with a session over their tools, and closes both. */
async function withMcpSession(
  servers: Record<string, McpServerConfig>,
  fn: (session: CodeModeSession, mcp: McpToolSource, warnings: string[]) => Promise<void>,
): Promise<void> {
  const warnings: string[] = [];
  const mcp = await mcpTools(servers, { stderr: "ignore", onWarning: (message) => warnings.push(message) });
  try {
    const session = new CodeModeSession({ toolSource: mcp, pool: 1 });
    try {
      await fn(session, mcp, warnings);
    } finally {
      await session.close();
    }
  } finally {
    await mcp.close();
  }
}

function completed(out: ToolResponse): string[] {
  assert.equal(statusOf(out), "Script completed", JSON.stringify(out));
  return textsOf(out);
}

test("a cell lists, calls and combines the tools of two MCP servers", async () => {
  await withMcpSession({ everything: EVERYTHING, fixture: FIXTURE }, async (session, _mcp, warnings) => {
    const out = await session.execTool(`
      const names = ALL_TOOLS.map((tool) => tool.name);
      text(names.filter((name) => name.startsWith("mcp__fixture__")));
      text(names.includes("mcp__everything__get_sum"));
      const sum = await tools.mcp__everything__get_sum({ a: 20, b: 22 });
      const total = sum.content[0].text.match(/is (\\d+)/)[1];
      const weather = await tools.mcp__fixture__weather({ city: "Oslo-" + total });
      text(weather.structuredContent);
    `);
    assert.deepEqual(completed(out), [
      '["mcp__fixture__echo","mcp__fixture__image","mcp__fixture__fail","mcp__fixture__weather","mcp__fixture__crash",' +
      '"mcp__fixture__wait_for_cancel","mcp__fixture__stats","mcp__fixture__add_tool"]',
      "true",
      '{"city":"Oslo-42","celsius":7}',
    ]);
    assert.deepEqual(warnings, []);
  });
});

test("MCP tools are declared with CallToolResult, typed by the output schema when there is one", async () => {
  await withMcpSession({ fixture: FIXTURE }, async (session) => {
    const out = await session.execTool(`
      for (const name of ["mcp__fixture__weather", "mcp__fixture__echo"]) {
        text(ALL_TOOLS.find((tool) => tool.name === name).description);
      }
    `);
    assert.deepEqual(completed(out), [
      "Structured weather.\n\nexec tool declaration:\n```ts\ndeclare const tools: { mcp__fixture__weather(args: { " +
      "city: string; }): Promise<CallToolResult<{ celsius: number; city: string; }>>; };\n```",
      "Echo a text back.\n\nexec tool declaration:\n```ts\ndeclare const tools: { mcp__fixture__echo(args: {\n" +
      "  // What to echo\n  text: string;\n}): Promise<CallToolResult>; };\n```",
    ]);
  });
});

test("a tool-level failure resolves with the whole isError result instead of rejecting", async () => {
  await withMcpSession({ fixture: FIXTURE }, async (session) => {
    const out = await session.execTool('text(await tools.mcp__fixture__fail({ reason: "out of stock" }));');
    assert.deepEqual(completed(out), ['{"content":[{"type":"text","text":"failed: out of stock"}],"isError":true}']);
  });
});

test("arguments that break the input schema reject in the cell, naming the tool, before any request", async () => {
  await withMcpSession({ everything: EVERYTHING }, async (session) => {
    const out = await session.execTool(`
      try { await tools.mcp__everything__get_sum({ a: "1" }); } catch (error) { text(error.message); }
    `);
    assert.deepEqual(completed(out), [
      "invalid arguments for tool `mcp__everything__get_sum`:\n- b: missing required property\n" +
      "- a: expected number, received string",
    ]);
  });
});

test("an image block from an MCP result is forwarded with image()", async () => {
  await withMcpSession({ everything: EVERYTHING, fixture: FIXTURE }, async (session) => {
    const out = await session.execTool(`
      image((await tools.mcp__fixture__image({})).content[1]);
      const tiny = await tools.mcp__everything__get_tiny_image({});
      image(tiny.content.find((block) => block.type === "image"), "low");
    `);
    assert.equal(statusOf(out), "Script completed");
    const [fixtureImage, everythingImage] = out.items.slice(1);
    assert.deepEqual(fixtureImage, {
      type: "input_image",
      image_url: `data:image/png;base64,${FIXTURE_PNG}`,
      detail: "high",
    });
    assert.equal(everythingImage.type, "input_image");
    assert.match(
      everythingImage.type === "input_image" ? everythingImage.image_url : "",
      /^data:image\/png;base64,iVBOR/,
    );
    assert.equal(everythingImage.type === "input_image" ? everythingImage.detail : "", "low");
  });
});

test("a server that crashes mid-call fails that call clearly and the session keeps working", async () => {
  await withMcpSession({ everything: EVERYTHING, fixture: FIXTURE }, async (session) => {
    const crashed = await session.execTool(`
      try { await tools.mcp__fixture__crash({}); } catch (error) { text(error.message); }
    `);
    assert.deepEqual(completed(crashed), [
      "MCP server `fixture` disconnected during a call to its tool `crash` (Connection closed); codecell reconnects " +
      "on the next call",
    ]);
    const after = await session.execTool(`
      text((await tools.mcp__fixture__echo({ text: "still here" })).content[0].text);
      text((await tools.mcp__everything__get_sum({ a: 1, b: 2 })).content[0].text);
    `);
    assert.deepEqual(completed(after), ["echo: still here", "The sum of 1 and 2 is 3."]);
  });
});

test("an uncaught transport failure fails the cell with the error naming server and tool", async () => {
  await withMcpSession({ fixture: FIXTURE }, async (session) => {
    const out = await session.execTool("await tools.mcp__fixture__crash({});");
    assert.equal(statusOf(out), "Script failed");
    const [error] = textsOf(out);
    assert.match(error, /^Script error:\nError: MCP server `fixture` disconnected during a call to its tool `crash` /);
  });
});

test("a server's list_changed notification gives the session's next cell the new tools", async () => {
  await withMcpSession({ fixture: FIXTURE }, async (session, mcp) => {
    const before = mcp.tools();
    const changed = deferred<readonly ToolDefinition[]>();
    const unsubscribe = mcp.onChange((tools) => changed.resolve(tools));
    const added = await session.execTool(
      'text((await tools.mcp__fixture__add_tool({ name: "greet" })).content[0].text);',
    );
    assert.deepEqual(completed(added), ["added greet"]);
    const tools = await within(10_000, "the tools change", changed.promise);
    unsubscribe();
    assert.equal(mcp.tools(), tools);
    assert.notEqual(tools, before);
    assert.deepEqual(tools.map((tool) => tool.name).slice(before.length), ["greet"]);
    const out = await session.execTool("text((await tools.mcp__fixture__greet({})).content[0].text);");
    assert.deepEqual(completed(out), ["hello from greet"]);
    assert.match(session.toolSpecs("anthropic")[0].description, /mcp__fixture__greet/);
  });
});

test("a tool name two servers give is refused for both, so neither can take the other's tool", async () => {
  await withMcpSession({ h: FIXTURE, h__x: FIXTURE }, async (session, mcp, warnings) => {
    const changed = deferred();
    const unsubscribe = mcp.onChange(() => changed.resolve());
    // Server `h` adds `x__echo`: as `mcp__h__x__echo` it would clash with server `h__x`'s `echo`.
    await session.execTool('await tools.mcp__h__add_tool({ name: "x__echo" });');
    await within(10_000, "the tools change", changed.promise);
    unsubscribe();
    const names = mcp.tools().map((tool) => `${tool.namespace}__${tool.name}`);
    assert.deepEqual(names.filter((name) => name.includes("echo")), ["mcp__h__echo"]);
    assert.deepEqual(warnings, ["tool `mcp__h__x__echo` is not available: 2 MCP servers give a tool that name"]);
  });
});

test("config approval patterns match a tool by its server name or the names cells see; one matching none is reported", async () => {
  const servers = { fixture: { ...FIXTURE, needsApproval: ["echo", "mcp__fixture__ima*", "delete_*"] } };
  await withMcpSession(servers, async (_session, mcp, warnings) => {
    const asked: string[] = [];
    const session = new CodeModeSession({
      toolSource: mcp,
      pool: 0,
      approve: ({ tool }) => {
        asked.push(tool);
        return true;
      },
    });
    try {
      const out = await session.execTool(
        'await tools.mcp__fixture__echo({ text: "a" }); await tools.mcp__fixture__image({}); ' +
          "await tools.mcp__fixture__stats({});",
      );
      assert.equal(statusOf(out), "Script completed", JSON.stringify(out));
    } finally {
      await session.close();
    }
    assert.deepEqual(asked, ["mcp__fixture__echo", "mcp__fixture__image"]);
    assert.deepEqual(warnings, [
      '[fixture] needsApproval pattern "delete_*" matches none of its tools, so it guards nothing',
    ]);
  });
});

test("terminating a cell cancels its in-flight MCP request", async () => {
  await withMcpSession({ fixture: FIXTURE }, async (session) => {
    const waiting = await session.execTool(
      '// @exec: {"yield_time_ms": 0}\nawait tools.mcp__fixture__wait_for_cancel({});',
    );
    assert.equal(statusOf(waiting), "Script running with cell ID 1");
    // A second cell returns once the server is handling the first cell's request.
    const started = await session.execTool("text((await tools.mcp__fixture__stats({ started: 1 })).content[0].text);");
    assert.deepEqual(completed(started), ['{"started":1,"cancelled":0}']);
    assert.equal(statusOf(await session.waitTool({ cell_id: "1", terminate: true })), "Script terminated");
    const cancelled = await session.execTool(
      "text((await tools.mcp__fixture__stats({ cancelled: 1 })).content[0].text);",
    );
    assert.deepEqual(completed(cancelled), ['{"started":1,"cancelled":1}']);
  });
});

test("a streamable HTTP server's tools are called like a stdio server's", async () => {
  const fixture = await startNode([...FIXTURE.args ?? [], "--http"], /listening on (\S+)/);
  try {
    await withMcpSession({ remote: { url: fixture.match[1] } }, async (session) => {
      const out = await session.execTool(`
        text((await tools.mcp__remote__echo({ text: "over http" })).content[0].text);
        text((await tools.mcp__remote__weather({ city: "Rome" })).structuredContent);
      `);
      assert.deepEqual(completed(out), ["echo: over http", '{"city":"Rome","celsius":4}']);
    });
  } finally {
    await fixture.stop();
  }
});

test("a stdio server gets its config's env on top of the MCP SDK's default environment", async () => {
  const everything = { ...EVERYTHING, env: { CODECELL_TEST_VALUE: "42" } };
  await withMcpSession({ everything }, async (session) => {
    const out = await session.execTool(`
      const env = JSON.parse((await tools.mcp__everything__get_env({})).content[0].text);
      text([env.CODECELL_TEST_VALUE, typeof env.PATH]);
    `);
    assert.deepEqual(completed(out), ['["42","string"]']);
  });
});

test("a server that cannot start is unavailable, named in ALL_TOOLS, and retried until it starts", async () => {
  const dir = tempDir();
  const script = join(dir.path, "late_server.mts");
  const warnings: string[] = [];
  const firstOf = (prefix: string) => warnings.find((warning) => warning.startsWith(prefix));
  const warned = deferred();
  const mcp = await mcpTools({
    everything: EVERYTHING,
    missing: { command: "does-not-exist-codecell" },
    late: { command: "node", args: ["--import", "tsx", script], cwd: ROOT },
  }, {
    stderr: "ignore",
    retryInitialMs: 50,
    retryMaxMs: 200,
    onWarning: (message) => {
      warnings.push(message);
      if (firstOf("[late]") !== undefined && firstOf("[missing]") !== undefined) warned.resolve();
    },
  });
  try {
    await within(5_000, "the first two warnings", warned.promise);
    assert.deepEqual([firstOf("[late]"), firstOf("[missing]")], [
      "[late] could not connect to MCP server `late`: Connection closed; retrying in 50 ms",
      "[missing] could not connect to MCP server `missing`: spawn does-not-exist-codecell ENOENT; retrying in 50 ms",
    ]);
    const session = new CodeModeSession({ toolSource: mcp, pool: 0 });
    try {
      const out = await session.execTool(`
        text(ALL_TOOLS.filter((tool) => !tool.name.startsWith("mcp__everything__")).map((tool) => tool.name));
        text(ALL_TOOLS.find((tool) => tool.name === "mcp__missing__unavailable").description.split("\\n")[0]);
        try { await tools.mcp__missing__unavailable({}); } catch (error) { text(error.message); }
        text((await tools.mcp__everything__get_sum({ a: 1, b: 2 })).content[0].text);
      `);
      const unavailable = "MCP server `missing` is unavailable (could not connect to MCP server `missing`: spawn " +
        "does-not-exist-codecell ENOENT); codecell keeps trying to connect, and its tools appear in a later cell once " +
        "it is back";
      assert.deepEqual(completed(out), [
        '["mcp__missing__unavailable","mcp__late__unavailable"]',
        unavailable,
        unavailable,
        "The sum of 1 and 2 is 3.",
      ]);
      const changed = deferred<readonly ToolDefinition[]>();
      mcp.onChange((tools) => {
        if (tools.some((tool) => tool.namespace === "mcp__late" && tool.name === "echo")) changed.resolve(tools);
      });
      writeFileSync(script, `import ${JSON.stringify(join(ROOT, "tests/fixtures/mcp_fixture_server.ts"))};\n`);
      await within(10_000, "the late server to connect", changed.promise);
      const after = await session.execTool('text((await tools.mcp__late__echo({ text: "back" })).content[0].text);');
      assert.deepEqual(completed(after), ["echo: back"]);
      assert.ok(warnings.includes("[late] connected; its tools are available again"), warnings.join("\n"));
    } finally {
      await session.close();
    }
  } finally {
    await mcp.close();
    dir.cleanup();
  }
});
