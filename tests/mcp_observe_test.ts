// `codecell mcp` as an operator runs it (README, "Observe" and "Approvals"): the config marks upstream tools as
// needing approval, the client's user is asked through MCP elicitation, and the log on stderr has one JSON object
// per line, with a line per HTTP request and, at debug, per cell and tool call. Over stdio and HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CallToolResult, Client, ElicitRequest } from "@modelcontextprotocol/client";
import { approvalQuestion } from "../ts/contract/messages.ts";
import { spawn } from "node:child_process";
import { join } from "node:path";
import {
  childEnv,
  deferred,
  eventually,
  FIXTURE,
  ROOT,
  startNode,
  tempDir,
  withCodecellMcp,
  within,
  writeConfig,
} from "./mcp_helpers.ts";

const TOOLS_MODULE = join(ROOT, "tests/fixtures/mcp_cli_tools.ts");

const CELL = 'text((await tools.mcp__fixture__echo({ text: "hi" })).content[0].text); ' +
  "text((await tools.mcp__fixture__image({})).content[0].text);";

function textsOf(result: CallToolResult): string[] {
  return result.content.slice(1).map((block) => (block.type === "text" ? block.text : `<${block.type}>`));
}

/** Each stderr line as the object it encodes; a line that is not a JSON object fails the test. */
function logEntries(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((line) => line !== "").map((line) => {
    const entry: unknown = JSON.parse(line);
    assert.ok(typeof entry === "object" && entry !== null && !Array.isArray(entry), line);
    return Object.fromEntries(Object.entries(entry));
  });
}

/** An elicitation-capable client that accepts every question and records it. */
function accepting(asked: ElicitRequest["params"][]) {
  return {
    capabilities: { elicitation: { form: {} } },
    setup: (client: Client) =>
      client.setRequestHandler("elicitation/create", ({ params }) => {
        asked.push(params);
        return { action: "accept" as const, content: {} };
      }),
  };
}

for (const kind of ["stdio", "http"] as const) {
  test(`over ${kind}: config-marked upstream tools are approved through elicitation, and the log is JSON lines`, async () => {
    const dir = tempDir();
    try {
      const config = writeConfig(dir.path, { fixture: { ...FIXTURE, needsApproval: ["ec*"] } });
      await withCodecellMcp(kind, config, ["--log-level", "debug", "--log-format", "json"], async (mcp) => {
        const asked: ElicitRequest["params"][] = [];
        const client = await mcp.connect(accepting(asked));
        const result = await client.callTool({ name: "exec", arguments: { code: CELL } });
        assert.deepEqual(textsOf(result), ["echo: hi", "a tiny image"]);
        assert.deepEqual(asked, [{
          mode: "form",
          message: approvalQuestion("mcp__fixture__echo", '{"text":"hi"}', true),
          requestedSchema: { type: "object", properties: {} },
        }]);
        // Over HTTP the exec call's line is written once its answer stream has ended.
        const httpRequests = (stderr: string) => logEntries(stderr).filter((entry) => entry.msg === "http request");
        if (kind === "http") {
          await eventually(
            mcp.stderr,
            (stderr) => httpRequests(stderr).filter(({ status }) => status === 200).length >= 2,
          );
        }
        const entries = logEntries(mcp.stderr());
        const approvals = entries.filter((entry) => entry.msg === "tool.approval");
        assert.deepEqual(approvals.map(({ level, tool, approved }) => ({ level, tool, approved })), [
          { level: "debug", tool: "mcp__fixture__echo", approved: true },
        ]);
        const tools = entries.filter((entry) => entry.msg === "tool.end").map(({ tool, ok }) => [tool, ok]);
        assert.deepEqual(tools, [["mcp__fixture__echo", true], ["mcp__fixture__image", true]]);
        const requests = httpRequests(mcp.stderr());
        if (kind === "stdio") {
          assert.ok(entries.every((entry) => !("session" in entry)));
          return assert.deepEqual(requests, []);
        }
        // initialize, notifications/initialized, the answer to the elicitation, then the exec call, which ended last.
        const session = requests[0].session;
        assert.match(String(session), /^[0-9a-f-]{36}$/);
        assert.deepEqual(
          requests.map(({ level, method, path, status, ms, ...rest }) => ({
            line: [level, method, path, status, typeof ms],
            rest: Object.keys(rest).sort(),
          })),
          [200, 202, 202, 200].map((status) => ({
            line: ["info", "POST", "/mcp", status, "number"],
            rest: ["msg", "session", "time"],
          })),
        );
        assert.deepEqual(new Set(requests.map((request) => request.session)), new Set([session]));
        // Each event line names the MCP session it happened in.
        const debug = entries.filter((entry) => entry.level === "debug");
        assert.deepEqual(new Set(debug.map((entry) => entry.session)), new Set([session]));
      });
    } finally {
      dir.cleanup();
    }
  });
}

for (const kind of ["stdio", "http"] as const) {
  test(`over ${kind}: a cell that yielded before a call that needs approval asks once the client waits on it`, async () => {
    const dir = tempDir();
    try {
      const config = writeConfig(dir.path, { fixture: { ...FIXTURE, needsApproval: true } });
      await withCodecellMcp(kind, config, ["--log-level", "debug"], async (mcp) => {
        const asked: ElicitRequest["params"][] = [];
        const client = await mcp.connect(accepting(asked));
        // The pause keeps the call's frame apart from the yield's, so the exec has surely been answered by then.
        const code = `yield_control();\nawait new Promise((resolve) => setTimeout(resolve, 500));\n${CELL}`;
        const running = await client.callTool({ name: "exec", arguments: { code } });
        assert.match(String(running.content[0]?.type === "text" && running.content[0].text), /^Script running/);
        // The call has reached the approval step, but no client call observes the cell: nobody was asked yet.
        await eventually(mcp.stderr, " DEBUG tool.start ");
        assert.deepEqual(asked, []);
        const done = await client.callTool({ name: "wait", arguments: { cell_id: "1" } });
        assert.deepEqual(textsOf(done), ["echo: hi", "a tiny image"]);
        assert.deepEqual(asked.map(({ message }) => String(message).split(" with ")[0]), [
          "Code written by the model wants to call the tool mcp__fixture__echo",
          "Code written by the model wants to call the tool mcp__fixture__image",
        ]);
      });
    } finally {
      dir.cleanup();
    }
  });
}

test("over stdio at debug, stdout carries only protocol messages and the log goes to stderr", async () => {
  // Driven by hand: the MCP client SDK skips lines of stdout that are not JSON, so it could not tell.
  const child = spawn(
    "node",
    [join(ROOT, "bin/codecell.mjs"), "mcp", "--tools", TOOLS_MODULE, "--log-level", "debug"],
    {
      cwd: ROOT,
      env: childEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const initialized = deferred();
  const executed = deferred();
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (/"id":1[,}]/.test(stdout)) initialized.resolve();
    if (/"id":2[,}]/.test(stdout)) executed.resolve();
  });
  const exit = new Promise((resolve) => child.once("close", resolve));
  const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
  try {
    send({
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    await within(30_000, "the initialize answer", initialized.promise);
    send({ method: "notifications/initialized" });
    const code = 'console.log("to the model"); notify("to the client"); text(await tools.shout("hi"));';
    send({ id: 2, method: "tools/call", params: { name: "exec", arguments: { code } } });
    await within(30_000, "the exec answer", executed.promise);
  } finally {
    child.stdin.end();
    await within(30_000, "codecell to exit", exit);
  }
  const messages = stdout.trimEnd().split("\n").map((line): unknown => JSON.parse(line));
  assert.ok(messages.every((message) => typeof message === "object" && message !== null && "jsonrpc" in message));
  assert.match(stdout, /"text":"HI"/);
  for (const event of ["cell.start", "tool.start", "tool.end", "notify", "cell.end"]) {
    assert.match(stderr, new RegExp(` DEBUG ${event.replace(".", "\\.")} `));
  }
});

test("over http, a refused request is logged with its status and without the session its header claims", async () => {
  const server = await startNode(
    [join(ROOT, "bin/codecell.mjs"), "mcp", "--http", "127.0.0.1:0", "--auth-token", "secret", "--log-format", "json"],
    /serving MCP over streamable HTTP at (http:\/\/[^\s"]+)/,
  );
  try {
    const refused = await fetch(server.match[1], {
      method: "POST",
      headers: { "content-type": "application/json", "mcp-session-id": "someone-elses-session" },
      body: "{}",
    });
    await refused.body?.cancel();
    assert.equal(refused.status, 401);
    const requests = () => logEntries(server.stderr()).filter((entry) => entry.msg === "http request");
    await eventually(server.stderr, (stderr) => stderr.includes('"msg":"http request"'));
    assert.deepEqual(requests().map(({ time: _time, ms: _ms, ...rest }) => rest), [
      { level: "info", msg: "http request", method: "POST", path: "/mcp", status: 401 },
    ]);
  } finally {
    await server.stop();
  }
});
