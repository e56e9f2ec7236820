// `codecell/openai-agents` driven by the Agents SDK's own runner with a scripted `Model` (no network): a
// multi-step run through exec and wait, an image reaching the model as an image output, strict-mode schemas, and
// an abort that terminates the cell.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Agent,
  type Model,
  type ModelRequest,
  type ModelResponse,
  run,
  setTracingDisabled,
  Usage,
} from "@openai/agents";
import { codecellTools } from "../ts/adapters/openai_agents.ts";
import { PNG, withSession } from "./util.ts";

setTracingDisabled(true);

const WALL_TIME = /Wall time \d+\.\d seconds/g;

/** A model that answers each request with the next scripted turn, and keeps the requests. */
class ScriptedModel implements Model {
  readonly requests: ModelRequest[] = [];
  readonly #turns: ModelResponse["output"][];
  constructor(turns: ModelResponse["output"][]) {
    this.#turns = turns;
  }
  getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const output = this.#turns.shift();
    assert.ok(output !== undefined, "the model was asked more often than scripted");
    return Promise.resolve({ usage: new Usage(), output });
  }
  getStreamedResponse(): AsyncIterable<never> {
    throw new Error("not scripted");
  }
}

function callsTool(callId: string, name: string, input: object): ModelResponse["output"] {
  return [{ type: "function_call", callId, name, arguments: JSON.stringify(input), status: "completed" }];
}

function answers(text: string): ModelResponse["output"] {
  return [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text }] }];
}

/** The tool outputs the model was given in a request, wall times normalized. */
function toolOutputs(request: ModelRequest | undefined): unknown[] {
  assert.ok(request !== undefined && Array.isArray(request.input));
  const outputs = request.input.flatMap((item) =>
    item.type === "function_call_result" ? [{ callId: item.callId, name: item.name, output: item.output }] : []
  );
  return JSON.parse(JSON.stringify(outputs).replace(WALL_TIME, "Wall time 0.0 seconds"));
}

const header = (status: string) => ({ type: "input_text", text: `${status}\nWall time 0.0 seconds\nOutput:\n` });

test("an agent runs a cell, waits on it while it runs, and answers", async () => {
  await withSession(async (session) => {
    const model = new ScriptedModel([
      callsTool("call-1", "exec", { code: 'text("first"); yield_control(); text("second");' }),
      callsTool("call-2", "wait", { cell_id: "1", yield_time_ms: null, max_tokens: null, terminate: null }),
      answers("first, then second"),
    ]);
    const agent = new Agent({ name: "cells", model, tools: codecellTools(session) });
    const result = await run(agent, "Run it.");
    assert.equal(result.finalOutput, "first, then second");
    assert.deepEqual(toolOutputs(model.requests[2]), [
      {
        callId: "call-1",
        name: "exec",
        output: [header("Script running with cell ID 1"), { type: "input_text", text: "first" }],
      },
      { callId: "call-2", name: "wait", output: [header("Script completed"), { type: "input_text", text: "second" }] },
    ]);
  });
});

test("the tools are strict, with wait's optional fields nullable", async () => {
  await withSession((session) => {
    const [exec, wait] = codecellTools(session);
    assert.deepEqual([exec.name, exec.strict, wait.name, wait.strict], ["exec", true, "wait", true]);
    assert.deepEqual(wait.parameters.required, ["cell_id", "yield_time_ms", "max_tokens", "terminate"]);
    assert.deepEqual(wait.parameters.properties.terminate, {
      type: ["boolean", "null"],
      description: "Stop the cell and return the output it emitted since the last response.",
    });
    return Promise.resolve();
  });
});

test("an image from a cell reaches the model as an image output", async () => {
  await withSession(async (session) => {
    const model = new ScriptedModel([
      callsTool("call-1", "exec", { code: `image(${JSON.stringify(PNG)});` }),
      answers("a dot"),
    ]);
    await run(new Agent({ name: "cells", model, tools: codecellTools(session) }), "Draw.");
    assert.deepEqual(toolOutputs(model.requests[1]), [
      {
        callId: "call-1",
        name: "exec",
        output: [header("Script completed"), { type: "input_image", image: PNG, detail: "high" }],
      },
    ]);
  });
});

test("aborting the run terminates the cell its tool call runs", async () => {
  await withSession(async (session, { events }) => {
    const model = new ScriptedModel([callsTool("call-1", "exec", { code: 'await tools.block({ tag: "forever" });' })]);
    const controller = new AbortController();
    const running = run(new Agent({ name: "cells", model, tools: codecellTools(session) }), "Wait forever.", {
      signal: controller.signal,
    });
    await events.when("block-start:forever");
    controller.abort();
    await assert.rejects(running);
    await events.when("block-aborted:forever");
    assert.deepEqual(session.cells(), []);
  });
});
