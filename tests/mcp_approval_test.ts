// Approvals and trace context through codecell's MCP server (README, "Approvals"): a call that needs approval is
// put to the client's user through MCP elicitation, and a client's `_meta.traceparent` parents codecell's spans.
// The server runs in-process over the MCP SDK's in-memory transport, against the MCP client SDK.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { CallToolResult, ClientCapabilities, ElicitRequest, ElicitResult } from "@modelcontextprotocol/client";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { CodeModeSession, defineTool } from "../ts/mod.ts";
import { createCodecellMcpServer } from "../ts/mcp/server.ts";
import {
  approvalQuestion,
  MCP_CLIENT_CANNOT_APPROVE,
  toolApprovalFailed,
  toolCallDenied,
} from "../ts/contract/messages.ts";
import { deferred, within } from "./mcp_helpers.ts";
import { testIsolation } from "./util.ts";

/** What the client's user is asked, and how it answers. */
type Elicit = (request: ElicitRequest, signal: AbortSignal) => ElicitResult | Promise<ElicitResult>;

/** The client: how its user answers (and its capability to be asked, by default `{ form: {} }` when it can). */
interface ClientSide {
  elicit?: Elicit;
  elicitation?: ClientCapabilities["elicitation"];
  tracerProvider?: BasicTracerProvider;
}

/** A session whose `delete_file` tool needs approval; `deleted` lists the paths its handler was run for. */
async function withServer(
  { elicit, elicitation, tracerProvider }: ClientSide,
  fn: (client: Client, deleted: string[]) => Promise<void>,
): Promise<void> {
  const deleted: string[] = [];
  const deleteFile = defineTool({
    name: "delete_file",
    input: z.object({ path: z.string() }),
    needsApproval: true,
    run: ({ path }) => {
      deleted.push(path);
      return `deleted ${path}`;
    },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mcp = await createCodecellMcpServer({
    sessionFactory: (hooks) =>
      new CodeModeSession({
        ...testIsolation(),
        pool: 0,
        tools: [deleteFile],
        approve: hooks.approve,
        ...(tracerProvider === undefined ? {} : { tracerProvider }),
      }),
  });
  await mcp.connect(serverSide);
  const capability = elicitation ?? (elicit === undefined ? undefined : { form: {} });
  const client = new Client(
    { name: "codecell-test", version: "1.0.0" },
    capability === undefined ? {} : { capabilities: { elicitation: capability } },
  );
  if (elicit !== undefined) {
    client.setRequestHandler("elicitation/create", (request, ctx) => elicit(request, ctx.mcpReq.signal));
  }
  try {
    await client.connect(clientSide);
    await fn(client, deleted);
  } finally {
    await client.close();
    await mcp.close();
  }
}

const DELETE_CELL = 'text(await tools.delete_file({ path: "/tmp/a" }));';

function exec(client: Client, code: string, meta?: Record<string, string>): Promise<CallToolResult> {
  return client.callTool({ name: "exec", arguments: { code }, ...(meta === undefined ? {} : { _meta: meta }) });
}

/** The result's blocks after the header: its status line, then the texts. */
function outcome(result: CallToolResult): string[] {
  return result.content.map((block, index) => {
    if (block.type !== "text") return `<${block.type}>`;
    return index === 0 ? block.text.split("\n")[0] : block.text;
  });
}

test("over MCP, a call that needs approval asks the user through elicitation and runs once accepted", async () => {
  const asked: unknown[] = [];
  const elicit: Elicit = ({ params }) => {
    asked.push(params);
    return { action: "accept", content: {} };
  };
  await withServer({ elicit }, async (client, deleted) => {
    assert.deepEqual(outcome(await exec(client, DELETE_CELL)), ["Script completed", "deleted /tmp/a"]);
    assert.deepEqual(deleted, ["/tmp/a"]);
  });
  assert.deepEqual(asked, [{
    mode: "form",
    message: approvalQuestion("delete_file", '{"path":"/tmp/a"}', true),
    requestedSchema: { type: "object", properties: {} },
  }]);
});

test("over MCP, a declined or cancelled approval rejects the call inside the cell and its handler does not run", async () => {
  for (const action of ["decline", "cancel"] as const) {
    await withServer({ elicit: () => ({ action }) }, async (client, deleted) => {
      const result = await exec(client, `try { ${DELETE_CELL} } catch (error) { text(error.message); }`);
      assert.deepEqual(outcome(result), ["Script completed", toolCallDenied("delete_file")], action);
      assert.deepEqual(deleted, []);
    });
  }
});

test("over MCP, a client without form elicitation gets calls that need approval refused, with the reason", async () => {
  for (const elicitation of [undefined, { url: {} }]) {
    await withServer({ elicitation }, async (client, deleted) => {
      const result = await exec(client, `try { ${DELETE_CELL} } catch (error) { text(error.message); }`);
      assert.deepEqual(outcome(result), [
        "Script completed",
        toolApprovalFailed("delete_file", MCP_CLIENT_CANNOT_APPROVE),
      ], JSON.stringify(elicitation));
      assert.deepEqual(deleted, []);
    });
  }
});

test("over MCP, terminating a cell while its user decides cancels the question and the call never runs", async () => {
  const asked = deferred();
  const cancelled = deferred();
  const elicit: Elicit = (_request, signal) => {
    asked.resolve();
    // The user never answers; the question is withdrawn when the cell ends.
    return new Promise<ElicitResult>((_resolve, reject) => {
      signal.addEventListener("abort", () => {
        cancelled.resolve();
        reject(new Error("withdrawn"));
      });
    });
  };
  await withServer({ elicit }, async (client, deleted) => {
    const running = await exec(client, `// @exec: {"yield_time_ms": 100}\n${DELETE_CELL}`);
    assert.deepEqual(outcome(running), ["Script running with cell ID 1"]);
    await within(30_000, "the approval question", asked.promise);
    const ended = await client.callTool({ name: "wait", arguments: { cell_id: "1", terminate: true } });
    assert.deepEqual(outcome(ended), ["Script terminated"]);
    await within(10_000, "the question's cancellation", cancelled.promise);
    assert.deepEqual(deleted, []);
  });
});

test("over MCP, a yielded cell asks once the client waits on it, also when the wait names it with a number", async () => {
  const asked: string[] = [];
  const elicit: Elicit = ({ params }) => {
    asked.push(params.message.split("\n")[0]);
    return { action: "accept", content: {} };
  };
  await withServer({ elicit }, async (client, deleted) => {
    const code =
      `// @exec: {"yield_time_ms": 100}\nawait new Promise((resolve) => setTimeout(resolve, 1000));\n${DELETE_CELL}`;
    assert.deepEqual(outcome(await exec(client, code)), ["Script running with cell ID 1"]);
    assert.deepEqual(asked, []);
    const done = await client.callTool({ name: "wait", arguments: { cell_id: 1, yield_time_ms: 30_000 } });
    assert.deepEqual(outcome(done), ["Script completed", "deleted /tmp/a"]);
    assert.deepEqual([asked, deleted], [
      ["Code written by the model wants to call the tool delete_file with these arguments:"],
      ["/tmp/a"],
    ]);
  });
});

test("over MCP, the client's _meta.traceparent parents the spans of exec and its cell", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const parentId = "b7ad6b7169203331";
  await withServer({ tracerProvider: provider }, async (client) => {
    const result = await exec(client, 'text("traced");', { traceparent: `00-${traceId}-${parentId}-01` });
    assert.deepEqual(outcome(result), ["Script completed", "traced"]);
  });
  const spans = exporter.getFinishedSpans();
  const idOf = new Map(spans.map((span) => [span.spanContext().spanId, span.name]));
  assert.deepEqual(
    spans.map((span) => {
      const parent = span.parentSpanContext?.spanId;
      return [span.name, span.spanContext().traceId, parent === parentId ? "client" : idOf.get(parent ?? "")];
    }),
    [["codecell.cell", traceId, "codecell.exec"], ["codecell.exec", traceId, "client"]],
  );
});
