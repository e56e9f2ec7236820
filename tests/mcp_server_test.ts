// codecell as an MCP server: `codecell mcp --config <file>` spawned through its npm bin and driven
// by the MCP client SDK, over stdio and over streamable HTTP on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { CallToolResult, LoggingMessageNotification } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { childEnv, deferred, EVERYTHING, ROOT, startNode, tempDir, within, writeConfig } from "./mcp_helpers.ts";
import { liveDescendants } from "./processes.ts";

type TransportKind = "stdio" | "http";

/** Opens MCP clients to one `codecell mcp` (HTTP) or one `codecell mcp` per client (stdio). */
interface Clients {
  connect(): Promise<Client>;
  /** The codecell process and its URL (HTTP only). */
  http: { pid: number; url: string } | undefined;
}

const HEADER = /^Script (completed|failed|terminated|running with cell ID \d+)\nWall time \d+\.\d seconds\nOutput:\n$/;

/** Runs `fn` against `codecell mcp` with server-everything as its nested MCP server; closes everything after. */
async function withCodecellMcp(kind: TransportKind, fn: (clients: Clients) => Promise<void>): Promise<void> {
  const dir = tempDir();
  const config = writeConfig(dir.path, { everything: EVERYTHING });
  const command = [join(ROOT, "bin/codecell.mjs"), "mcp", "--config", config];
  const opened: { client: Client; transport: StdioClientTransport | StreamableHTTPClientTransport }[] = [];
  const server = kind === "http"
    ? await startNode([...command, "--http", "127.0.0.1:0"], /serving MCP over streamable HTTP at (http:\/\/[^\s"]+)/)
    : undefined;
  const connect = async () => {
    const transport = server === undefined
      ? new StdioClientTransport({ command: "node", args: command, env: childEnv(), stderr: "ignore" })
      : new StreamableHTTPClientTransport(new URL(server.match[1]));
    const client = new Client({ name: "codecell-test", version: "1.0.0" });
    await client.connect(transport);
    opened.push({ client, transport });
    return client;
  };
  try {
    await fn({ connect, http: server === undefined ? undefined : { pid: server.pid, url: server.match[1] } });
  } finally {
    for (const { client, transport } of opened) {
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
      await client.close();
    }
    await server?.stop();
    dir.cleanup();
  }
}

/** The blocks of a result: text as it is, images as `<image mimeType>`; the header is checked and dropped. */
function blocksOf(result: CallToolResult): string[] {
  const [head, ...rest] = result.content;
  assert.ok(head?.type === "text" && HEADER.test(head.text), `no header: ${JSON.stringify(result)}`);
  return rest.map((block) => (block.type === "text" ? block.text : `<${block.type}>`));
}

function statusOf(result: CallToolResult): string {
  const head = result.content[0];
  return head?.type === "text" ? head.text.split("\n")[0] : "";
}

function exec(client: Client, code: string): Promise<CallToolResult> {
  return client.callTool({ name: "exec", arguments: { code } });
}

function wait(client: Client, args: Record<string, unknown>): Promise<CallToolResult> {
  return client.callTool({ name: "wait", arguments: args });
}

for (const kind of ["stdio", "http"] as const) {
  test(`over ${kind}: exec and wait are listed, and exec runs a cell calling nested MCP tools from the config`, async () => {
    await withCodecellMcp(kind, async ({ connect }) => {
      const client = await connect();
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((tool) => [tool.name, tool.inputSchema.required]), [
        ["exec", ["code"]],
        ["wait", ["cell_id"]],
      ]);
      const result = await exec(
        client,
        `
        const sum = await tools.mcp__everything__get_sum({ a: 2, b: 3 });
        const echo = await tools.mcp__everything__echo({ message: sum.content[0].text });
        text(echo.content[0].text);
      `,
      );
      assert.equal(result.isError, undefined);
      assert.equal(statusOf(result), "Script completed");
      assert.deepEqual(blocksOf(result), ["Echo: The sum of 2 and 3 is 5."]);
    });
  });

  test(`over ${kind}: yield_control hands back a running cell, wait resumes it, and wait terminate stops one`, async () => {
    await withCodecellMcp(kind, async ({ connect }) => {
      const client = await connect();
      const yielded = await exec(client, 'text("before"); yield_control(); text("after");');
      assert.equal(statusOf(yielded), "Script running with cell ID 1");
      assert.deepEqual(blocksOf(yielded), ["before"]);
      const resumed = await wait(client, { cell_id: "1" });
      assert.equal(statusOf(resumed), "Script completed");
      assert.deepEqual(blocksOf(resumed), ["after"]);

      const stuck = await exec(client, '// @exec: {"yield_time_ms": 0}\ntext("started"); await new Promise(() => {});');
      assert.equal(statusOf(stuck), "Script running with cell ID 2");
      const terminated = await wait(client, { cell_id: "2", terminate: true });
      assert.equal(terminated.isError, undefined);
      assert.equal(statusOf(terminated), "Script terminated");
      const gone = await wait(client, { cell_id: "2" });
      assert.equal(gone.isError, true);
      assert.deepEqual(blocksOf(gone), ["Script error:\nexec cell 2 not found"]);
    });
  });

  test(`over ${kind}: an image shown by a cell comes back as an MCP image block`, async () => {
    await withCodecellMcp(kind, async ({ connect }) => {
      const client = await connect();
      const result = await exec(
        client,
        `
        const tiny = await tools.mcp__everything__get_tiny_image({});
        text("here it is");
        image(tiny.content.find((block) => block.type === "image"));
      `,
      );
      assert.deepEqual(blocksOf(result), ["here it is", "<image>"]);
      const image = result.content[2];
      assert.ok(image?.type === "image");
      assert.equal(image.mimeType, "image/png");
      assert.match(image.data, /^iVBORw0KGgo[A-Za-z0-9+/]+=*$/);
    });
  });

  test(`over ${kind}: two clients have their own sessions and stored values`, async () => {
    await withCodecellMcp(kind, async ({ connect }) => {
      const [first, second] = [await connect(), await connect()];
      assert.deepEqual(blocksOf(await exec(first, 'store("owner", "first"); text(load("owner"));')), ["first"]);
      assert.deepEqual(blocksOf(await exec(second, 'text(String(load("owner"))); store("owner", "second");')), [
        "undefined",
      ]);
      assert.deepEqual(blocksOf(await exec(first, 'text(load("owner"));')), ["first"]);
      // Cell ids count per session, so each client's first cell was "1".
      assert.equal(statusOf(await exec(second, "yield_control();")), "Script running with cell ID 2");
    });
  });

  test(`over ${kind}: bad arguments are answered with the contract's parse errors, not the SDK's`, async () => {
    await withCodecellMcp(kind, async ({ connect }) => {
      const client = await connect();
      const answers = await Promise.all([
        client.callTool({ name: "exec", arguments: {} }),
        client.callTool({ name: "exec", arguments: { code: 42 } }),
        client.callTool({ name: "wait", arguments: {} }),
        client.callTool({ name: "wait", arguments: { cell_id: "1", yield_time_ms: -1 } }),
        client.callTool({ name: "exec", arguments: { code: "" } }),
      ]);
      assert.deepEqual(
        answers,
        [
          "failed to parse function arguments: missing field `code`",
          "failed to parse function arguments: invalid type for `code`: expected a string, got the number 42",
          "failed to parse function arguments: missing field `cell_id`",
          "failed to parse function arguments: invalid value for `yield_time_ms`: expected a non-negative safe integer, " +
          "got the number -1",
          "exec expects raw JavaScript source text (non-empty). Provide JS only, optionally with first-line `// @exec: " +
          '{"yield_time_ms": 10000, "max_output_tokens": 1000}`.',
        ].map((text) => ({ content: [{ type: "text", text }], isError: true })),
      );
    });
  });

  test(`over ${kind}: notify reaches the client as a log message of the running call`, async () => {
    await withCodecellMcp(kind, async ({ connect }) => {
      const client = await connect();
      const messages: LoggingMessageNotification["params"][] = [];
      const logged = deferred();
      client.setNotificationHandler("notifications/message", (notification) => {
        messages.push(notification.params);
        logged.resolve();
      });
      const result = await exec(client, 'notify("halfway"); text("done");');
      assert.deepEqual(blocksOf(result), ["done"]);
      // The client SDK dispatches notifications a microtask later than responses.
      await within(5_000, "the log message", logged.promise);
      assert.deepEqual(messages, [{ level: "info", logger: "codecell", data: { cell_id: "1", text: "halfway" } }]);
    });
  });
}

test("over http: ending an MCP session closes its codecell session and its sandboxes", async () => {
  await withCodecellMcp("http", async ({ http }) => {
    assert.ok(http !== undefined);
    const transport = new StreamableHTTPClientTransport(new URL(http.url));
    const client = new Client({ name: "codecell-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      assert.deepEqual(blocksOf(await exec(client, 'text("x");')), ["x"]);
      assert.notDeepEqual(sandboxesOf(http.pid), [], "the session keeps warm sandboxes while it is open");
      await transport.terminateSession();
      await within(
        10_000,
        "the sandboxes to exit",
        (async () => {
          while (sandboxesOf(http.pid).length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
      );
    } finally {
      await client.close();
    }
  });
});

/** Sandbox (deno) processes under `pid`. */
function sandboxesOf(pid: number): number[] {
  return liveDescendants(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, "utf8").trim() === "deno";
    } catch {
      return false;
    }
  });
}
