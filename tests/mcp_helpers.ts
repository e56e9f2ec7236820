/**
 * Shared helpers of the MCP and CLI tests: the MCP servers they run, child processes with bounded waits, and readers
 * for MCP results.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Buffer } from "node:buffer";
import type { McpServerConfig, McpStdioServerConfig } from "../ts/mcp/client.ts";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { ClientCapabilities } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

/** The repository root (tests run from anywhere). */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The real `@modelcontextprotocol/server-everything`, over stdio. */
export const EVERYTHING: McpStdioServerConfig = {
  command: "node",
  args: [join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"],
};

/** The in-repo fixture server (tests/fixtures/mcp_fixture_server.ts), over stdio. */
export const FIXTURE: McpStdioServerConfig = {
  command: "node",
  args: ["--import", "tsx", join(ROOT, "tests/fixtures/mcp_fixture_server.ts")],
  cwd: ROOT,
};

/** The 1×1 PNG the fixture's `image` tool returns, base64. */
export const FIXTURE_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/** The environment for child processes: Deno's errors get no Rust backtrace. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== "RUST_BACKTRACE") env[key] = value;
  }
  return { ...env, ...extra };
}

/** A temporary directory removed by `cleanup`. */
export function tempDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), "codecell-mcp-test-"));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes an `mcpServers` config file (with `extra` top-level keys, e.g. `codecell`) into `dir`; returns its path. */
export function writeConfig(
  dir: string,
  servers: Record<string, McpServerConfig>,
  name = "codecell.json",
  extra: Record<string, unknown> = {},
): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ mcpServers: servers, ...extra }, null, 2));
  return path;
}

/** What a finished process printed and how it ended. */
export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` to completion (at most `timeoutMs`, then it is killed), feeding `stdin`. */
export async function runNode(
  args: readonly string[],
  stdin = "",
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<ProcessOutcome> {
  const child = spawn("node", args, { cwd: ROOT, env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    child.stdin?.end(stdin);
    const code = await exited(child);
    return { code, stdout: await stdout, stderr: await stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the `codecell` command (the npm bin: `bin/codecell.mjs` under Node). */
export function runCodecell(
  args: readonly string[],
  stdin = "",
  env: Record<string, string> = {},
): Promise<ProcessOutcome> {
  return runNode([join(ROOT, "bin/codecell.mjs"), ...args], stdin, 60_000, env);
}

/**
 * Starts a long-running `node` process and resolves once a stderr line matches `ready` (at most `timeoutMs`),
 * with the match. `stop()` ends it (stdin closed, then SIGTERM, then SIGKILL) and waits for its pipes to close;
 * `exited()` resolves with how it exited, however that came about.
 */
export async function startNode(
  args: readonly string[],
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<{
  pid: number;
  match: RegExpExecArray;
  stderr(): string;
  stop(): Promise<void>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}> {
  const child = spawn("node", args, { cwd: ROOT, env: childEnv(), stdio: ["pipe", "pipe", "pipe"] });
  const stdout = collect(child.stdout);
  let stderr = "";
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  );
  const closed = exited(child);
  const stop = async () => {
    child.stdin?.end();
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    try {
      await closed;
      await stdout;
    } finally {
      clearTimeout(killer);
    }
  };
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no ${ready} on stderr within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${why}; stderr:\n${stderr}`));
    };
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      const found = ready.exec(stderr);
      if (found !== null) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void closed.then((code) => fail(`the process exited with ${code} before it was ready`));
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { pid: child.pid ?? 0, match, stderr: () => stderr, stop, exited: () => exit };
}

function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (stream === null) return Promise.resolve("");
  return new Promise((resolve, reject) => {
    let text = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => (text += chunk));
    stream.on("end", () => resolve(text));
    stream.on("error", reject);
  });
}

/** The exit code once the process has exited and its pipes are closed. */
function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("close", (code) => resolve(code)));
}

/** A promise with its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejects after `ms` with `what` in the message, so a missing event fails the test instead of hanging it. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A client's capabilities, and what it does before it connects (e.g. set a request handler). */
export interface ClientSetup {
  capabilities?: ClientCapabilities;
  setup?: (client: Client) => void;
}

/** `codecell mcp` run through its npm bin, and MCP SDK clients connected to it. */
export interface CodecellMcp {
  /**
   * Connects a new client: over stdio each client starts its own `codecell mcp`; over HTTP all share one. `client`
   * declares the client's capabilities and sets its handlers before it connects.
   */
  connect(client?: ClientSetup): Promise<Client>;
  /** What the `codecell mcp` processes wrote on stderr so far. */
  stderr(): string;
  /** The HTTP server's process and URL (HTTP only). */
  http: { pid: number; url: string } | undefined;
}

/**
 * Runs `fn` against `codecell mcp --config <config> ...args` over stdio or HTTP (on 127.0.0.1, port 0), then
 * closes every client and the server.
 */
export async function withCodecellMcp(
  kind: "stdio" | "http",
  config: string,
  args: readonly string[],
  fn: (mcp: CodecellMcp) => Promise<void>,
): Promise<void> {
  const command = [join(ROOT, "bin/codecell.mjs"), "mcp", "--config", config, ...args];
  const opened: { client: Client; transport: StdioClientTransport | StreamableHTTPClientTransport }[] = [];
  let stderr = "";
  const server = kind === "http"
    ? await startNode([...command, "--http", "127.0.0.1:0"], /serving MCP over streamable HTTP at (http:\/\/[^\s"]+)/)
    : undefined;
  const connect = async (setup: ClientSetup = {}) => {
    let transport: StdioClientTransport | StreamableHTTPClientTransport;
    if (server === undefined) {
      const stdio = new StdioClientTransport({ command: "node", args: command, env: childEnv(), stderr: "pipe" });
      stdio.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      transport = stdio;
    } else transport = new StreamableHTTPClientTransport(new URL(server.match[1]));
    const client = new Client({ name: "codecell-test", version: "1.0.0" }, { capabilities: setup.capabilities ?? {} });
    setup.setup?.(client);
    await client.connect(transport);
    opened.push({ client, transport });
    return client;
  };
  try {
    await fn({
      connect,
      stderr: () => server?.stderr() ?? stderr,
      http: server === undefined ? undefined : { pid: server.pid, url: server.match[1] },
    });
  } finally {
    for (const { client, transport } of opened) {
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
      await client.close();
    }
    await server?.stop();
  }
}

/**
 * Resolves once `text()` contains `part` (at the start of a line when `part` starts with a newline) or satisfies
 * it, polling for 10 s (for output of another process, which sends no event).
 */
export async function eventually(text: () => string, part: string | ((text: string) => boolean)): Promise<void> {
  const holds = typeof part === "string" ? (current: string) => `\n${current}`.includes(part) : part;
  await within(
    10_000,
    typeof part === "string" ? JSON.stringify(part) : part.toString(),
    (async () => {
      while (!holds(text())) await new Promise((resolve) => setTimeout(resolve, 20));
    })(),
  );
}

/** Resolves once `check()` holds, checking each time `subscribe` reports an event (at most `ms`). */
export function whenever(
  ms: number,
  what: string,
  check: () => boolean,
  subscribe: (listener: () => void) => void,
): Promise<void> {
  return within(
    ms,
    what,
    new Promise<void>((resolve) => {
      if (check()) return resolve();
      subscribe(() => {
        if (check()) resolve();
      });
    }),
  );
}
