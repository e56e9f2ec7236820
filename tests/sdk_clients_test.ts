// `codecell/anthropic` and `codecell/openai` in the loops their README examples show, with the real SDK clients
// talking to a scripted `fetch` (no network): exec, running, wait, answer; an image reaching the model in the
// next request; an abort terminating the cell.
import { test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { anthropicTools, runToolUse } from "../ts/adapters/anthropic.ts";
import { chatTools, responsesTools, runChatToolCall, runResponsesToolCall } from "../ts/adapters/openai.ts";
import { PNG, withSession } from "./util.ts";

const WALL_TIME = /Wall time \d+\.\d seconds/g;

/** A `fetch` that answers each request with the next scripted JSON body and keeps the request bodies. */
function scriptedFetch(replies: object[]): { fetch: typeof fetch; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const fetch = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    assert.equal(typeof init?.body, "string");
    bodies.push(JSON.parse(String(init?.body).replace(WALL_TIME, "Wall time 0.0 seconds")));
    const reply = replies.shift();
    assert.ok(reply !== undefined, "the model was asked more often than scripted");
    return Promise.resolve(new Response(JSON.stringify(reply), { headers: { "content-type": "application/json" } }));
  };
  return { fetch, bodies };
}

const header = (status: string) => `${status}\nWall time 0.0 seconds\nOutput:\n`;

function anthropicReply(content: object[]): object {
  const stop = content.some((block) => "type" in block && block.type === "tool_use") ? "tool_use" : "end_turn";
  return {
    id: "msg",
    type: "message",
    role: "assistant",
    model: "claude-test",
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  };
}

test("an Anthropic loop runs a cell, waits on it, gets its image and answers", async () => {
  await withSession(async (session) => {
    const { fetch, bodies } = scriptedFetch([
      anthropicReply([{
        type: "tool_use",
        id: "tu1",
        name: "exec",
        input: { code: `text("first"); yield_control(); image(${JSON.stringify(PNG)});` },
      }]),
      anthropicReply([{ type: "tool_use", id: "tu2", name: "wait", input: { cell_id: "1" } }]),
      anthropicReply([{ type: "text", text: "a dot" }]),
    ]);
    const client = new Anthropic({ apiKey: "test", fetch, maxRetries: 0 });
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Draw." }];
    let answer = "";
    while (answer === "") {
      const reply = await client.messages.create({
        model: "claude-test",
        max_tokens: 1024,
        messages,
        tools: anthropicTools(session),
      });
      messages.push({ role: "assistant", content: reply.content });
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const block of reply.content) {
        if (block.type === "text") answer = block.text;
        if (block.type === "tool_use") results.push((await runToolUse(session, block))!);
      }
      if (results.length > 0) messages.push({ role: "user", content: results });
    }
    assert.equal(answer, "a dot");
    const last = bodies[2];
    assert.ok(typeof last === "object" && last !== null && "messages" in last && Array.isArray(last.messages));
    assert.deepEqual(last.messages.slice(2).filter((message: { role: string }) => message.role === "user"), [
      {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "tu1",
          is_error: false,
          content: [{ type: "text", text: header("Script running with cell ID 1") }, { type: "text", text: "first" }],
        }],
      },
      {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "tu2",
          is_error: false,
          content: [
            { type: "text", text: header("Script completed") },
            {
              type: "image",
              source: { type: "base64", media_type: "image/png", data: PNG.slice(PNG.indexOf(",") + 1) },
            },
          ],
        }],
      },
    ]);
  });
});

test("a failed cell is an Anthropic error result, and another tool is left to the caller", async () => {
  await withSession(async (session) => {
    assert.deepEqual(
      await runToolUse(session, { id: "tu1", name: "exec", input: { code: 'throw new Error("boom");' } }).then((r) =>
        JSON.parse(JSON.stringify(r).replace(WALL_TIME, "Wall time 0.0 seconds"))
      ),
      {
        type: "tool_result",
        tool_use_id: "tu1",
        is_error: true,
        content: [
          { type: "text", text: header("Script failed") },
          { type: "text", text: "Script error:\nError: boom\n    at cell.ts:1:7" },
        ],
      },
    );
    assert.equal(await runToolUse(session, { id: "tu2", name: "lookup", input: {} }), undefined);
  });
});

test("aborting a tool call's signal terminates its cell", async () => {
  await withSession(async (session, { events }) => {
    const controller = new AbortController();
    const running = runToolUse(session, {
      id: "tu1",
      name: "exec",
      input: { code: 'await tools.block({ tag: "x" });' },
    }, { signal: controller.signal });
    await events.when("block-start:x");
    controller.abort();
    const result = await running;
    assert.deepEqual(JSON.parse(JSON.stringify(result).replace(WALL_TIME, "Wall time 0.0 seconds")), {
      type: "tool_result",
      tool_use_id: "tu1",
      is_error: false,
      content: [{ type: "text", text: header("Script terminated") }],
    });
    assert.deepEqual(session.cells(), []);
  });
});

function openaiResponse(output: object[]): object {
  return {
    id: "resp",
    object: "response",
    created_at: 0,
    status: "completed",
    model: "gpt-test",
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
  };
}

test("an OpenAI Responses loop runs exec as a custom tool, waits on the cell and answers", async () => {
  await withSession(async (session) => {
    const { fetch, bodies } = scriptedFetch([
      openaiResponse([{
        type: "custom_tool_call",
        id: "ct1",
        call_id: "c1",
        name: "exec",
        input: 'text("first"); yield_control(); text("second");',
      }]),
      openaiResponse([{
        type: "function_call",
        id: "fc2",
        call_id: "c2",
        name: "wait",
        arguments: '{"cell_id":"1"}',
        status: "completed",
      }]),
      openaiResponse([{
        type: "message",
        id: "m",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "done", annotations: [] }],
      }]),
    ]);
    const client = new OpenAI({ apiKey: "test", fetch, maxRetries: 0 });
    let input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Run it." }];
    let previous: string | null = null;
    let answer = "";
    while (answer === "") {
      const response: OpenAI.Responses.Response = await client.responses.create({
        model: "gpt-test",
        input,
        tools: responsesTools(session),
        previous_response_id: previous,
      });
      answer = response.output_text;
      const outputs: OpenAI.Responses.ResponseInput = [];
      for (const item of response.output) {
        const output = await runResponsesToolCall(session, item);
        if (output !== undefined) outputs.push(output);
      }
      [input, previous] = [outputs, response.id];
    }
    assert.equal(answer, "done");
    assert.deepEqual(
      bodies.map((body) => body !== null && typeof body === "object" && "input" in body ? body.input : undefined),
      [
        [{ role: "user", content: "Run it." }],
        [{
          type: "custom_tool_call_output",
          call_id: "c1",
          output: [{ type: "input_text", text: header("Script running with cell ID 1") }, {
            type: "input_text",
            text: "first",
          }],
        }],
        [{
          type: "function_call_output",
          call_id: "c2",
          output: [{ type: "input_text", text: header("Script completed") }, { type: "input_text", text: "second" }],
        }],
      ],
    );
  });
});

test("a Chat Completions tool call is answered with a tool message, and its images with a user message", async () => {
  await withSession(async (session) => {
    assert.deepEqual(chatTools(session).map((tool) => tool.type === "function" ? tool.function.name : tool.type), [
      "exec",
      "wait",
    ]);
    const messages = await runChatToolCall(session, {
      id: "call-1",
      type: "function",
      function: { name: "exec", arguments: JSON.stringify({ code: `text("a dot:"); image(${JSON.stringify(PNG)});` }) },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(messages).replace(WALL_TIME, "Wall time 0.0 seconds")), [
      { role: "tool", tool_call_id: "call-1", content: `${header("Script completed")}\na dot:` },
      { role: "user", content: [{ type: "image_url", image_url: { url: PNG, detail: "high" } }] },
    ]);
  });
});
