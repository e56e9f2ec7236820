// Per-call options of the session API: an abort signal that terminates the cell, notifications tied to the call
// that waits on the cell, the new cell's id, and closing with `await using`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CodeModeSession } from "../ts/mod.ts";
import { statusOf, textsOf, withSession } from "./util.ts";

test("aborting an exec's signal terminates its cell, and the call answers with the termination", async () => {
  await withSession(async (s, { events }) => {
    const controller = new AbortController();
    const pending = s.execTool('text("before"); await tools.block({ tag: "a" }); text("after");', {
      signal: controller.signal,
    });
    await events.when("block-start:a");
    controller.abort();
    const out = await pending;
    assert.equal(statusOf(out), "Script terminated");
    assert.deepEqual(textsOf(out), ["before"]);
    assert.equal(out.success, true);
    assert.ok(events.seen.includes("block-aborted:a"));
    assert.deepEqual(s.cells(), []);
  });
});

test("a signal that aborts after exec returned running still terminates the cell", async () => {
  await withSession(async (s, { events }) => {
    const controller = new AbortController();
    const first = await s.exec('text("one"); yield_control(); await tools.block({ tag: "b" });', {
      signal: controller.signal,
    });
    assert.deepEqual([first.status, first.items], ["running", [{ type: "input_text", text: "one" }]]);
    await events.when("block-start:b");
    controller.abort();
    // A wait after the abort answers with that termination.
    const after = await s.wait(first.cellId);
    assert.deepEqual(after, {
      status: "terminated",
      cellId: first.cellId,
      items: [],
      error: { kind: "terminated", message: "the cell was terminated" },
    });
    assert.ok(events.seen.includes("block-aborted:b"));
    assert.deepEqual(s.cells(), []);
  });
});

test("an exec whose signal is already aborted starts no cell", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('text("never")', { signal: AbortSignal.abort() });
    assert.deepEqual(out, {
      success: false,
      items: [{ type: "input_text", text: "exec was aborted before its cell started" }],
    });
    assert.deepEqual(s.cells(), []);
    // Ids are not spent on it.
    const next = await s.exec('text("x")');
    assert.equal(next.cellId, "1");
  });
});

test("a cell that completed before the abort keeps its result", async () => {
  await withSession(async (s) => {
    const controller = new AbortController();
    const out = await s.execTool('text("done")', { signal: controller.signal });
    controller.abort();
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), ["done"]);
  });
});

test("notifications go to the call waiting on the cell, and always to the session", async () => {
  const session: string[] = [];
  await withSession(async (s, { gates }) => {
    const byExec: string[] = [];
    const byWait: string[] = [];
    const first = await s.exec(
      'notify("n1"); yield_control(); await tools.gate({ name: "g" }); notify("n2"); text("end");',
      { onNotify: ({ text }) => byExec.push(text) },
    );
    assert.equal(first.status, "running");
    gates.open("g");
    const last = await s.wait(first.cellId, { onNotify: ({ text }) => byWait.push(text) });
    assert.equal(last.status, "completed");
    assert.deepEqual([byExec, byWait, session], [["n1"], ["n2"], ["n1", "n2"]]);
  }, { onNotify: ({ text }) => session.push(text) });
});

test("onCell receives the new cell's id before the call returns", async () => {
  await withSession(async (s) => {
    const seen: string[] = [];
    const out = await s.exec('text("x")', { onCell: (id) => seen.push(id) });
    assert.deepEqual(seen, [out.cellId]);
    assert.equal(out.cellId, "1");
  });
});

test("await using closes the session", async () => {
  let outer: CodeModeSession | undefined;
  {
    await using session = new CodeModeSession({ pool: 0 });
    outer = session;
    assert.deepEqual(textsOf(await session.execTool('text("in scope")')), ["in scope"]);
  }
  assert.deepEqual(await outer.execTool('text("after")'), {
    success: false,
    items: [{ type: "input_text", text: "code mode session is shutting down" }],
  });
});
