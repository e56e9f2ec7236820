// Contract §1–§3 through the public API and real sandboxes: statuses, headers, ids, yield/wait/terminate races,
// stored values, exactly-once output, truncation, tool calls, close().
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { CodeModeSession } from "../ts/mod.ts";
import { statusOf, textsOf, withSession } from "./util.ts";
import { liveDescendants } from "./processes.ts";

test("the header carries the status and the wall time of this call", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('text("x")');
    assert.equal(out.success, true);
    assert.match(out.items[0].type === "input_text" ? out.items[0].text : "", /^Script completed\nWall time 0\.\d seconds\nOutput:\n$/);
  });
});

test("cell ids count from 1 per session and are never reused", async () => {
  await withSession(async (s) => {
    for (const id of ["1", "2", "3"]) {
      const out = await s.execTool('yield_control(); text("x");');
      assert.equal(statusOf(out), `Script running with cell ID ${id}`);
    }
    await withSession(async (other) => {
      assert.equal(statusOf(await other.execTool("yield_control()")), "Script running with cell ID 1");
    });
  });
});

test("a syntax error or top-level return fails the cell with its position before any sandbox runs", async () => {
  await withSession(async (s) => {
    const ret = await s.execTool("text(1);\nreturn 5;");
    assert.equal(statusOf(ret), "Script failed");
    assert.deepEqual(textsOf(ret), ["Script error:\nSyntaxError: Return statement is not allowed here\n    at cell.ts:2:1"]);
    const bad = await s.execTool("const a = ;");
    assert.deepEqual(textsOf(bad), ["Script error:\nSyntaxError: Expression expected\n    at cell.ts:1:11"]);
  });
});

test("TypeScript cells run with types stripped and stack lines point at the cell's own positions", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      "interface P { v: number }\nconst p: P = { v: 1 };\ntext(p.v);\nfunction boom(): never {\n  throw new Error(\"bad\");\n}\nboom();",
    );
    assert.equal(statusOf(out), "Script failed");
    assert.deepEqual(textsOf(out), ["1", "Script error:\nError: bad\n    at boom (cell.ts:5:9)\n    at cell.ts:7:1"]);
  });
});

test("TypeScript syntax that needs code (enums, namespaces) runs too", async () => {
  await withSession(async (s) => {
    const out = await s.execTool("enum Color { Red, Green }\nnamespace N { export const k = 2; }\ntext([Color.Green, Color[0], N.k]);");
    assert.deepEqual(textsOf(out), ['[1,"Red",2]']);
  });
});

test("module cells (static helper imports) report their own positions too", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('import { text } from "codecell/helpers";\nimport { tools } from "codecell/tools";\ntext(typeof tools.echo);\nnull.x;');
    assert.equal(statusOf(out), "Script failed");
    assert.deepEqual(textsOf(out), ["function", "Script error:\nTypeError: Cannot read properties of null (reading 'x')\n    at cell.ts:4:6"]);
  });
});

test("a thrown non-Error value is reported with String(value)", async () => {
  await withSession(async (s) => {
    assert.deepEqual(textsOf(await s.execTool('throw "plain"')), ["Script error:\nplain"]);
    assert.deepEqual(textsOf(await s.execTool("throw { toString() { return 'custom'; } }")), ["Script error:\ncustom"]);
  });
});

test("a cell that awaits forever stays running until terminated", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('// @exec: {"yield_time_ms": 100}\nawait new Promise(() => {});');
    assert.equal(statusOf(out), "Script running with cell ID 1");
    const still = await s.waitTool({ cell_id: "1", yield_time_ms: 100 });
    assert.equal(statusOf(still), "Script running with cell ID 1");
    assert.equal(statusOf(await s.waitTool({ cell_id: "1", terminate: true })), "Script terminated");
  });
});

test("yield_time_ms 0 returns at the first opportunity while the cell keeps running", async () => {
  await withSession(async (s, { gates }) => {
    const out = await s.execTool('// @exec: {"yield_time_ms": 0}\nawait tools.gate({ name: "g" }); text("done");');
    assert.equal(statusOf(out), "Script running with cell ID 1");
    gates.open("g");
    const rest = await s.waitTool({ cell_id: "1" });
    assert.equal(statusOf(rest), "Script completed");
    assert.deepEqual(textsOf(rest), ["done"]);
  });
});

test("output emitted between responses is delivered exactly once, in order", async () => {
  await withSession(async (s, { gates, events }) => {
    const out = await s.execTool(
      'text(1); yield_control(); await tools.gate({ name: "a" }); text(2); text(3); await tools.gate({ name: "b" }); text(4);',
    );
    assert.deepEqual(textsOf(out), ["1"]);
    gates.open("a");
    await events.when("gate-waiting:b");
    const mid = await s.waitTool({ cell_id: "1", yield_time_ms: 0 });
    assert.equal(statusOf(mid), "Script running with cell ID 1");
    assert.deepEqual(textsOf(mid), ["2", "3"]);
    gates.open("b");
    const end = await s.waitTool({ cell_id: "1" });
    assert.equal(statusOf(end), "Script completed");
    assert.deepEqual(textsOf(end), ["4"]);
  });
});

test("a finished cell is returned once, then its id is not found", async () => {
  await withSession(async (s, { gates, events }) => {
    await s.execTool('yield_control(); await tools.gate({ name: "a" }); text("late");');
    gates.open("a");
    await events.when("gate-waiting:a");
    const done = await s.waitTool({ cell_id: "1" });
    assert.deepEqual(textsOf(done), ["late"]);
    const gone = await s.waitTool({ cell_id: "1" });
    assert.equal(gone.success, false);
    assert.equal(statusOf(gone), "Script failed");
    assert.deepEqual(textsOf(gone), ["Script error:\nexec cell 1 not found"]);
  });
});

test("a second observer is refused without disturbing the first", async () => {
  await withSession(async (s, { gates }) => {
    await s.execTool('yield_control(); await tools.gate({ name: "a" }); text("done");');
    const first = s.waitTool({ cell_id: "1", yield_time_ms: 30_000 });
    const second = await s.waitTool({ cell_id: "1" });
    assert.deepEqual(second, {
      success: false,
      items: [{ type: "input_text", text: "exec cell 1 already has an active observer" }],
    });
    gates.open("a");
    const result = await first;
    assert.equal(statusOf(result), "Script completed");
    assert.deepEqual(textsOf(result), ["done"]);
  });
});

test("terminate answers after the sandbox exited and the handler's signal fired", async () => {
  await withSession(async (s, { events }) => {
    await s.execTool('text("t"); yield_control(); await tools.block({ tag: "x" });');
    await events.when("block-start:x");
    // The cell's sandbox and the pool's idle ones.
    const sandboxes = liveDescendants(process.pid);
    const out = await s.waitTool({ cell_id: "1", terminate: true });
    assert.deepEqual(textsOf(out), []);
    assert.equal(statusOf(out), "Script terminated");
    assert.equal(out.success, true);
    assert.ok(events.seen.includes("block-aborted:x"));
    const alive = liveDescendants(process.pid);
    // The cell's sandbox is gone (pool refills may have started new ones).
    assert.ok(sandboxes.some((pid) => !alive.includes(pid)));
  });
});

test("a second terminate while one is in progress is refused", async () => {
  await withSession(async (s) => {
    await s.execTool('// @exec: {"yield_time_ms": 0}\nwhile (true) {}');
    const first = s.waitTool({ cell_id: "1", terminate: true });
    const second = await s.waitTool({ cell_id: "1", terminate: true });
    assert.deepEqual(second, { success: false, items: [{ type: "input_text", text: "exec cell 1 is already terminating" }] });
    assert.equal(statusOf(await first), "Script terminated");
  });
});

test("natural completion wins over a later terminate", async () => {
  await withSession(async (s, { gates, events }) => {
    await s.execTool('yield_control(); await tools.gate({ name: "a" }); text("finished");');
    gates.open("a");
    await events.when("gate-waiting:a");
    // Wait for completion through the programmatic API without consuming the result.
    while (s.cells()[0]?.state === "running") await new Promise((r) => setTimeout(r, 5));
    const out = await s.waitTool({ cell_id: "1", terminate: true });
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), ["finished"]);
  });
});

test("natural completion cancels tool calls nobody awaited", async () => {
  await withSession(async (s, { events }) => {
    const out = await s.execTool('tools.block({ tag: "u" }); text("done");');
    assert.deepEqual(textsOf(out), ["done"]);
    await events.when("block-aborted:u");
  });
});

test("stored values: snapshot at start, merged on completion or failure, dropped on terminate", async () => {
  await withSession(async (s, { gates }) => {
    await s.execTool('store("a", 1); store("b", 1); store("c", 1);');
    const slow = await s.execTool('store("a", 2); yield_control(); await tools.gate({ name: "a" }); text(load("b"));');
    assert.equal(statusOf(slow), "Script running with cell ID 2");
    await s.execTool('store("b", 3);'); // completes while cell 2 runs: cell 2 keeps its snapshot
    const failed = await s.execTool('store("c", 4); throw new Error("x");');
    assert.equal(statusOf(failed), "Script failed");
    const doomed = await s.execTool('store("a", 99); store("d", 99); yield_control(); await new Promise(() => {});');
    assert.equal(statusOf(doomed), "Script running with cell ID 5");
    await s.waitTool({ cell_id: "5", terminate: true });
    gates.open("a");
    assert.deepEqual(textsOf(await s.waitTool({ cell_id: "2" })), ["1"]);
    const read = await s.execTool('text([load("a"), load("b"), load("c"), load("d")]);');
    assert.deepEqual(textsOf(read), ["[2,3,4,null]"]);
  });
});

test("nested tools: results, host errors, argument rules and validation", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'text((await tools.echo({ message: "hi" })).echo);\n' +
        "try { await tools.fail({}); } catch (e) { text(e.message); }\n" +
        "try { await tools.echo([1]); } catch (e) { text(e.message); }\n" +
        'try { await tools.echo({ message: 5 }); text("ran"); } catch (e) { text(e.message); }',
    );
    assert.equal(statusOf(out), "Script completed");
    const [echo, failed, notObject, invalid] = textsOf(out);
    assert.deepEqual([echo, failed, notObject], ["hi", "handler exploded", "tool `echo` expects a JSON object for arguments"]);
    assert.match(invalid, /echo/);
    assert.match(invalid, /message/);
  });
});

test("two tool calls run concurrently", async () => {
  await withSession(async (s, { gates, events }) => {
    const run = s.execTool('text(await Promise.all([tools.gate({ name: "x" }), tools.gate({ name: "y" })]));');
    // Both handlers are running before either gate opens: the calls were dispatched without waiting on each other.
    await Promise.all([events.when("gate-waiting:x"), events.when("gate-waiting:y")]);
    gates.open("y");
    gates.open("x");
    assert.deepEqual(textsOf(await run), ['["open","open"]']);
  });
});

test("24 cells at once in one session all complete with their own output", async () => {
  await withSession(async (s, { gates }) => {
    const cells = Array.from({ length: 24 }, (_, i) =>
      s.execTool(`yield_control(); await tools.gate({ name: "go" }); text(${i});`));
    const started = await Promise.all(cells);
    const ids = started.map((out) => statusOf(out).replace("Script running with cell ID ", ""));
    assert.deepEqual([...ids].sort((a, b) => Number(a) - Number(b)), Array.from({ length: 24 }, (_, i) => String(i + 1)));
    gates.open("go");
    const results = await Promise.all(ids.map((id) => s.waitTool({ cell_id: id, yield_time_ms: 30_000 })));
    assert.deepEqual(results.map((r) => [statusOf(r), textsOf(r).length]), ids.map(() => ["Script completed", 1]));
    assert.deepEqual(results.map((r) => Number(textsOf(r)[0])).sort((a, b) => a - b), Array.from({ length: 24 }, (_, i) => i));
  }, { limits: { heapMiB: 128 } });
});

test("close() terminates running cells, leaves no process behind and refuses new cells", async () => {
  const before = new Set(liveDescendants(process.pid));
  const session = new CodeModeSession({ tools: [] });
  const out = await session.execTool('// @exec: {"yield_time_ms": 0}\nwhile (true) {}');
  assert.equal(statusOf(out), "Script running with cell ID 1");
  await session.close();
  await session.close(); // idempotent
  assert.deepEqual(liveDescendants(process.pid).filter((pid) => !before.has(pid)), []);
  assert.deepEqual(await session.execTool('text("x")'), {
    success: false,
    items: [{ type: "input_text", text: "code mode session is shutting down" }],
  });
  assert.deepEqual(session.cells(), []);
});

test("close() called while a new exec prepares its source refuses that exec and leaves nothing running", async () => {
  const before = new Set(liveDescendants(process.pid));
  const session = new CodeModeSession({ tools: [] });
  // The exec starts preparing its source; close() begins before the cell reaches a sandbox.
  const racing = session.execTool('text("raced")');
  await session.close();
  assert.deepEqual(await racing, {
    success: false,
    items: [{ type: "input_text", text: "code mode session is shutting down" }],
  });
  assert.deepEqual(session.cells(), []);
  assert.deepEqual(liveDescendants(process.pid).filter((pid) => !before.has(pid)), []);
});
