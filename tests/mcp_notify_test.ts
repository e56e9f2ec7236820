// notify() against an MCP client that reads slowly: codecell's MCP server holds a bounded number of notifications
// and replaces the rest with one marker, instead of growing its memory (README, "Put codecell in front of your MCP
// servers"). The server runs in-process over the MCP SDK's in-memory transport, whose sends a gate holds back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { CodeModeSession } from "../ts/mod.ts";
import { createCodecellMcpServer } from "../ts/mcp/server.ts";
import { notificationsDroppedSlowClient } from "../ts/contract/messages.ts";
import { deferred, within } from "./mcp_helpers.ts";

test("a flood of notify() against a slow client keeps the queue's capacity and then says how many were dropped", async () => {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  // The client reads no log message until the gate opens.
  const gate = deferred();
  const send = serverSide.send.bind(serverSide);
  serverSide.send = async (message: JSONRPCMessage, options) => {
    if ("method" in message && message.method === "notifications/message") await gate.promise;
    return await send(message, options);
  };
  const flooded = deferred();
  let notified = 0;
  const mcp = await createCodecellMcpServer({
    notifyQueueCapacity: 5,
    sessionFactory: (hooks) =>
      new CodeModeSession({
        pool: 0,
        onNotify: (notification) => {
          hooks.onNotify(notification);
          if (++notified === 100) flooded.resolve();
        },
      }),
  });
  await mcp.connect(serverSide);
  const client = new Client({ name: "codecell-test", version: "1.0.0" });
  const received: unknown[] = [];
  const allReceived = deferred();
  client.setNotificationHandler("notifications/message", ({ params }) => {
    received.push(params.data);
    if (received.length === 7) allReceived.resolve();
  });
  try {
    await client.connect(clientSide);
    const answer = client.callTool({
      name: "exec",
      arguments: { code: 'for (let i = 0; i < 100; i++) notify(`n${i}`); text("done");' },
    });
    await within(30_000, "the cell's 100 notifications", flooded.promise);
    gate.resolve();
    const result = await within(30_000, "the answer", answer);
    assert.deepEqual(result.content.slice(1), [{ type: "text", text: "done" }]);
    await within(5_000, "the log messages", allReceived.promise);
    assert.deepEqual(received, [
      ...[0, 1, 2, 3, 4, 5].map((index) => ({ cell_id: "1", text: `n${index}` })),
      { cell_id: "", text: notificationsDroppedSlowClient(94) },
    ]);
  } finally {
    await client.close();
    await mcp.close();
  }
});
