// OpenTelemetry spans of a session (docs/architecture.md "Observe") through real sandboxes, recorded with the SDK's
// in-memory exporter: one span per exec and wait call, one per cell, one per tool call, and how they relate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { z } from "zod";
import { type Context, context, type ContextManager, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import { CodeModeSession, defineTool } from "../ts/mod.ts";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { withSession } from "./util.ts";

function recorder() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

/**
 * The finished spans as comparable values: the parent named by its span's name (or `remote:<span id>`, or
 * absent), links by the linked span's name, the status, the events' names and the attributes.
 */
function summary(spans: ReadableSpan[]) {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span.name]));
  const nameOf = (spanId: string) => byId.get(spanId) ?? `remote:${spanId}`;
  return spans.map((span) => ({
    name: span.name,
    parent: span.parentSpanContext === undefined ? undefined : nameOf(span.parentSpanContext.spanId),
    links: span.links.map((link) => nameOf(link.context.spanId)),
    status: span.status,
    events: span.events.map((event) => event.name),
    attributes: span.attributes,
  }));
}

const OK = { code: SpanStatusCode.UNSET };

test("an exec call, its cell and its tool calls form one trace: exec → cell → execute_tool", async () => {
  const { exporter, provider } = recorder();
  await withSession(async (s) => {
    const out = await s.exec('text(await tools.echo({ message: "hi" }));');
    assert.equal(out.status, "completed");
  }, { tracerProvider: provider });
  const spans = exporter.getFinishedSpans();
  assert.deepEqual(summary(spans), [
    {
      name: "execute_tool echo",
      parent: "codecell.cell",
      links: [],
      status: OK,
      events: [],
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "echo",
        "gen_ai.tool.call.id": "1",
        "codecell.cell.id": "1",
      },
    },
    {
      name: "codecell.cell",
      parent: "codecell.exec",
      links: [],
      status: OK,
      events: [],
      attributes: {
        "codecell.cell.id": "1",
        "codecell.source_bytes": 42,
        "codecell.typecheck": false,
        "codecell.cell.status": "completed",
        "codecell.cell.output_bytes": 13,
        "codecell.cell.tool_calls": 1,
      },
    },
    {
      name: "codecell.exec",
      parent: undefined,
      links: [],
      status: OK,
      events: [],
      attributes: {
        "codecell.source_bytes": 42,
        "codecell.typecheck": false,
        "codecell.cell.status": "completed",
        "codecell.cell.id": "1",
      },
    },
  ]);
  const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
  assert.equal(traceIds.size, 1);
});

test("a wait call has a span of its own that links to the cell's span", async () => {
  const { exporter, provider } = recorder();
  await withSession(async (s, { gates, events }) => {
    const first = await s.exec('yield_control();\nawait tools.gate({ name: "g" });\ntext("done");');
    assert.equal(first.status, "running");
    await events.when("gate-waiting:g");
    gates.open("g");
    assert.equal((await s.wait("1")).status, "completed");
  }, { tracerProvider: provider });
  assert.deepEqual(
    summary(exporter.getFinishedSpans()).map(({ name, parent, links, attributes }) => ({
      name,
      parent,
      links,
      status: attributes["codecell.cell.status"],
    })),
    [
      { name: "codecell.exec", parent: undefined, links: [], status: "running" },
      { name: "execute_tool gate", parent: "codecell.cell", links: [], status: undefined },
      { name: "codecell.cell", parent: "codecell.exec", links: [], status: "completed" },
      { name: "codecell.wait", parent: undefined, links: ["codecell.cell"], status: "completed" },
    ],
  );
});

test("a failing tool call and the cell it fails record their errors on their spans", async () => {
  const { exporter, provider } = recorder();
  await withSession(async (s) => {
    assert.equal((await s.exec("await tools.fail({});")).status, "failed");
  }, { tracerProvider: provider });
  const spans = summary(exporter.getFinishedSpans());
  assert.deepEqual(spans.map(({ name, status, events }) => ({ name, status, events })), [
    {
      name: "execute_tool fail",
      status: { code: SpanStatusCode.ERROR, message: "handler exploded" },
      events: ["exception"],
    },
    { name: "codecell.cell", status: { code: SpanStatusCode.ERROR, message: "Error: handler exploded" }, events: [] },
    { name: "codecell.exec", status: { code: SpanStatusCode.ERROR, message: "Error: handler exploded" }, events: [] },
  ]);
  assert.deepEqual(spans.map(({ attributes }) => attributes["error.type"]), ["tool_error", "script", "script"]);
});

test("a W3C traceparent parents the exec span; a malformed one is ignored", async () => {
  const { exporter, provider } = recorder();
  await withSession(async (s) => {
    await s.exec("text(1)", { traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    await s.exec("text(2)", { traceParent: "00-0af7651916cd43dd8448eb211c80319c-zzzz-01" });
    await s.exec("text(3)", { traceParent: "00-00000000000000000000000000000000-b7ad6b7169203331-01" });
    await s.exec("text(4)", { traceParent: "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
  }, { tracerProvider: provider });
  const execs = exporter.getFinishedSpans().filter((span) => span.name === "codecell.exec");
  assert.deepEqual(
    execs.map((
      span,
    ) => [span.spanContext().traceId === "0af7651916cd43dd8448eb211c80319c", span.parentSpanContext?.spanId]),
    [[true, "b7ad6b7169203331"], [false, undefined], [false, undefined], [false, undefined]],
  );
});

test("an OpenTelemetry Context parents the exec and wait spans", async () => {
  const { exporter, provider } = recorder();
  const outer = provider.getTracer("host").startSpan("agent turn");
  const parent = trace.setSpan(ROOT_CONTEXT, outer);
  await withSession(async (s) => {
    assert.equal((await s.exec("yield_control(); text(1);", { traceParent: parent })).status, "running");
    await s.wait("1", { traceParent: parent });
  }, { tracerProvider: provider });
  outer.end();
  const spans = summary(exporter.getFinishedSpans());
  assert.deepEqual(
    spans.filter(({ name }) => name === "codecell.exec" || name === "codecell.wait").map((
      { name, parent },
    ) => [name, parent]),
    [["codecell.exec", "agent turn"], ["codecell.wait", "agent turn"]],
  );
});

test("without a tracerProvider option, spans go to the globally registered provider", async () => {
  const { exporter, provider } = recorder();
  assert.equal(trace.setGlobalTracerProvider(provider), true);
  try {
    await withSession(async (s) => {
      await s.exec("text(1)");
    });
  } finally {
    trace.disable();
  }
  assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), ["codecell.cell", "codecell.exec"]);
});

/** The smallest context manager over AsyncLocalStorage (what `@opentelemetry/context-async-hooks` provides). */
class StorageContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

test("a tool handler runs inside its call's span, so the spans it starts are children of it", async () => {
  const { exporter, provider } = recorder();
  assert.equal(context.setGlobalContextManager(new StorageContextManager()), true);
  const lookup = defineTool({
    name: "lookup",
    input: z.object({}),
    run: () => {
      provider.getTracer("host").startSpan("database query").end();
      return "found";
    },
  });
  try {
    const session = new CodeModeSession({ tools: [lookup], tracerProvider: provider });
    try {
      assert.equal((await session.exec("text(await tools.lookup({}))")).status, "completed");
    } finally {
      await session.close();
    }
  } finally {
    context.disable();
  }
  assert.deepEqual(
    summary(exporter.getFinishedSpans()).map(({ name, parent }) => [name, parent]),
    [
      ["database query", "execute_tool lookup"],
      ["execute_tool lookup", "codecell.cell"],
      ["codecell.cell", "codecell.exec"],
      ["codecell.exec", undefined],
    ],
  );
});
