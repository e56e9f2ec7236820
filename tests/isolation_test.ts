// Cells of one session run one after another in one sandbox process, each in a fresh V8 context
// (docs/architecture.md "The sandbox"): nothing of the sandbox's own realm is reachable from a cell, nothing of a
// cell reaches the next, and a sandbox is reused only when it is clean.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { statusOf, textsOf, withSession } from "./util.ts";
import { liveSandboxes } from "./processes.ts";
import { spawnSync } from "node:child_process";
import { sandboxArgs } from "../ts/transport/sandbox_process.ts";
import { sandboxFiles } from "../ts/transport/sandbox_files.ts";
import { sandboxBundlePath } from "../ts/transport/runtime_bundle.ts";
import { denoBinaryPath, DENY_ALL_PERMISSIONS } from "../ts/transport/deno_binary.ts";
import { EXIT_PERMISSIONS_GRANTED } from "../ts/contract/codec.ts";

/**
 * A cell that walks everything it can reach (own properties by descriptor, never calling a getter; prototypes)
 * from its global scope and from the values the helpers hand it, and names every object whose prototype chain
 * does not end at the cell's own `Object.prototype`: such an object would belong to another realm.
 */
const REACHABILITY_CELL = String.raw`
const OP = Object.prototype;
const end = (o) => { let last = o; for (let p = o; p !== null; p = Object.getPrototypeOf(p)) last = p; return last; };
const foreign = [];
let walked = 0;
const seen = new Set();
function walk(root, name) {
  const stack = [[root, name]];
  while (stack.length > 0) {
    const [value, path] = stack.pop();
    if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value)) continue;
    seen.add(value);
    walked++;
    const last = end(value);
    if (last !== OP && !(last === value && Object.getPrototypeOf(value) === null)) foreign.push(path);
    stack.push([Object.getPrototypeOf(value), path + ".__proto__"]);
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      const at = path + "[" + String(key) + "]";
      if ("value" in d) stack.push([d.value, at]); else stack.push([d.get, at + "<get>"], [d.set, at + "<set>"]);
    }
  }
}
walk(globalThis, "globalThis");
// What the helpers hand back: results, rejections, errors, promises, modules.
const caught = async (name, run) => { try { walk(await run(), name); } catch (error) { walk(error, name + "!"); } };
await caught("tool result", () => tools.echo({ message: "m" }));
await caught("tool promise", () => ({ p: tools.echo({ message: "m" }) }));
await caught("tool rejection", () => tools.fail({}));
await caught("tool bad arguments", () => tools.echo({ message: 1 }));
await caught("text error", () => text({ toJSON() { throw new RangeError("mine"); } }));
await caught("image error", () => image(42));
await caught("store error", () => store("k", undefined));
await caught("load", () => { store("k", { a: [1] }); return load("k"); });
await caught("timer error", () => setTimeout("no"));
await caught("dynamic import", () => import("node:fs"));
await caught("eval import", () => eval('import("node:fs")'));
await caught("helper module", () => import("codecell/helpers"));
// Errors thrown by a helper when the stack is nearly exhausted: the bridge to the outer realm then fails too.
const deep = (n) => { try { return n > 0 ? deep(n + 1) : 0; } catch { try { text("x"); } catch (error) { return error; } return undefined; } };
await caught("stack exhaustion", () => deep(1));
// Stack traces as structured call sites, including frames below the cell (the hook is refused: see below).
try { Error.prepareStackTrace = (error, sites) => [sites, ...sites.flatMap((site) => [site.getFunction(), site.getThis()])]; } catch {}
await caught("call sites", () => { try { text({ toJSON() { throw new Error("x"); } }); } catch (error) { return error.stack; } });
await caught("call sites in a timer", () => new Promise((resolve) => setTimeout(() => resolve(new Error("t").stack), 1)));
text(JSON.stringify({ walked: walked > 100, foreign }));
text(globalThis.constructor.constructor("return typeof Deno")());
`;

test("nothing reachable from a cell belongs to the sandbox's own realm", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(REACHABILITY_CELL);
    assert.equal(statusOf(out), "Script completed", JSON.stringify(out));
    assert.deepEqual(textsOf(out), ['{"walked":true,"foreign":[]}', "undefined"]);
  });
});

test("nothing a cell does to its global scope or the built-ins reaches the next cell", async () => {
  await withSession(async (s) => {
    const first = await s.execTool(
      "globalThis.leak = 1; Object.prototype.polluted = 2; Array.prototype.push = () => 0; JSON.stringify = () => 'x';\n" +
        "delete globalThis.text; var hoisted = 3; setTimeout(() => notify('late'), 0);",
    );
    assert.equal(statusOf(first), "Script completed");
    const second = await s.execTool(
      "text([typeof leak, ({}).polluted, [].push(1), JSON.stringify({ a: 1 }), typeof hoisted].map(String).join(' '));",
    );
    assert.deepEqual(textsOf(second), ['undefined undefined 1 {"a":1} undefined']);
  });
});

test("a session's cells run one after another in the same sandbox process", async () => {
  await withSession(async (s) => {
    await s.execTool('text("warm")');
    const before = liveSandboxes(process.pid);
    for (let i = 0; i < 5; i++) assert.deepEqual(textsOf(await s.execTool(`text(${i})`)), [String(i)]);
    const after = liveSandboxes(process.pid);
    assert.ok(before.length > 0);
    assert.deepEqual(after.filter((pid) => !before.includes(pid)), [], "no cell needed a new sandbox");
  }, { pool: 0 });
});

test("a cell that starts while another of the session runs gets a sandbox of its own", async () => {
  await withSession(async (s, { gates, events }) => {
    const first = await s.execTool('yield_control(); await tools.gate({ name: "one" }); text("one");');
    assert.equal(statusOf(first), "Script running with cell ID 1");
    await events.when("gate-waiting:one");
    assert.deepEqual(textsOf(await s.execTool('text("two")')), ["two"]);
    gates.open("one");
    assert.deepEqual(textsOf(await s.waitTool({ cell_id: "1" })), ["one"]);
  }, { pool: 0 });
});

test("a cell that leaves work running after its end completes, and its sandbox is not reused", async () => {
  await withSession(async (s) => {
    await s.execTool('text("bind")');
    const [bound] = liveSandboxes(process.pid);
    const out = await s.execTool('(async () => { while (true) await null; })(); text("ended");');
    assert.deepEqual([statusOf(out), textsOf(out)], ["Script completed", ["ended"]]);
    // The next cell runs on another sandbox while the spinning one is killed.
    assert.deepEqual(textsOf(await s.execTool('text("next")')), ["next"]);
    const killed = new Promise<void>((resolve) => {
      const check = () => (liveSandboxes(process.pid).includes(bound) ? setTimeout(check, 50) : resolve());
      check();
    });
    await killed;
  }, { pool: 0 });
});

test("exit() ends the cell even when a catch goes on spinning, and the sandbox is discarded", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('text("before"); try { exit(); } catch { while (true) {} }');
    assert.deepEqual([statusOf(out), textsOf(out)], ["Script completed", ["before"]]);
    assert.deepEqual(textsOf(await s.execTool('text("next")')), ["next"]);
  }, { pool: 0 });
});

test("a dead sandbox is never handed to a cell: the session's and the pool's are replaced", async () => {
  await withSession(async (s) => {
    await s.execTool('text("bind")');
    for (const pid of liveSandboxes(process.pid)) process.kill(pid, "SIGKILL");
    assert.deepEqual(textsOf(await s.execTool('text("after the kill")')), ["after the kill"]);
  });
});

test('with isolation "process", every cell gets a process of its own and the contract holds', async () => {
  await withSession(async (s, { gates, events }) => {
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const out = await s.execTool(
        `store("n", ${i}); yield_control(); await tools.gate({ name: "g${i}" }); text(load("n"));`,
      );
      assert.equal(statusOf(out), `Script running with cell ID ${i + 1}`);
      await events.when(`gate-waiting:g${i}`);
      for (const pid of liveSandboxes(process.pid)) seen.add(pid);
      gates.open(`g${i}`);
      assert.deepEqual(textsOf(await s.waitTool({ cell_id: String(i + 1) })), [String(i)]);
    }
    assert.equal(seen.size, 3);
  }, { pool: 0, isolation: "process" });
});

test("a 30 MiB tool result and 30 MiB of stored values reach the cell whole", async () => {
  const big = "x".repeat(30 << 20);
  await withSession(async (s) => {
    const out = await s.execTool(
      'const r = await tools.echo({ message: "x".repeat(30 << 20) }); text(r.echo.length);\n' +
        'for (let i = 0; i < 30; i++) store("k" + i, "y".repeat(1 << 20));',
    );
    assert.deepEqual(textsOf(out), [String(big.length)]);
    const next = await s.execTool('let n = 0; for (let i = 0; i < 30; i++) n += load("k" + i).length; text(n);');
    assert.deepEqual(textsOf(next), [String(30 << 20)]);
  });
});

test("a sandbox started with any permission refuses to run, so a host that grants one by mistake runs nothing", () => {
  const files = sandboxFiles();
  const bundle = sandboxBundlePath();
  const args = sandboxArgs({ bundle, importMap: files.importMapPath(bundle) }, 64)
    .filter((arg) => arg !== "--deny-env");
  args.splice(1, 0, "--allow-env");
  const run = spawnSync(denoBinaryPath(), args, {
    encoding: "utf8",
    env: { DENO_DIR: files.denoDir(64), NO_COLOR: "1" },
    input: "",
    timeout: 30_000,
  });
  assert.deepEqual([run.status, run.stdout, run.stderr.trim()], [
    EXIT_PERMISSIONS_GRANTED,
    "",
    "codecell sandbox refuses to run with permissions granted: env",
  ]);
});

test("the sandboxes a session starts hold no permission, whatever the host runtime", async () => {
  // Under a Deno host, Deno's node:child_process adds -A to a command line naming its own binary unless that line
  // has a permission flag of its own: the explicit denials keep it out, and the sandbox's self-check proves it.
  await withSession(async (s) => {
    assert.deepEqual(textsOf(await s.execTool('text("ran")')), ["ran"]);
  });
  for (const arg of DENY_ALL_PERMISSIONS) {
    assert.ok(sandboxArgs({ bundle: "b.js", importMap: "m.json" }, 64).includes(arg));
  }
});

test("stack-trace call sites, which Deno makes in the sandbox's own realm, never reach a cell", async () => {
  const hooks = {
    "Error.prepareStackTrace": 'Error.prepareStackTrace = (_e, s) => { site = s[0]; return ""; }; new Error().stack;',
    "a replaced global Error":
      'globalThis.Error = { prepareStackTrace: (_e, s) => { site = s[0]; return ""; } }; new TypeError().stack;',
    "a getter on Function.prototype":
      'Object.defineProperty(Function.prototype, "prepareStackTrace", { get() { return (_e, s) => { site = s[0]; return ""; }; } }); new Error().stack;',
    "a subclass":
      'class E extends Error { static prepareStackTrace(_e, s) { site = s[0]; return ""; } } new E().stack;',
    "Error.captureStackTrace":
      'Error.prepareStackTrace = (_e, s) => { site = s[0]; return ""; }; const o = {}; Error.captureStackTrace(o); o.stack;',
    "defineProperty on Error":
      'Object.defineProperty(Error, "prepareStackTrace", { value: (_e, s) => { site = s[0]; return ""; } }); new Error().stack;',
  };
  await withSession(async (s) => {
    for (const [name, hook] of Object.entries(hooks)) {
      const out = await s.execTool(`let site; try { ${hook} } catch {} text(typeof site);`);
      assert.deepEqual([name, textsOf(out)], [name, ["undefined"]]);
    }
  });
});
