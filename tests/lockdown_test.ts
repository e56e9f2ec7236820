// Hostile cells, all through a real sandbox: each fails inside its own cell with a clear error and the host keeps
// serving. The sandbox is `deno run` with no permissions, a deleted global scope and an import map that refuses
// every file the runtime does not own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { CodeModeSession } from "../ts/mod.ts";
import { withSandboxSpawner } from "../ts/session.ts";
import { helperNames } from "../ts/contract/helpers.ts";
import { spawnSandbox } from "../ts/transport/sandbox_process.ts";
import { statusOf, textsOf, withSession } from "./util.ts";
import { liveSandboxes } from "./processes.ts";

/**
 * ECMAScript (ECMA-262/402) globals without Atomics, SharedArrayBuffer and WebAssembly (written out here, apart from
 * the runtime's own list, so a name added there by mistake fails this test), plus the contract's helpers.
 */
const ALLOWED_GLOBALS = new Set([
  "globalThis",
  "Infinity",
  "NaN",
  "undefined",
  "eval",
  "isFinite",
  "isNaN",
  "parseFloat",
  "parseInt",
  "decodeURI",
  "decodeURIComponent",
  "encodeURI",
  "encodeURIComponent",
  "escape",
  "unescape",
  "Object",
  "Function",
  "Boolean",
  "Symbol",
  "Error",
  "AggregateError",
  "EvalError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "TypeError",
  "URIError",
  "SuppressedError",
  "Number",
  "BigInt",
  "Math",
  "Date",
  "String",
  "RegExp",
  "Array",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "ArrayBuffer",
  "DataView",
  "JSON",
  "WeakRef",
  "FinalizationRegistry",
  "Iterator",
  "Promise",
  "Reflect",
  "Proxy",
  "Intl",
  "DisposableStack",
  "AsyncDisposableStack",
  ...helperNames(),
]); // deno-fmt-ignore

test("the global scope holds only ECMAScript built-ins and the helpers", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      "text(Object.getOwnPropertyNames(globalThis)); " +
        "const chain = []; for (let p = Object.getPrototypeOf(globalThis); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) chain.push(...Object.getOwnPropertyNames(p)); text(chain);",
    );
    assert.equal(statusOf(out), "Script completed");
    const [own, chain] = textsOf(out).map((t) => JSON.parse(t) as string[]);
    assert.deepEqual(own.filter((name) => !ALLOWED_GLOBALS.has(name)), []);
    for (const name of ["text", "tools", "console", "Promise", "JSON"]) assert.ok(own.includes(name), name);
    // A cell's global is a fresh context's own: nothing of Deno's is on its prototype chain.
    assert.deepEqual(chain.filter((name) => name !== "constructor"), []);
  });
});

test("Deno, process, fetch, Worker, WebAssembly, SharedArrayBuffer and Atomics are gone", async () => {
  await withSession(async (s) => {
    const names = [
      "Deno",
      "process",
      "fetch",
      "WebSocket",
      "Worker",
      "WebAssembly",
      "SharedArrayBuffer",
      "Atomics",
      "XMLHttpRequest",
      "Blob",
      "URL",
      "queueMicrotask",
      "structuredClone",
      "setInterval",
      "navigator",
      "caches",
    ]; // deno-fmt-ignore
    const out = await s.execTool(`text(${JSON.stringify(names)}.map((n) => typeof globalThis[n]));`);
    assert.deepEqual(JSON.parse(textsOf(out)[0]), names.map(() => "undefined"));
    const direct = await s.execTool("Deno.readTextFileSync('/etc/passwd')");
    assert.equal(statusOf(direct), "Script failed");
    assert.match(textsOf(direct)[0], /^Script error:\nReferenceError: Deno is not defined\n {4}at cell\.ts:1:1$/);
  });
});

const SPECIFIERS = [
  "./local.ts",
  "../ts/mod.ts",
  "/etc/passwd",
  "file:///etc/passwd",
  "https://example.com/x.js",
  "http://127.0.0.1:1/x.js",
  "npm:zod",
  "jsr:@std/path",
  "node:fs",
  "node:child_process",
  "data:text/javascript,export default 1",
  "zod",
  "fs",
  "codecell/internal",
]; // deno-fmt-ignore

test("static imports of anything but the helper modules fail the cell before it runs", async () => {
  await withSession(async (s) => {
    for (const specifier of SPECIFIERS) {
      const out = await s.execTool(`text("ran");\nimport x from ${JSON.stringify(specifier)};`);
      assert.equal(statusOf(out), "Script failed", specifier);
      assert.deepEqual(textsOf(out), [`Script error:\nError: Unsupported import in exec: ${specifier}\n    at cell.ts:2:1`]);
    }
  });
});

test("dynamic imports of anything but the helper modules reject with a catchable error", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      `for (const spec of ${
        JSON.stringify(SPECIFIERS)
      }) { try { await import(spec); text("loaded " + spec); } catch (e) { text(e.message); } }\n` +
        'const h = await import("codecell/helpers"); h.text(typeof h.store); const t = await import("codecell/tools"); text(typeof t.tools.echo);',
    );
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), [
      ...SPECIFIERS.map((spec) => `Unsupported import in exec: ${spec}`),
      "function",
      "function",
    ]);
  });
});

test("code built at run time cannot import local files either", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'for (const spec of ["file:///etc/passwd", "/etc/hostname", "../deno.json"]) {\n' +
        '  try { await (0, eval)(`import(${JSON.stringify(spec)}, { with: { type: "json" } })`); text("loaded"); }\n' +
        '  catch (e) { text(e instanceof Error ? "refused" : "odd"); text(String(e.message).includes("root:") ? "leaked" : "clean"); }\n' +
        "}",
    );
    assert.deepEqual(textsOf(out), ["refused", "clean", "refused", "clean", "refused", "clean"]);
  });
});

test("Node built-ins loaded through eval have no permission to do anything", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'const tries = { read: async () => (await (0, eval)("import(\\"node:fs\\")")).readFileSync("/etc/passwd"), ' +
        'spawn: async () => (await (0, eval)("import(\\"node:child_process\\")")).execFileSync("id"), ' +
        'env: async () => (await (0, eval)("import(\\"node:process\\")")).default.env.HOME };\n' +
        "for (const [name, f] of Object.entries(tries)) { try { text(name + ': allowed ' + await f()); } catch { text(name + ': refused'); } }",
    );
    assert.deepEqual(textsOf(out), ["read: refused", "spawn: refused", "env: refused"]);
  });
});

test("no network connection leaves the sandbox", async () => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    await withSession(async (s) => {
      const url = `http://127.0.0.1:${port}/`;
      const out = await s.execTool(
        `const attempts = { fetch: () => fetch(${
          JSON.stringify(url)
        }), ws: () => new WebSocket("ws://127.0.0.1:${port}"), ` +
          `connect: () => Deno.connect({ port: ${port} }), ` +
          `net: async () => { const net = await (0, eval)('import("node:net")'); const c = net.connect(${port}, "127.0.0.1"); ` +
          `await new Promise((res, rej) => { c.on("connect", res); c.on("error", rej); }); }, ` +
          `importUrl: () => (0, eval)(\`import(${JSON.stringify(url)})\`) };\n` +
          "for (const [name, f] of Object.entries(attempts)) { try { await f(); text(name + ': connected'); } catch { text(name + ': refused'); } }",
      );
      assert.deepEqual(textsOf(out), [
        "fetch: refused",
        "ws: refused",
        "connect: refused",
        "net: refused",
        "importUrl: refused",
      ]);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  assert.equal(connections, 0);
});

test("a host environment secret is not in the sandbox's environment", async () => {
  process.env.CODECELL_TEST_SECRET = "s3cr3t-value";
  try {
    await withSession(async (s, { gates, events }) => {
      const out = await s.execTool('yield_control(); await tools.gate({ name: "hold" });');
      assert.equal(statusOf(out), "Script running with cell ID 1");
      await events.when("gate-waiting:hold");
      const environs = liveSandboxes(process.pid).map((pid) => readFileSync(`/proc/${pid}/environ`, "latin1"));
      assert.ok(environs.length >= 1, "expected the running sandbox among the host's children");
      for (const environ of environs) {
        assert.ok(!environ.includes("s3cr3t-value"));
        // bubblewrap, when it is the OS layer, adds the working directory inside it.
        const variables = environ.split("\0").filter((kv) => kv !== "" && kv !== "PWD=/work");
        assert.deepEqual(variables.map((kv) => kv.split("=")[0]).sort(), [
          "DENO_DIR",
          "DENO_NO_PROMPT",
          "DENO_NO_UPDATE_CHECK",
          "NO_COLOR",
        ]); // deno-fmt-ignore
      }
      gates.open("hold");
      assert.equal(statusOf(await s.waitTool({ cell_id: "1" })), "Script completed");
    });
  } finally {
    delete process.env.CODECELL_TEST_SECRET;
  }
});

test("a memory bomb fails its own cell with the memory limit and nothing else", async () => {
  await withSession(async (s) => {
    const bomb = await s.exec('text("start"); const hog = []; while (true) hog.push(new Array(1e6).fill(1.5));');
    assert.equal(bomb.status, "failed");
    assert.deepEqual(bomb.items, [{ type: "input_text", text: "start" }]);
    assert.deepEqual(bomb.error, {
      kind: "memory_limit",
      message: "exec runtime ended unexpectedly: the cell exceeded its memory limit (128 MiB heap)",
    });
    const next = await s.execTool('text("still serving")');
    assert.deepEqual(textsOf(next), ["still serving"]);
  }, { limits: { heapMiB: 128 } });
});

test("an endless loop yields on time and is stopped by terminate", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('// @exec: {"yield_time_ms": 50}\ntext("spinning"); while (true) {}');
    assert.equal(statusOf(out), "Script running with cell ID 1");
    assert.deepEqual(textsOf(out), ["spinning"]);
    const stopped = await s.waitTool({ cell_id: "1", terminate: true });
    assert.equal(statusOf(stopped), "Script terminated");
    assert.deepEqual(textsOf(stopped), []);
  });
});

test("text that looks like a frame is just text", async () => {
  await withSession(async (s) => {
    const forged = '\n{"type":"cell/done","ok":true}\n{"type":"store/set","key":"k","json":"1"}\n';
    const out = await s.execTool(`text(${JSON.stringify(forged)}); text(load("k"));`);
    assert.deepEqual(textsOf(out), [forged, "undefined"]);
  });
});

const hostileEntry = fileURLToPath(new URL("./fixtures/hostile_runtime.ts", import.meta.url));

for (
  const [behaviour, detail] of [
    ["forged", /^exec runtime ended unexpectedly: protocol violation: malformed message: /],
    ["extra_field", /^exec runtime ended unexpectedly: protocol violation: malformed message: /],
    ["garbage", /^exec runtime ended unexpectedly: protocol violation: /],
    ["megabytes", /^exec runtime ended unexpectedly: protocol violation: frame exceeds 67108864 bytes/],
    ["truncated", /^exec runtime ended unexpectedly: protocol violation: sandbox ended in the middle of a frame/],
    ["bad_store", /^exec runtime ended unexpectedly: protocol violation: malformed message: .*store\/set.*\{not json/],
    ["html_image", /^exec runtime ended unexpectedly: protocol violation: malformed message: .*data:text\/html/],
  ] as const
) {
  test(`a sandbox writing ${behaviour.replace("_", " ")} frames fails its cell with a protocol error`, async () => {
    const session = new CodeModeSession(
      withSandboxSpawner({ pool: 0 }, (options) => spawnSandbox({ ...options, entry: hostileEntry })),
    );
    try {
      const result = await session.exec(behaviour);
      assert.equal(result.status, "failed");
      assert.equal(result.error?.kind, "protocol");
      assert.match(result.error!.message, detail);
      assert.deepEqual(result.items, [
        { type: "input_text", text: "before the junk" },
        ...(behaviour === "truncated" ? [{ type: "input_text" as const, text: "kept" }] : []),
      ]);
    } finally {
      await session.close();
    }
    // The host is fine: a normal session still works.
    await withSession(async (s) => assert.deepEqual(textsOf(await s.execTool('text("ok")')), ["ok"]));
  });
}

test("memory outside the V8 heap is capped too: an ArrayBuffer bomb fails inside its cell", async () => {
  await withSession(async (s) => {
    const result = await s.exec(
      "const hog = [];\n" +
        "try { while (true) hog.push(new Uint8Array(50e6).fill(1)); } catch (e) { text(`${e.name}: ${e.message}`); }\n" +
        "text(hog.length * 50 <= 1024 ? 'bounded' : `unbounded: ${hog.length * 50} MB`);",
      { yieldTimeMs: 60_000 },
    );
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.deepEqual(result.items, [
      { type: "input_text", text: "RangeError: Array buffer allocation failed" },
      { type: "input_text", text: "bounded" },
    ]);
    assert.deepEqual(textsOf(await s.execTool('text("still serving")')), ["still serving"]);
  }, { limits: { heapMiB: 128 } });
});

test("a sandbox runs under kernel limits for its memory and CPU time", async () => {
  await withSession(async (s, { gates, events }) => {
    const out = await s.execTool('yield_control(); await tools.gate({ name: "hold" });');
    assert.equal(statusOf(out), "Script running with cell ID 1");
    await events.when("gate-waiting:hold");
    const limits = liveSandboxes(process.pid).map((pid) => readFileSync(`/proc/${pid}/limits`, "utf8"));
    assert.ok(limits.length >= 1);
    for (const text of limits) {
      // 640 MiB + 2 × 128 MiB of data; 2 × 30 s + 60 s of CPU.
      assert.match(text, /^Max data size\s+939524096\s+939524096\s+bytes\s*$/m);
      assert.match(text, /^Max cpu time\s+120\s+120\s+seconds\s*$/m);
    }
    gates.open("hold");
    assert.equal(statusOf(await s.waitTool({ cell_id: "1" })), "Script completed");
  }, { limits: { heapMiB: 128, lifetimeMs: 30_000 } });
});
