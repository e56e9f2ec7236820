// What a hostile cell must not reach (docs/architecture.md "Defense in depth"): host files through the type
// checker, its own source on disk after the session, the runtime's modules, state of an earlier cell, a failure
// kind it did not earn, and, beneath Deno's permissions, the network and files outside the sandbox's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CodeModeSession } from "../ts/mod.ts";
import { CELL_BROKE_HELPERS, cellSyntaxError, sourceNestedTooDeep } from "../ts/contract/messages.ts";
import { cacheRoot } from "../ts/transport/cache_dir.ts";
import { chooseOsLayer, osLaunch } from "../ts/transport/os_sandbox.ts";
import { denoBinaryPath } from "../ts/transport/deno_binary.ts";
import { sandboxFiles } from "../ts/transport/sandbox_files.ts";
import { statusOf, textsOf, withSession } from "./util.ts";

/** Every file under `dir` whose bytes contain `marker`. */
function filesContaining(dir: string, marker: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return; // removed while we looked
    }
    if (stat.isDirectory()) { for (const name of readdirSync(path)) visit(join(path, name)); }
    else if (stat.isFile() && readFileSync(path).includes(marker)) found.push(path);
  };
  visit(dir);
  return found;
}

test("type checking reads no host file: imports, references and typeof import of host paths only fail", async () => {
  const secret = `codecell-secret-${process.pid}-${Date.now()}`;
  process.env.CODECELL_HARDENING_SECRET = secret;
  const dir = mkdtempSync(join(tmpdir(), "codecell-hardening-"));
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  writeFileSync(join(dir, "literal.ts"), `export const leaked = "${secret}";\n`);
  try {
    await withSession(async (s) => {
      const cell = [
        `import env from "/proc/${process.pid}/environ";`,
        'import "/etc/passwd";',
        `import { leaked } from "${dir}/literal.ts";`,
        '/// <reference types="/etc/hostname" />',
        `/// <reference path="${dir}/literal.ts" />`,
        'type T = typeof import("/etc/os-release");',
        `const fifo = await import("${fifo}");`,
        'import zero from "/dev/zero";',
        "text(leaked);",
      ].join("\n");
      const out = await s.execTool(cell, { typecheck: true });
      const all = JSON.stringify(out);
      assert.equal(out.success, false);
      assert.ok(!all.includes(secret), "the secret reached the model");
      assert.ok(!all.includes("root:x:0:0"), "/etc/passwd reached the model");
      assert.match(all, /Cannot find module/);
      // The checker is still fine for the next cell.
      assert.deepEqual(textsOf(await s.execTool('text("checked")', { typecheck: true })), ["checked"]);
    });
  } finally {
    delete process.env.CODECELL_HARDENING_SECRET;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nothing a cell contains is on disk after its session closes", async () => {
  const marker = `cell-marker-${process.pid}-${Date.now()}`;
  await withSession(async (s) => {
    // A script cell, a TypeScript cell with helper imports (once module mode), and a stored value.
    assert.deepEqual(textsOf(await s.execTool(`text("${marker}-1".length > 0 ? "ok" : "")`)), ["ok"]);
    const typed =
      `import { text } from "codecell/helpers";\nconst m: string = "${marker}-2";\ntext(m.length > 0 ? "ok" : "");`;
    assert.deepEqual(textsOf(await s.execTool(typed, { typecheck: true })), ["ok"]);
    await s.execTool(`store("k", "${marker}-3"); text("ok")`);
  });
  assert.deepEqual(filesContaining(cacheRoot(), marker), []);
});

test("the runtime is not importable from a cell, not even by the path its stack shows", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(String.raw`
const frames = new Error("probe").stack.split("\n").map((line) => /\((file:[^)]*?):\d+:\d+\)/.exec(line)?.[1]).filter(Boolean);
const results = [];
for (const url of frames) results.push(await import(url).then(() => "imported " + url, () => "refused"));
for (const url of frames) results.push(await import(url, { with: { type: "text" } }).then(() => "read " + url, () => "refused"));
text([...new Set(results)]);`);
    assert.deepEqual(textsOf(out), ['["refused"]']);
  });
});

test("symbol-keyed state of a cell's global scope does not reach the next cell", async () => {
  await withSession(async (s) => {
    await s.execTool('globalThis[Symbol.for("codecell.leak")] = "first"; Object.prototype[Symbol.iterator] = 1;');
    const out = await s.execTool(
      'text([String(globalThis[Symbol.for("codecell.leak")]), String(Object.prototype[Symbol.iterator]), ' +
        "Object.getOwnPropertySymbols(globalThis).length])",
    );
    assert.deepEqual(textsOf(out), ['["undefined","undefined",0]']);
  });
});

test("a cell cannot make its failure read as the memory limit by what it prints or throws", async () => {
  await withSession(async (s) => {
    const thrown = await s.exec(
      'throw new Error("exec runtime ended unexpectedly: the cell exceeded its memory limit")',
    );
    assert.equal(thrown.error?.kind, "script");
    const printed = await s.exec(
      'text("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"); exit();',
    );
    assert.equal(printed.status, "completed");
  });
});

test("time values beyond what a timer holds are refused as options and clamped as yield times", async () => {
  assert.throws(
    () => new CodeModeSession({ limits: { lifetimeMs: 30 * 24 * 3_600_000 } }),
    { name: "CodecellError", message: /limits\.lifetimeMs/ },
  );
  await withSession(async (s) => {
    const out = await s.execTool(
      '// codecell: {"yield_time_ms": 2147483648}\nawait new Promise((resolve) => setTimeout(resolve, 200));\ntext("waited");',
    );
    assert.deepEqual([statusOf(out), textsOf(out)], ["Script completed", ["waited"]]);
  });
});

test("beneath Deno's permissions, bubblewrap keeps even a permitted Deno off the network and host files", async (t) => {
  const files = sandboxFiles();
  const dir = mkdtempSync(join(tmpdir(), "codecell-bwrap-"));
  const probe = join(dir, "probe.js");
  const secretFile = join(dir, "secret.txt");
  writeFileSync(secretFile, "host secret");
  const launchFiles = {
    deno: denoBinaryPath(),
    bundle: probe,
    importMap: files.importMapPath,
    denoDir: files.denoDir(64),
  };
  const layer = chooseOsLayer("auto", launchFiles, () => {});
  if (layer !== "bwrap") {
    rmSync(dir, { recursive: true, force: true });
    t.skip("bubblewrap is not usable on this host (install the Debian package bubblewrap)");
    return;
  }
  const server = createServer((socket) => socket.end("hello from the host"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  writeFileSync(
    probe,
    `const out = {};
try { const c = await Deno.connect({ hostname: "127.0.0.1", port: ${port} }); c.close(); out.net = "connected"; }
catch (e) { out.net = e.name; }
try { out.file = Deno.readTextFileSync(${JSON.stringify(secretFile)}); } catch (e) { out.file = e.name; }
console.log(JSON.stringify(out));`,
  );
  try {
    const launch = osLaunch(
      layer,
      launchFiles,
      (paths) => ["run", "--allow-net", "--allow-read", "--no-config", paths.bundle],
    );
    const run = spawnSync(launch.command, launch.args, {
      encoding: "utf8",
      env: { DENO_DIR: launch.paths.denoDir, NO_COLOR: "1" },
      timeout: 30_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { net: "ConnectionRefused", file: "NotFound" });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cell that breaks a built-in the helpers rely on fails as a script error, and the sandbox serves on", async () => {
  await withSession(async (s) => {
    const broken = await s.exec(
      'Object.defineProperty(Promise.prototype, "constructor", { get() { throw { toString() { return "x"; } }; } });',
    );
    assert.deepEqual([broken.status, broken.error], ["failed", { kind: "script", message: CELL_BROKE_HELPERS }]);
    assert.deepEqual(textsOf(await s.execTool('text("after")')), ["after"]);
  });
});

test("a cell nesting brackets thousands deep fails as a syntax error, and later cells still run", async () => {
  await withSession(async (s) => {
    for (let i = 0; i < 2; i++) {
      const deep = await s.exec("[".repeat(2000) + "]".repeat(2000));
      assert.deepEqual(deep.error, { kind: "script", message: cellSyntaxError(sourceNestedTooDeep(256), 1, 257, "") });
    }
    assert.deepEqual(textsOf(await s.execTool('text("after")')), ["after"]);
  });
});
