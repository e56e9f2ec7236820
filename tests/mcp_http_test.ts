// codecell's MCP endpoint over HTTP, served in-process with `serveHttp` and driven by the MCP client SDK and by
// raw requests: the bearer token, the Origin allow-list, non-loopback binds, the session cap, idle expiry and the
// answers for sessions that are gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import process from "node:process";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { CodeModeSession } from "../ts/mod.ts";
import { type HttpServeHandle, type HttpServeOptions, serveHttp } from "../ts/mcp/serve_http.ts";
import {
  HTTP_UNAUTHORIZED,
  HTTP_UNKNOWN_SESSION,
  httpOriginNotAllowed,
  remoteBindWarning,
  tooManySessions,
  unauthenticatedRemote,
} from "../ts/contract/messages.ts";
import { within } from "./mcp_helpers.ts";
import { liveSandboxes } from "./processes.ts";

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1.0.0" } },
};

type ServeOptions = Omit<HttpServeOptions, "host" | "port" | "sessionFactory">;

/** Serves sessions without warm sandboxes on 127.0.0.1; `closed` counts the codecell sessions closed so far. */
async function withServer(
  options: ServeOptions,
  fn: (served: HttpServeHandle, events: { closed: () => Promise<void> }) => Promise<void>,
): Promise<void> {
  const waiters: (() => void)[] = [];
  const served = await serveHttp({
    host: "127.0.0.1",
    port: 0,
    ...options,
    sessionFactory: (hooks) => {
      hooks.onClose(() => Promise.resolve(waiters.shift()?.()));
      return new CodeModeSession({ pool: 0, onNotify: hooks.onNotify });
    },
  });
  try {
    await fn(served, { closed: () => new Promise((resolve) => waiters.push(resolve)) });
  } finally {
    await served.close();
  }
}

/** One raw POST to the endpoint: status and parsed body. */
function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        const json = res.headers["content-type"]?.startsWith("application/json") ? JSON.parse(text) : text;
        resolve({ status: res.statusCode ?? 0, body: json, headers: { ...res.headers } });
      });
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function errorBody(message: string, code = -32000) {
  return { jsonrpc: "2.0", error: { code, message }, id: null };
}

async function connect(url: string, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: "codecell-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

test("without the bearer token a request is refused with 401, and with it the SDK client works", async () => {
  await withServer({ authToken: "s3cret-token" }, async (served) => {
    const missing = await post(served.url, INITIALIZE);
    assert.deepEqual([missing.status, missing.body, missing.headers["www-authenticate"]], [
      401,
      errorBody(HTTP_UNAUTHORIZED),
      "Bearer",
    ]);
    const wrong = await post(served.url, INITIALIZE, { authorization: "Bearer s3cret-tokeN" });
    assert.deepEqual([wrong.status, wrong.body], [401, errorBody(HTTP_UNAUTHORIZED)]);
    const { client, transport } = await connect(served.url, { authorization: "Bearer s3cret-token" });
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name), ["exec", "wait"]);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });
});

test("a browser origin outside the allow-list is refused with 403; loopback origins and none are allowed", async () => {
  await withServer({}, async (served) => {
    const evil = await post(served.url, INITIALIZE, { origin: "http://evil.example" });
    assert.deepEqual([evil.status, evil.body], [403, errorBody(httpOriginNotAllowed("http://evil.example"))]);
    const cases: Record<string, string>[] = [
      { origin: "http://localhost:6274" },
      { origin: "http://127.0.0.1:3000" },
      {},
    ];
    for (const headers of cases) {
      const allowed = await post(served.url, INITIALIZE, headers);
      assert.equal(allowed.status, 200, JSON.stringify(headers));
      const sessionId = allowed.headers["mcp-session-id"];
      assert.equal(typeof sessionId, "string");
    }
  });
  await withServer({ allowedOrigins: ["https://app.example.com"] }, async (served) => {
    assert.equal((await post(served.url, INITIALIZE, { origin: "https://app.example.com" })).status, 200);
    const local = await post(served.url, INITIALIZE, { origin: "http://localhost:6274" });
    assert.deepEqual([local.status, local.body], [403, errorBody(httpOriginNotAllowed("http://localhost:6274"))]);
  });
});

test("listening beyond loopback is refused without a token and warned about with one", async () => {
  const factory = () => new CodeModeSession({ pool: 0 });
  await assert.rejects(serveHttp({ host: "0.0.0.0", port: 0, sessionFactory: factory }), {
    name: "CodecellError",
    message: unauthenticatedRemote("0.0.0.0"),
  });
  const warnings: string[] = [];
  const served = await serveHttp({
    host: "0.0.0.0",
    port: 0,
    authToken: "t",
    sessionFactory: factory,
    onWarning: (message) => warnings.push(message),
  });
  await served.close();
  assert.deepEqual(warnings, [remoteBindWarning("0.0.0.0")]);
});

test("past --max-sessions an initialize gets 503 with a clear message, and ending a session frees its slot", async () => {
  await withServer({ maxSessions: 1 }, async (served, events) => {
    const first = await connect(served.url);
    const refused = await post(served.url, INITIALIZE);
    assert.deepEqual([refused.status, refused.body], [503, errorBody(tooManySessions(1))]);
    await assert.rejects(connect(served.url), (error: Error) => error.message.includes(tooManySessions(1)));
    const closed = events.closed();
    await first.transport.terminateSession();
    await first.client.close();
    await within(10_000, "the first session to close", closed);
    const second = await connect(served.url);
    assert.equal(served.sessionCount(), 1);
    await second.transport.terminateSession();
    await second.client.close();
  });
});

test("an idle session is closed with its sandboxes, and its id then answers 404, as a deleted one does", async () => {
  await withServer({ sessionIdleMs: 500 }, async (served, events) => {
    const { client, transport } = await connect(served.url);
    try {
      const closed = events.closed();
      const out = await client.callTool({ name: "exec", arguments: { code: 'text("hi");' } });
      assert.deepEqual(out.content.slice(1), [{ type: "text", text: "hi" }]);
      assert.notDeepEqual(liveSandboxes(process.pid), [], "the session keeps its sandbox while it is open");
      const sessionId = transport.sessionId;
      assert.ok(sessionId !== undefined);
      await within(10_000, "the idle session to close", closed);
      assert.deepEqual([served.sessionCount(), liveSandboxes(process.pid)], [0, []]);
      const gone = await post(served.url, { jsonrpc: "2.0", id: 2, method: "tools/list" }, {
        "mcp-session-id": sessionId,
        "mcp-protocol-version": "2025-06-18",
      });
      assert.deepEqual([gone.status, gone.body], [404, errorBody(HTTP_UNKNOWN_SESSION, -32001)]);
    } finally {
      await client.close();
    }
  });
  await withServer({}, async (served) => {
    const { client, transport } = await connect(served.url);
    const sessionId = transport.sessionId;
    assert.ok(sessionId !== undefined);
    await transport.terminateSession();
    await client.close();
    const gone = await post(served.url, { jsonrpc: "2.0", id: 2, method: "tools/list" }, {
      "mcp-session-id": sessionId,
    });
    assert.deepEqual([gone.status, gone.body], [404, errorBody(HTTP_UNKNOWN_SESSION, -32001)]);
  });
});

test("a session with a request in progress is not idle", async () => {
  await withServer({ sessionIdleMs: 300 }, async (served) => {
    const { client, transport } = await connect(served.url);
    try {
      const out = await client.callTool({
        name: "exec",
        arguments: { code: "await new Promise((resolve) => setTimeout(resolve, 1000)); text('still open');" },
      });
      assert.deepEqual(out.content.slice(1), [{ type: "text", text: "still open" }]);
      assert.equal(served.sessionCount(), 1);
      await transport.terminateSession();
    } finally {
      await client.close();
    }
  });
});
