// Session events (docs/architecture.md "Observe") through real sandboxes: what a cell, its tool calls and its
// sandboxes report to `onEvent`, with and without values, and a listener that throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { type CodecellEvent, type SessionOptions, TOOL_CALL_CANCELLED } from "../ts/mod.ts";
import { withSession } from "./util.ts";
import { toolArgumentsUnreadable } from "../ts/contract/messages.ts";

/** The events a session reported, with a way to wait for one. */
class EventLog {
  readonly events: CodecellEvent[] = [];
  #waiters: { match: (event: CodecellEvent) => boolean; resolve: () => void }[] = [];

  readonly listener = (event: CodecellEvent): void => {
    this.events.push(event);
    for (const waiter of this.#waiters.filter((w) => w.match(event))) waiter.resolve();
  };

  /** Resolves once an event matching `match` was reported (at once if one was). */
  when(match: (event: CodecellEvent) => boolean): Promise<void> {
    if (this.events.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /**
   * The events with their timings checked (finite, not negative) and zeroed, and sandbox ids renamed 1, 2, ... in
   * order of appearance, so a whole sequence can be compared.
   */
  normalized(filter: (event: CodecellEvent) => boolean = () => true): CodecellEvent[] {
    const sandboxes = new Map<number, number>();
    return this.events.filter(filter).map((event) => {
      const copy = { ...event };
      for (const key of ["durationMs", "wallMs"] as const) {
        if (key in copy) {
          const value = Reflect.get(copy, key);
          assert.ok(Number.isFinite(value) && value >= 0, `${event.type}.${key} = ${value}`);
          Reflect.set(copy, key, 0);
        }
      }
      if ("sandboxId" in copy) {
        if (!sandboxes.has(copy.sandboxId)) sandboxes.set(copy.sandboxId, sandboxes.size + 1);
        copy.sandboxId = sandboxes.get(copy.sandboxId)!;
      }
      return copy;
    });
  }
}

/**
 * The events but the last, which must be the end of sandbox 1 at the session's close: a recycle if the sandbox was
 * back to idle, a kill if it was still settling after its cell.
 */
function closedAtEnd(events: CodecellEvent[]): CodecellEvent[] {
  const end = events.at(-1);
  assert.ok(
    [
      { type: "sandbox.recycle", sandboxId: 1, reason: "session_closed" },
      { type: "sandbox.kill", sandboxId: 1, reason: "session_closed" },
    ].some((expected) => isDeepStrictEqual(end, expected)),
    JSON.stringify(end),
  );
  return events.slice(0, -1);
}

function observed(log: EventLog, options: SessionOptions = {}): SessionOptions {
  return { pool: 0, onEvent: log.listener, ...options };
}

test("a cell reports its start, tool calls, notifications, stored writes and end, as sizes without values", async () => {
  const log = new EventLog();
  // "héllo" makes the UTF-8 size of the source differ from its length.
  const source =
    'const r = await tools.echo({ message: "héllo" });\ntext(r.echo);\nnotify("half way");\nstore("k", [1, 2]);';
  await withSession(async (s) => {
    const result = await s.exec(source);
    assert.equal(result.status, "completed");
  }, observed(log));
  assert.deepEqual(closedAtEnd(log.normalized()), [
    { type: "cell.start", cellId: "1", sourceBytes: new TextEncoder().encode(source).length, typecheck: false },
    { type: "sandbox.spawn", sandboxId: 1, cellId: "1", warm: false },
    { type: "tool.start", cellId: "1", callId: "1", tool: "echo", argumentBytes: 20 },
    { type: "tool.end", cellId: "1", callId: "1", tool: "echo", durationMs: 0, ok: true, resultBytes: 17 },
    { type: "notify", cellId: "1", bytes: 8 },
    { type: "store.write", cellId: "1", writes: [{ key: "k", bytes: 5 }] },
    { type: "cell.end", cellId: "1", status: "completed", wallMs: 0, outputBytes: 6, toolCalls: 1 },
  ]);
});

test("with eventsIncludeValues, events carry the source, arguments, results, stored JSON, texts and error messages", async () => {
  const log = new EventLog();
  const source = 'notify("n");\nstore("k", { a: 1 });\nawait tools.echo({ message: "m" });\nthrow new Error("boom");';
  await withSession(async (s) => {
    assert.equal((await s.exec(source)).status, "failed");
  }, observed(log, { eventsIncludeValues: true }));
  assert.deepEqual(log.normalized((event) => !event.type.startsWith("sandbox.")), [
    { type: "cell.start", cellId: "1", sourceBytes: source.length, typecheck: false, source },
    { type: "notify", cellId: "1", bytes: 1, text: "n" },
    { type: "tool.start", cellId: "1", callId: "1", tool: "echo", argumentBytes: 15, args: { message: "m" } },
    {
      type: "tool.end",
      cellId: "1",
      callId: "1",
      tool: "echo",
      durationMs: 0,
      ok: true,
      resultBytes: 12,
      result: { echo: "m" },
    },
    // A failed cell's writes land too (docs/contract.md §4).
    { type: "store.write", cellId: "1", writes: [{ key: "k", bytes: 7, json: '{"a":1}' }] },
    {
      type: "cell.end",
      cellId: "1",
      status: "failed",
      errorKind: "script",
      errorMessage: "Error: boom\n    at cell.ts:4:7",
      wallMs: 0,
      outputBytes: 0,
      toolCalls: 1,
    },
  ]);
});

test("a refused or failing tool call ends with the error text its cell's promise rejects with", async () => {
  const log = new EventLog();
  await withSession(async (s) => {
    const out = await s.exec(
      "await tools.fail({}).catch(() => {});\nawait tools.echo({ message: 5 }).catch(() => {});",
    );
    assert.equal(out.status, "completed");
  }, observed(log));
  assert.deepEqual(log.normalized((event) => event.type === "tool.end"), [
    { type: "tool.end", cellId: "1", callId: "1", tool: "fail", durationMs: 0, ok: false, error: "handler exploded" },
    {
      type: "tool.end",
      cellId: "1",
      callId: "2",
      tool: "echo",
      durationMs: 0,
      ok: false,
      error: "invalid arguments for tool `echo`:\n- message: expected string, received number",
    },
  ]);
});

test("terminating a cell cancels its pending tool call and reports its sandbox killed for the terminate", async () => {
  const log = new EventLog();
  await withSession(async (s, { events }) => {
    const running = s.exec('await tools.block({ tag: "t" });', { yieldTimeMs: 60_000 });
    await events.when("block-start:t");
    assert.equal((await s.terminate("1")).status, "terminated");
    await running;
    await log.when((event) => event.type === "sandbox.kill");
  }, observed(log));
  assert.deepEqual(log.normalized(), [
    { type: "cell.start", cellId: "1", sourceBytes: 32, typecheck: false },
    { type: "sandbox.spawn", sandboxId: 1, cellId: "1", warm: false },
    { type: "tool.start", cellId: "1", callId: "1", tool: "block", argumentBytes: 11 },
    { type: "tool.end", cellId: "1", callId: "1", tool: "block", durationMs: 0, ok: false, error: TOOL_CALL_CANCELLED },
    // A terminate answers once the sandbox has exited (docs/contract.md §3): its end comes first.
    { type: "sandbox.kill", sandboxId: 1, reason: "terminate" },
    {
      type: "cell.end",
      cellId: "1",
      status: "terminated",
      errorKind: "terminated",
      wallMs: 0,
      outputBytes: 0,
      toolCalls: 1,
    },
  ]);
});

test("a session's next cell reuses its sandbox; with process isolation each sandbox is recycled after its cell", async () => {
  const bound = new EventLog();
  await withSession(async (s) => {
    await s.exec("text(1)");
    await s.exec("text(2)");
  }, observed(bound, { isolation: "context" }));
  assert.deepEqual(closedAtEnd(bound.normalized((event) => event.type.startsWith("sandbox."))), [
    { type: "sandbox.spawn", sandboxId: 1, cellId: "1", warm: false },
    { type: "sandbox.reuse", sandboxId: 1, cellId: "2", cellsServed: 1 },
  ]);

  const isolated = new EventLog();
  await withSession(async (s) => {
    await s.exec("text(1)");
    await isolated.when((event) => event.type === "sandbox.recycle");
    await s.exec("text(2)");
    await isolated.when((event) => event.type === "sandbox.recycle" && event.sandboxId !== isolatedFirst(isolated));
  }, observed(isolated, { isolation: "process" }));
  assert.deepEqual(isolated.normalized((event) => event.type.startsWith("sandbox.")), [
    { type: "sandbox.spawn", sandboxId: 1, cellId: "1", warm: false },
    { type: "sandbox.recycle", sandboxId: 1, reason: "isolation" },
    { type: "sandbox.spawn", sandboxId: 2, cellId: "2", warm: false },
    { type: "sandbox.recycle", sandboxId: 2, reason: "isolation" },
  ]);
});

/** The id of the first sandbox a log reported. */
function isolatedFirst(log: EventLog): number | undefined {
  const first = log.events.find((event) => event.type === "sandbox.spawn");
  return first?.type === "sandbox.spawn" ? first.sandboxId : undefined;
}

test("a cell over its output limit reports its sandbox killed for that limit", async () => {
  const log = new EventLog();
  await withSession(async (s) => {
    const out = await s.exec('text("x".repeat(2000));', {});
    assert.equal(out.error?.kind, "output_limit");
    await log.when((event) => event.type === "sandbox.kill");
  }, observed(log, { limits: { outputBytes: 1000 } }));
  assert.deepEqual(log.normalized((event) => event.type === "sandbox.kill"), [
    { type: "sandbox.kill", sandboxId: 1, reason: "output_limit" },
  ]);
});

test("a listener that throws never breaks a cell; onEventError gets every error with its event", async () => {
  const errors: string[] = [];
  await withSession(async (s) => {
    const out = await s.exec('notify("a"); notify("b"); text(await tools.echo({ message: "still" }));');
    assert.deepEqual([out.status, out.items], ["completed", [{ type: "input_text", text: '{"echo":"still"}' }]]);
  }, {
    pool: 0,
    onEvent: (event) => {
      if (event.type === "notify" || event.type === "tool.start") throw new Error(`listener broke on ${event.type}`);
    },
    onEventError: (error, event) => errors.push(`${event.type}: ${error instanceof Error ? error.message : ""}`),
  });
  assert.deepEqual(errors, [
    "notify: listener broke on notify",
    "notify: listener broke on notify",
    "tool.start: listener broke on tool.start",
  ]);
});

test("without onEventError, the first error a listener throws is reported with console.warn, and only that one", async () => {
  const warnings: unknown[][] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args);
  try {
    await withSession(async (s) => {
      const out = await s.exec('notify("a"); notify("b"); text("done");');
      assert.equal(out.status, "completed");
    }, {
      pool: 0,
      onEvent: (event) => {
        if (event.type === "notify") throw new Error("listener broke");
      },
    });
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  const [message, error] = warnings[0];
  assert.equal(message, "codecell: the onEvent listener threw on a notify event (later errors are not reported):");
  assert.ok(error instanceof Error && error.message === "listener broke");
});

test("with values on, tool arguments nested too deep to walk are reported without them, and the call rejects", async () => {
  const log = new EventLog();
  await withSession(async (s) => {
    const out = await s.exec(
      "let a = {}; for (let i = 0; i < 5000; i++) a = { a };\n" +
        "try { await tools.echo(a); } catch (e) { text(e.message); }",
    );
    assert.deepEqual([out.status, out.items], ["completed", [{
      type: "input_text",
      text: toolArgumentsUnreadable("echo", "depth"),
    }]]);
    const start = log.events.find((event) => event.type === "tool.start");
    assert.ok(start !== undefined && !("args" in start));
  }, { onEvent: log.listener, eventsIncludeValues: true });
});
