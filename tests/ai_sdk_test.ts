// `codecell/ai-sdk` driven by the AI SDK itself, with its scripted test model (no network): a multi-step loop
// through exec and wait, an image reaching the model, notifications as preliminary results, and an abort that
// terminates the cell.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateText, simulateReadableStream, stepCountIs, streamText } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { type CodecellToolOutput, codecellTools } from "../ts/adapters/ai_sdk.ts";
import { CodeModeSession, defineTool, type ToolDefinition } from "../ts/mod.ts";
import { z } from "zod";
import { PNG, withSession } from "./util.ts";

type LanguageModelV3GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
type LanguageModelV3Prompt = MockLanguageModelV3["doGenerateCalls"][number]["prompt"];

const WALL_TIME = /Wall time \d+\.\d seconds/g;
const USAGE = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** A model turn that calls one tool. */
function callsTool(toolCallId: string, toolName: string, input: object): LanguageModelV3GenerateResult {
  return {
    content: [{ type: "tool-call", toolCallId, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: "tool-calls", raw: undefined },
    usage: USAGE,
    warnings: [],
  };
}

/** A model turn that answers. */
function answers(text: string): LanguageModelV3GenerateResult {
  return {
    content: [{ type: "text", text }],
    finishReason: { unified: "stop", raw: undefined },
    usage: USAGE,
    warnings: [],
  };
}

/** The tool results the model was given in a prompt, wall times normalized. */
function toolResults(prompt: LanguageModelV3Prompt): unknown[] {
  const results = prompt.flatMap((message) => message.role === "tool" ? message.content : []);
  return JSON.parse(JSON.stringify(results).replace(WALL_TIME, "Wall time 0.0 seconds"));
}

const header = (status: string) => ({ type: "text", text: `${status}\nWall time 0.0 seconds\nOutput:\n` });

test("the AI SDK runs a cell, waits on it while it runs, and answers from both results", async () => {
  await withSession(async (session) => {
    const model = new MockLanguageModelV3({
      doGenerate: [
        callsTool("call-1", "exec", { code: 'text("first"); yield_control(); text("second");' }),
        callsTool("call-2", "wait", { cell_id: "1" }),
        answers("first, then second"),
      ],
    });
    const result = await generateText({
      model,
      tools: codecellTools(session),
      stopWhen: stepCountIs(5),
      prompt: "Run it.",
    });
    assert.equal(result.text, "first, then second");
    assert.deepEqual(toolResults(model.doGenerateCalls[2]!.prompt), [
      {
        type: "tool-result",
        toolCallId: "call-1",
        toolName: "exec",
        output: { type: "content", value: [header("Script running with cell ID 1"), { type: "text", text: "first" }] },
      },
      {
        type: "tool-result",
        toolCallId: "call-2",
        toolName: "wait",
        output: { type: "content", value: [header("Script completed"), { type: "text", text: "second" }] },
      },
    ]);
  });
});

test("an image from a cell reaches the model as image data, and a failed cell as an error result", async () => {
  await withSession(async (session) => {
    const model = new MockLanguageModelV3({
      doGenerate: [
        callsTool("call-1", "exec", { code: `image(${JSON.stringify(PNG)});` }),
        callsTool("call-2", "exec", { code: 'throw new Error("boom");' }),
        answers("done"),
      ],
    });
    await generateText({ model, tools: codecellTools(session), stopWhen: stepCountIs(5), prompt: "Draw." });
    const [image, failure] = toolResults(model.doGenerateCalls[2]!.prompt);
    assert.deepEqual(image, {
      type: "tool-result",
      toolCallId: "call-1",
      toolName: "exec",
      output: {
        type: "content",
        value: [header("Script completed"), {
          type: "image-data",
          data: PNG.slice(PNG.indexOf(",") + 1),
          mediaType: "image/png",
        }],
      },
    });
    assert.deepEqual(failure, {
      type: "tool-result",
      toolCallId: "call-2",
      toolName: "exec",
      output: {
        type: "error-text",
        value: "Script failed\nWall time 0.0 seconds\nOutput:\n\nScript error:\nError: boom\n    at cell.ts:1:7",
      },
    });
  });
});

/** Every output of a tool call, in order. */
async function outputsOf(
  outputs: AsyncIterable<CodecellToolOutput> | PromiseLike<CodecellToolOutput> | CodecellToolOutput,
) {
  assert.ok(typeof outputs === "object" && outputs !== null && Symbol.asyncIterator in outputs);
  const seen: CodecellToolOutput[] = [];
  for await (const output of outputs) {
    seen.push(JSON.parse(JSON.stringify(output).replace(WALL_TIME, "Wall time 0.0 seconds")));
  }
  return seen;
}

test("notify() is a preliminary result of the tool call waiting on the cell, before its response", async () => {
  await withSession(async (session, { gates, events }) => {
    const { exec } = codecellTools(session);
    const code = 'notify("half way"); await tools.gate({ name: "rest" }); text("done");';
    const running = outputsOf(exec.execute!({ code }, { toolCallId: "call-1", messages: [] }));
    await events.when("gate-waiting:rest");
    gates.open("rest");
    assert.deepEqual(await running, [
      { type: "progress", notifications: ["half way"] },
      {
        type: "response",
        success: true,
        items: [
          { type: "input_text", text: "Script completed\nWall time 0.0 seconds\nOutput:\n" },
          { type: "input_text", text: "done" },
        ],
      },
    ]);
  });
});

test("aborting the step terminates the cell its tool call runs", async () => {
  await withSession(async (session, { events }) => {
    const { exec } = codecellTools(session);
    const controller = new AbortController();
    const code = 'text("before"); await tools.block({ tag: "forever" });';
    const running = outputsOf(
      exec.execute!({ code }, { toolCallId: "call-1", messages: [], abortSignal: controller.signal }),
    );
    await events.when("block-start:forever");
    controller.abort();
    assert.deepEqual(await running, [
      {
        type: "response",
        success: true,
        items: [
          { type: "input_text", text: "Script terminated\nWall time 0.0 seconds\nOutput:\n" },
          { type: "input_text", text: "before" },
        ],
      },
    ]);
    assert.deepEqual(session.cells(), []);
  });
});

test("streamed, notify() reaches the caller as preliminary results of the tool call that waits on the cell", async () => {
  await withSession(async (session, { gates, events }) => {
    const finish = { type: "finish", usage: USAGE } as const;
    const model = new MockLanguageModelV3({
      doStream: [
        {
          stream: simulateReadableStream({
            chunks: [
              {
                type: "tool-call",
                toolCallId: "call-1",
                toolName: "exec",
                input: JSON.stringify({
                  code: 'notify("half way"); await tools.gate({ name: "rest" }); text("done");',
                }),
              },
              { ...finish, finishReason: { unified: "tool-calls", raw: undefined } },
            ],
          }),
        },
        {
          stream: simulateReadableStream({
            chunks: [
              { type: "text-start", id: "t" },
              { type: "text-delta", id: "t", delta: "done" },
              { type: "text-end", id: "t" },
              { ...finish, finishReason: { unified: "stop", raw: undefined } },
            ],
          }),
        },
      ],
    });
    const result = streamText({ model, tools: codecellTools(session), stopWhen: stepCountIs(3), prompt: "Go." });
    void events.when("gate-waiting:rest").then(() => gates.open("rest"));
    const results: unknown[] = [];
    for await (const part of result.fullStream) {
      if (part.type === "tool-result") {
        results.push({ toolCallId: part.toolCallId, preliminary: part.preliminary ?? false, output: part.output });
      }
    }
    const response = {
      type: "response",
      success: true,
      items: [
        { type: "input_text", text: "Script completed\nWall time 0.0 seconds\nOutput:\n" },
        { type: "input_text", text: "done" },
      ],
    };
    // The SDK streams every value execute yields as preliminary, the last one again as the final result.
    assert.deepEqual(JSON.parse(JSON.stringify(results).replace(WALL_TIME, "Wall time 0.0 seconds")), [
      { toolCallId: "call-1", preliminary: true, output: { type: "progress", notifications: ["half way"] } },
      { toolCallId: "call-1", preliminary: true, output: response },
      { toolCallId: "call-1", preliminary: false, output: response },
    ]);
    assert.equal(await result.text, "done");
  });
});

test("each step describes the tools the session has then: a tool source's new tool appears in exec's description", async () => {
  let tools: readonly ToolDefinition[] = [];
  const session = new CodeModeSession({ pool: 0, toolSource: { tools: () => tools } });
  try {
    const model = new MockLanguageModelV3({
      doGenerate: [callsTool("call-1", "exec", { code: "text(1);" }), answers("done")],
    });
    const execTools = codecellTools(session);
    await generateText({
      model,
      tools: execTools,
      stopWhen: stepCountIs(3),
      prompt: "Go.",
      prepareStep: ({ stepNumber }) => {
        if (stepNumber === 1) {
          tools = [defineTool({ name: "lookup_order", input: z.object({}), run: () => "found" })];
        }
        return {};
      },
    });
    const described = model.doGenerateCalls.map((call) =>
      call.tools?.some((tool) =>
        tool.type === "function" && tool.name === "exec" && tool.description?.includes("lookup_order")
      )
    );
    assert.deepEqual(described, [false, true]);
  } finally {
    await session.close();
  }
});
