/**
 * codecell through its public API. Cold: a new session with no warm pool and its first `execTool` (a sandbox
 * process is spawned for the cell). Warm: `execTool` on a session whose pool of 2 is full and idle, as a model
 * loop finds it (cells arrive seconds apart); waiting for the refill is untimed (`settle`).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { CodeModeSession, defineTool, type ToolDefinition, type ToolResponse } from "../../ts/mod.ts";
import {
  type BenchTool,
  expectBench,
  type Gate,
  HOLD_CELL,
  now,
  type Peer,
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

class CodecellPeer implements Peer {
  readonly name = "codecell";
  readonly version: string;
  readonly note = "a permissionless Deno process per cell; warm = taken from the session's pool of 2";
  readonly hasTools = true;
  #tools: ToolDefinition[] = [];
  #session: CodeModeSession | undefined;
  #gate: Gate | undefined;

  constructor() {
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
    this.#session = new CodeModeSession({ tools: this.#tools, pool: POOL, limits: LIMITS });
    // The pool starts one sandbox and fills up after the first cell: one untimed cell brings it to steady state.
    check(await this.#session.execTool(TEXT_CELL));
  }

  /** The pool refills in the background after each cell; a warm cell needs it booted, warmed up and idle. */
  idleProcesses(): number {
    return this.#session === undefined ? 0 : POOL;
  }

  async cold(): Promise<number> {
    const start = now();
    const session = new CodeModeSession({ tools: this.#tools, pool: 0, limits: LIMITS });
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

  async toolCalls(calls: number): Promise<number> {
    const start = now();
    const response = await this.#live().execTool(toolLoopCell(calls));
    const ms = now() - start;
    check(response);
    return ms;
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

  #live(): CodeModeSession {
    if (this.#session === undefined) throw new Error("codecell: setup() first");
    return this.#session;
  }
}

export default function create(): Promise<Peer> {
  return Promise.resolve(new CodecellPeer());
}
