/**
 * codecell through its public API, in either isolation mode (docs/architecture.md "Sandboxes per session"); this
 * file is the default, `isolation: "context"`, and `codecell_process.ts` the other. Cold: a new session on a pool
 * of its own with nothing warm, and its first `execTool` (a sandbox process is spawned for the cell). Warm:
 * `execTool` on a session that ran a cell before, as a model loop finds it (cells arrive seconds apart, the host's
 * shared pool of 2 is full and idle): in context mode the session's bound sandbox runs it in a fresh context, in
 * process mode a pooled sandbox runs it and is closed after. Waiting for refills is untimed (the harness's quiet).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { CodeModeSession, defineTool, type ToolDefinition, type ToolResponse } from "../../ts/mod.ts";
import type { Isolation } from "../../ts/session/sandboxes.ts";
import { spawnSandbox } from "../../ts/transport/sandbox_process.ts";
import {
  type BenchTool,
  expectBench,
  type Gate,
  HOLD_CELL,
  now,
  type Peer,
  type SessionGroup,
  TEXT_CELL,
  toolLoopCell,
} from "../adapter.ts";

const POOL = 2;
const LIMITS = { heapMiB: 512 };

/** The cell's own output: `execTool` puts a status header first. */
function check(response: ToolResponse): void {
  if (!response.success) throw new Error(`codecell: cell failed: ${JSON.stringify(response.items).slice(0, 300)}`);
  expectBench("codecell", response.items.slice(1).map((item) => (item.type === "input_text" ? item.text : "")));
}

const NOTES: Record<Isolation, string> = {
  context: "permissionless Deno sandboxes bound to a session, a fresh V8 context per cell; warm = the session's " +
    "sandbox after a cell (host pool of 2 idle)",
  process: "a permissionless Deno process per cell; warm = one from the host's pool of 2, closed after the cell",
};

class CodecellPeer implements Peer {
  readonly name: string;
  readonly version: string;
  readonly note: string;
  readonly hasTools = true;
  readonly sharedPool = POOL;
  readonly #isolation: Isolation;
  #tools: ToolDefinition[] = [];
  #session: CodeModeSession | undefined;
  #gate: Gate | undefined;

  constructor(isolation: Isolation) {
    this.#isolation = isolation;
    this.name = isolation === "context" ? "codecell" : `codecell (${isolation})`;
    this.note = NOTES[isolation];
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    this.version = pkg.version;
  }

  async setup(tools: readonly BenchTool[], gate: Gate): Promise<void> {
    this.#gate = gate;
    this.#tools = tools.map((tool) =>
      defineTool({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema,
        run: (args) => tool.run(args),
      })
    );
    this.#session = this.#newSession();
    // The pool starts one sandbox and fills up after the first cell: one untimed cell brings it to steady state.
    check(await this.#session.execTool(TEXT_CELL));
  }

  /** A session in context mode keeps its sandbox between cells; the shared pool is counted by `sharedPool`. */
  idleProcesses(): number {
    return this.#session !== undefined && this.#isolation === "context" ? 1 : 0;
  }

  async cold(): Promise<number> {
    const start = now();
    // A pool of its own with nothing in it: the host's shared pool would hand this session a warm sandbox.
    const session = new CodeModeSession({
      tools: this.#tools,
      pool: 0,
      limits: LIMITS,
      isolation: this.#isolation,
      spawnSandbox: (options) => spawnSandbox(options),
    });
    const response = await session.execTool(TEXT_CELL);
    const ms = now() - start;
    await session.close();
    check(response);
    return ms;
  }

  async warm(): Promise<number> {
    const start = now();
    const response = await this.#live().execTool(TEXT_CELL);
    const ms = now() - start;
    check(response);
    return ms;
  }

  toolCalls(calls: number): Promise<number> {
    return this.cell(toolLoopCell(calls));
  }

  async cell(source: string): Promise<number> {
    const start = now();
    const response = await this.#live().execTool(source);
    const ms = now() - start;
    check(response);
    return ms;
  }

  async openSessions(count: number, settle: () => Promise<unknown>): Promise<SessionGroup> {
    const sessions: CodeModeSession[] = [];
    for (let i = 0; i < count; i++) {
      const session = this.#newSession();
      sessions.push(session);
      check(await session.execTool(TEXT_CELL));
      await settle();
    }
    return {
      async burst() {
        const start = now();
        const responses = await Promise.all(sessions.map((session) => session.execTool(TEXT_CELL)));
        const ms = now() - start;
        responses.forEach(check);
        return ms;
      },
      async close() {
        await Promise.all(sessions.map((session) => session.close()));
      },
    };
  }

  async burst(cells: number): Promise<number> {
    const session = this.#live();
    const start = now();
    const responses = await Promise.all(Array.from({ length: cells }, () => session.execTool(TEXT_CELL)));
    const ms = now() - start;
    responses.forEach(check);
    return ms;
  }

  async hold(cells: number): Promise<() => Promise<void>> {
    const session = this.#live();
    const gate = this.#gate!;
    const running = Array.from({ length: cells }, () => session.exec(HOLD_CELL, { yieldTimeMs: 600_000 }));
    await gate.whenArrived(cells);
    return async () => {
      gate.open();
      for (const result of await Promise.all(running)) {
        if (result.status !== "completed") throw new Error(`codecell: held cell ${result.status}`);
      }
    };
  }

  async teardown(): Promise<void> {
    await this.#session?.close();
    this.#session = undefined;
  }

  #newSession(): CodeModeSession {
    return new CodeModeSession({ tools: this.#tools, pool: POOL, limits: LIMITS, isolation: this.#isolation });
  }

  #live(): CodeModeSession {
    if (this.#session === undefined) throw new Error("codecell: setup() first");
    return this.#session;
  }
}

/** A codecell peer in `isolation` mode. */
export function codecellPeer(isolation: Isolation): Promise<Peer> {
  return Promise.resolve(new CodecellPeer(isolation));
}

export default function create(): Promise<Peer> {
  return codecellPeer("context");
}
