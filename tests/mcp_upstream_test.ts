// `codecell mcp` in front of upstream MCP servers that misbehave: servers that cannot start, crash, talk on stderr,
// report progress, or are used by several clients at once; driven by the MCP client SDK over stdio and HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { mcpServerUnavailable, nestedCallProgress } from "../ts/contract/messages.ts";
import {
  deferred,
  eventually,
  EVERYTHING,
  FIXTURE,
  tempDir,
  withCodecellMcp,
  within,
  writeConfig,
} from "./mcp_helpers.ts";

/** The texts after the header of a result. */
function textsOf(result: CallToolResult): string[] {
  return result.content.slice(1).map((block) => (block.type === "text" ? block.text : `<${block.type}>`));
}

function statusOf(result: CallToolResult): string {
  const head = result.content[0];
  return head?.type === "text" ? head.text.split("\n")[0] : "";
}

function exec(client: Client, code: string): Promise<CallToolResult> {
  return client.callTool({ name: "exec", arguments: { code } });
}

async function execDescription(client: Client): Promise<string> {
  const { tools } = await client.listTools();
  return tools.find((tool) => tool.name === "exec")?.description ?? "";
}

/** Resolves once `text()`, after a newline, contains `part` (checked every 20 ms, at most 10 s). */
/** Runs `fn` with a config file holding `servers`. */
async function withConfig(
  servers: Parameters<typeof writeConfig>[1],
  fn: (config: string) => Promise<void>,
): Promise<void> {
  const dir = tempDir();
  try {
    await fn(writeConfig(dir.path, servers));
  } finally {
    dir.cleanup();
  }
}

const BROKEN_REASON = "could not connect to MCP server `broken`: spawn does-not-exist-codecell ENOENT";

for (const kind of ["stdio", "http"] as const) {
  test(`over ${kind}: an upstream server that cannot start leaves codecell serving, and cells are told`, async () => {
    const servers = { everything: EVERYTHING, broken: { command: "does-not-exist-codecell" } };
    await withConfig(servers, async (config) => {
      await withCodecellMcp(kind, config, [], async (mcp) => {
        const client = await mcp.connect();
        const out = await exec(
          client,
          `
          text(ALL_TOOLS.map((tool) => tool.name).filter((name) => !name.startsWith("mcp__everything__")));
          text((await tools.mcp__everything__get_sum({ a: 1, b: 2 })).content[0].text);
        `,
        );
        assert.deepEqual(textsOf(out), ['["mcp__broken__unavailable"]', "The sum of 1 and 2 is 3."]);
        assert.ok((await execDescription(client)).includes(mcpServerUnavailable("broken", BROKEN_REASON)));
        // Over HTTP the broken server is this client's own, so its lines name the client's MCP session.
        const warning = ` WARN [broken] ${BROKEN_REASON}; retrying in 1 s${kind === "http" ? " session=" : "\n"}`;
        await eventually(mcp.stderr, warning);
      });
    });
  });

  test(`over ${kind}: an upstream server's stderr lines carry its name`, async () => {
    await withConfig({ everything: EVERYTHING }, async (config) => {
      await withCodecellMcp(kind, config, [], async (mcp) => {
        await mcp.connect();
        const line = ` INFO [everything] Starting default (STDIO) server...${kind === "http" ? " session=" : "\n"}`;
        await eventually(mcp.stderr, line);
      });
    });
  });

  test(`over ${kind}: a nested call's progress reaches the client as progress of its exec call`, async () => {
    await withConfig({ everything: EVERYTHING }, async (config) => {
      await withCodecellMcp(kind, config, [], async (mcp) => {
        const client = await mcp.connect();
        const progress: unknown[] = [];
        const result = await client.callTool({
          name: "exec",
          arguments: {
            code:
              "const r = await tools.mcp__everything__trigger_long_running_operation({ duration: 0.3, steps: 3 });\n" +
              "text(r.content[0].text);",
          },
        }, { onprogress: ({ progress: step, message }) => progress.push([step, message]) });
        assert.deepEqual(textsOf(result), ["Long running operation completed. Duration: 0.3 seconds, Steps: 3."]);
        const tool = "mcp__everything__trigger_long_running_operation";
        const expected = [1, 2, 3].map((step) => [step, nestedCallProgress(tool, step, 3)]);
        // The last update leaves the upstream server together with its answer, and the MCP SDK handles an answer
        // before a notification that came with it, so that one may be lost on either hop; the others may not.
        assert.ok(progress.length >= 2, JSON.stringify(progress));
        assert.deepEqual(progress, expected.slice(0, progress.length));
      });
    });
  });
}

test("over http: each client has its own upstream servers, and a server marked shared is shared", async () => {
  await withConfig({ own: FIXTURE, common: { ...FIXTURE, shared: true } }, async (config) => {
    await withCodecellMcp("http", config, [], async (mcp) => {
      const [first, second] = [await mcp.connect(), await mcp.connect()];
      const secondChanged = deferred();
      second.setNotificationHandler("notifications/tools/list_changed", () => secondChanged.resolve());
      const added = await exec(
        first,
        `
        text((await tools.mcp__own__add_tool({ name: "mine" })).content[0].text);
        text((await tools.mcp__common__add_tool({ name: "ours" })).content[0].text);
      `,
      );
      assert.deepEqual(textsOf(added), ["added mine", "added ours"]);
      await within(10_000, "the shared server's new tool to reach the second client", secondChanged.promise);
      const seen = await exec(
        second,
        `
        text(ALL_TOOLS.map((tool) => tool.name).filter((name) => /mine|ours/.test(name)));
      `,
      );
      assert.deepEqual(textsOf(seen), ['["mcp__common__ours"]']);

      // The second client's call is in flight on its own server when the first client crashes its own.
      const waiting = await exec(second, '// @exec: {"yield_time_ms": 0}\nawait tools.mcp__own__wait_for_cancel({});');
      assert.equal(statusOf(waiting), "Script running with cell ID 2");
      const crashed = await exec(
        first,
        "try { await tools.mcp__own__crash({}); } catch (error) { text(error.message); }",
      );
      assert.deepEqual(textsOf(crashed), [
        "MCP server `own` disconnected during a call to its tool `crash` (Connection closed); codecell reconnects " +
        "on the next call",
      ]);
      const stats = await exec(second, "text((await tools.mcp__own__stats({ started: 1 })).content[0].text);");
      assert.deepEqual(textsOf(stats), ['{"started":1,"cancelled":0}']);
      const still = await second.callTool({ name: "wait", arguments: { cell_id: "2", yield_time_ms: 0 } });
      assert.equal(statusOf(still), "Script running with cell ID 2");
    });
  });
});
