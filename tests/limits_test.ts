// Every per-cell limit is configurable and its failure names the limit (issue: sessions and cells, item 5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { statusOf, textsOf, withSession } from "./util.ts";

test("the lifetime limit stops a cell that runs too long and says so", async () => {
  await withSession(async (s) => {
    const result = await s.exec('text("working"); while (true) {}', { yieldTimeMs: 30_000 });
    assert.deepEqual(result, {
      status: "failed",
      cellId: "1",
      items: [{ type: "input_text", text: "working" }],
      error: { kind: "timeout", message: "exec cell 1 exceeded its lifetime limit of 300 ms and was stopped" },
    });
    assert.deepEqual(textsOf(await s.execTool('text("next")')), ["next"]);
  }, { limits: { lifetimeMs: 300 } });
});

test("the output limit stops a cell that buffers too much undelivered output", async () => {
  await withSession(async (s) => {
    const result = await s.exec('for (let i = 0; i < 1000; i++) text("x".repeat(100));');
    assert.equal(result.status, "failed");
    assert.deepEqual(result.error, {
      kind: "output_limit",
      message: "exec cell 1 exceeded its output limit of 10000 bytes of buffered output and was stopped",
    });
    // Each item counts 64 bytes on top of its text: the 61st of 164 bytes crosses 10 000.
    assert.equal(result.items.length, 61);
  }, { limits: { outputBytes: 10_000 } });
});

test("empty output items count against the output limit too", async () => {
  await withSession(async (s) => {
    const result = await s.exec('for (let i = 0; i < 1e6; i++) text("");');
    assert.deepEqual([result.status, result.error?.kind, result.items.length], ["failed", "output_limit", 157]);
  }, { limits: { outputBytes: 10_000 } });
});

test("the active-cell cap refuses new cells and says how to free one", async () => {
  await withSession(async (s) => {
    assert.equal(
      statusOf(await s.execTool("yield_control(); await new Promise(() => {});")),
      "Script running with cell ID 1",
    );
    assert.equal(
      statusOf(await s.execTool("yield_control(); await new Promise(() => {});")),
      "Script running with cell ID 2",
    );
    const refused = await s.execTool('text("third")');
    assert.deepEqual(refused, {
      success: false,
      items: [{
        type: "input_text",
        text:
          'exec has reached the limit of 2 active cells; wait for a cell to finish or terminate one with wait {"cell_id": ..., "terminate": true}',
      }],
    });
    await s.waitTool({ cell_id: "1", terminate: true });
    assert.deepEqual(textsOf(await s.execTool('text("third")')), ["third"]);
  }, { limits: { maxCells: 2 } });
});

test("tool calls beyond the in-flight cap reject inside the cell; the others run", async () => {
  await withSession(async (s, { gates, events }) => {
    // The third call reaches the host in its own read at times: the gates open only once it has been refused,
    // so the first two are still in flight when it arrives.
    const run = s.execTool(
      'const calls = ["a", "b", "c"].map((name) => tools.gate({ name }).then(() => "ok", (e) => {\n' +
        "  notify(`refused:${name}`);\n" +
        "  return e.message;\n" +
        "}));\n" +
        "text(await Promise.all(calls));",
      { onNotify: ({ text }) => events.add(text) },
    );
    await Promise.all([events.when("gate-waiting:a"), events.when("gate-waiting:b"), events.when("refused:c")]);
    gates.open("a");
    gates.open("b");
    const out = await run;
    assert.deepEqual(textsOf(out), [
      '["ok","ok","too many tool calls in flight: this cell may have at most 2 at once; await some before calling more"]',
    ]);
    assert.ok(!events.seen.includes("gate-waiting:c"));
  }, { limits: { maxToolCallsInFlight: 2 } });
});

test("running cells' stored values count together against the session's limit", async () => {
  await withSession(async (s, { gates, events }) => {
    const first = s.exec(
      'store("a1", "x".repeat(900_000)); store("a2", "x".repeat(900_000)); await tools.gate({ name: "a" }); text("a done");',
    );
    await events.when("gate-waiting:a");
    const second = await s.exec('store("b1", "x".repeat(900_000)); text("b done");');
    assert.deepEqual([second.status, second.error?.kind, second.items], ["failed", "protocol", []]);
    assert.match(second.error!.message, /stored values over their limit \(2700\d+ bytes, the limit is 2000000\)/);
    gates.open("a");
    assert.deepEqual((await first).items, [{ type: "input_text", text: "a done" }]);
    const sizes = await s.execTool('text([load("a1")?.length, load("a2")?.length, load("b1")?.length])');
    assert.deepEqual(textsOf(sizes), ["[900000,900000,null]"]);
  }, { limits: { storedValueBytes: 1_000_000, storedBytes: 2_000_000 } });
});
