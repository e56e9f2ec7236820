// `codecell mcp`'s session settings, from the config file's "codecell" block and from flags, seen by an MCP
// client through the exec description and the cells it runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { tempDir, withCodecellMcp, writeConfig } from "./mcp_helpers.ts";

function headOf(result: CallToolResult): string {
  const head = result.content[0];
  return head?.type === "text" ? head.text.split("\n")[0] : "";
}

function textsOf(result: CallToolResult): string[] {
  return result.content.slice(1).map((block) => (block.type === "text" ? block.text : `<${block.type}>`));
}

async function withSettings(
  codecell: Record<string, unknown>,
  args: readonly string[],
  fn: (client: Client) => Promise<void>,
): Promise<void> {
  const dir = tempDir();
  try {
    const config = writeConfig(dir.path, {}, "codecell.json", { codecell });
    await withCodecellMcp("stdio", config, args, async (mcp) => await fn(await mcp.connect()));
  } finally {
    dir.cleanup();
  }
}

test("the config's codecell block and the flags set the session, a flag winning over the block", async () => {
  await withSettings({ pool: 0, limits: { heapMiB: 256, maxCells: 3 }, yieldTimeMs: 60_000 }, [
    "--max-cells",
    "5",
    "--yield-time-ms",
    "0",
    "--console=false",
  ], async (client) => {
    const { tools } = await client.listTools();
    const description = tools.find((tool) => tool.name === "exec")?.description ?? "";
    assert.match(description, /\nLimits: per cell 256 MiB of heap, [^\n]*; 5 live cells per session\./);
    assert.match(description, /or has run for `yield_time_ms` \(default 0\)\./);
    assert.doesNotMatch(description, /console/);
    // With yield time 0 the exec returns at once; the cell's output may come with it or with the next wait (the
    // cell keeps handing control back, so that wait returns as soon as it has it).
    const out = await client.callTool({
      name: "exec",
      arguments: {
        code: 'console.log("hidden"); text("shown");\n' +
          "while (true) { await new Promise((resolve) => setTimeout(resolve, 20)); yield_control(); }",
      },
    });
    const next = await client.callTool({ name: "wait", arguments: { cell_id: "1", yield_time_ms: 60_000 } });
    assert.deepEqual([headOf(out), headOf(next), [...textsOf(out), ...textsOf(next)]], [
      "Script running with cell ID 1",
      "Script running with cell ID 1",
      ["shown"],
    ]);
  });
});

test("with --typecheck a cell that does not type-check fails, and concurrent execs each get their own notifications", async () => {
  await withSettings({ pool: 0 }, ["--typecheck"], async (client) => {
    const failed = await client.callTool({ name: "exec", arguments: { code: 'const n: number = "x"; text(n);' } });
    assert.equal(headOf(failed), "Script failed");
    assert.match(textsOf(failed).join("\n"), /^Script error:\n.*TS2322/s);
    const progress: Record<string, unknown[]> = { a: [], b: [] };
    const run = (name: "a" | "b") =>
      client.callTool({
        name: "exec",
        arguments: {
          code:
            `notify("from ${name}"); await new Promise<void>((resolve) => setTimeout(() => resolve(), 200)); text("${name}");`,
        },
      }, { onprogress: ({ progress: step, message }) => progress[name].push([step, message]) });
    const [a, b] = await Promise.all([run("a"), run("b")]);
    assert.deepEqual([textsOf(a), textsOf(b)], [["a"], ["b"]]);
    assert.deepEqual(progress, { a: [[1, "from a"]], b: [[1, "from b"]] });
  });
});
