// `codecell mcp`'s end: a signal to the `codecell` process (its npm bin, bin/codecell.mjs) or, over stdio, the end
// of its stdin closes every session, sandbox and upstream server, then exits; no process is left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { childEnv, EVERYTHING, ROOT, startNode, tempDir, within, writeConfig } from "./mcp_helpers.ts";
import { liveDescendants, liveSandboxes } from "./processes.ts";

/** A cell that starts a sandbox and makes the upstream server busy. */
const CELL = "text((await tools.mcp__everything__get_sum({ a: 1, b: 2 })).content[0].text);";

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A process's command line, to say which one was left running. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return `${pid} (gone)`;
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

async function withConfig(fn: (config: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    await fn(writeConfig(dir.path, { everything: EVERYTHING }));
  } finally {
    dir.cleanup();
  }
}

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`over http: ${signal} to the codecell process closes every session and child, then it exits 0`, async () => {
    await withConfig(async (config) => {
      const server = await startNode(
        [join(ROOT, "bin/codecell.mjs"), "mcp", "--config", config, "--http", "127.0.0.1:0"],
        /serving MCP over streamable HTTP at (http:\/\/[^\s"]+)/,
      );
      const transport = new StreamableHTTPClientTransport(new URL(server.match[1]));
      const client = new Client({ name: "codecell-test", version: "1.0.0" });
      try {
        await client.connect(transport);
        const out = await client.callTool({ name: "exec", arguments: { code: CELL } });
        assert.deepEqual(out.content.slice(1), [{ type: "text", text: "The sum of 1 and 2 is 3." }]);
        const children = liveDescendants(server.pid);
        assert.notDeepEqual(liveSandboxes(server.pid), [], "a sandbox runs before the signal");
        process.kill(server.pid, signal);
        const exited = await within(20_000, "codecell to exit", server.exited());
        assert.deepEqual(exited, { code: 0, signal: null });
        assert.deepEqual(children.filter(alive).map(commandOf), []);
      } finally {
        await client.close();
        await server.stop();
      }
    });
  });
}

test("over stdio: the end of stdin closes every session and child, then codecell exits 0", async () => {
  await withConfig(async (config) => {
    const child = spawn("node", [join(ROOT, "bin/codecell.mjs"), "mcp", "--config", config], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ["pipe", "pipe", "ignore"],
    });
    const exited = exitOf(child);
    try {
      const answers = new Map<number, (message: unknown) => void>();
      let buffer = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
          const message: { id?: number } = JSON.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 1);
          if (message.id !== undefined) answers.get(message.id)?.(message);
        }
      });
      const call = (id: number, method: string, params: unknown) => {
        const answer = new Promise((resolve) => answers.set(id, resolve));
        child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
        return within(30_000, method, answer);
      };
      await call(1, "initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "1.0.0" },
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
      const out = await call(2, "tools/call", { name: "exec", arguments: { code: CELL } });
      assert.deepEqual((out as { result: { content: unknown[] } }).result.content.slice(1), [
        { type: "text", text: "The sum of 1 and 2 is 3." },
      ]);
      const children = liveDescendants(child.pid ?? 0);
      assert.notDeepEqual(liveSandboxes(child.pid ?? 0), [], "a sandbox runs before stdin ends");
      child.stdin.end();
      assert.deepEqual(await within(20_000, "codecell to exit", exited), { code: 0, signal: null });
      assert.deepEqual(children.filter(alive), [], `left running: ${children.filter(alive).join(", ")}`);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  });
});

test("over http: when the wrapper that started codecell is killed outright, codecell closes everything and exits", async () => {
  await withConfig(async (config) => {
    const command = `exec node ${join(ROOT, "bin/codecell.mjs")} mcp --config ${config} --http 127.0.0.1:0 & wait`;
    const wrapper = spawn("bash", ["-c", command], { cwd: ROOT, env: childEnv(), stdio: ["ignore", "ignore", "pipe"] });
    const wrapperExited = exitOf(wrapper);
    let codecell = 0;
    const transport = { current: undefined as StreamableHTTPClientTransport | undefined };
    const client = new Client({ name: "codecell-test", version: "1.0.0" });
    try {
      let stderr = "";
      wrapper.stderr.setEncoding("utf8");
      const url = await within(
        60_000,
        "the HTTP URL",
        new Promise<string>((resolve) => {
          wrapper.stderr.on("data", (chunk: string) => {
            stderr += chunk;
            const match = /serving MCP over streamable HTTP at (http:\/\/[^\s"]+)/.exec(stderr);
            if (match !== null) resolve(match[1]);
          });
        }),
      );
      [codecell] = liveDescendants(wrapper.pid ?? 0).filter((pid) => commandOf(pid).includes("bin/codecell.mjs"));
      assert.ok(codecell > 0, "codecell runs under the wrapper");
      transport.current = new StreamableHTTPClientTransport(new URL(url));
      await client.connect(transport.current);
      const out = await client.callTool({ name: "exec", arguments: { code: CELL } });
      assert.deepEqual(out.content.slice(1), [{ type: "text", text: "The sum of 1 and 2 is 3." }]);
      const children = [codecell, ...liveDescendants(codecell)];
      wrapper.kill("SIGKILL");
      await wrapperExited;
      await within(
        20_000,
        "codecell to exit",
        (async () => {
          while (alive(codecell)) await new Promise((resolve) => setTimeout(resolve, 50));
        })(),
      );
      assert.deepEqual(children.filter(alive).map(commandOf), []);
    } finally {
      await client.close();
      if (codecell > 0 && alive(codecell)) process.kill(codecell, "SIGKILL");
      wrapper.kill("SIGKILL");
      await wrapperExited;
    }
  });
});
