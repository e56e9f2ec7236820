/**
 * Node's `vm` module: a fresh context per cell in the host process, `text` and the tools as plain host functions.
 * A baseline only, NOT a security boundary (a cell can reach the host through any object it is given, and shares
 * the host's heap, event loop and process). Cold and warm are the same operation.
 *
 * @module
 */
import vm from "node:vm";
import process from "node:process";
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

interface Running {
  texts: string[];
  done: Promise<unknown>;
}

class NodeVmPeer implements Peer {
  readonly name = "node:vm";
  readonly version = process.version;
  readonly note = "a fresh `vm` context per cell; baseline only, not a security boundary; warm = cold";
  readonly hasTools = true;
  #tools: readonly BenchTool[] = [];
  #gate: Gate | undefined;

  setup(tools: readonly BenchTool[], gate: Gate): Promise<void> {
    this.#tools = tools;
    this.#gate = gate;
    return Promise.resolve();
  }

  #start(source: string): Running {
    const texts: string[] = [];
    const tools = Object.fromEntries(
      this.#tools.map((tool) => [tool.name, (args: Record<string, unknown>) => Promise.resolve(tool.run(args))]),
    );
    const context = vm.createContext({ text: (value: string) => void texts.push(String(value)), tools });
    const done = vm.runInContext(`(async () => {\n${source}\n})()`, context) as Promise<unknown>;
    return { texts, done };
  }

  async #cell(source: string): Promise<number> {
    const start = now();
    const cell = this.#start(source);
    await cell.done;
    const ms = now() - start;
    expectBench(this.name, cell.texts);
    return ms;
  }

  cold(): Promise<number> {
    return this.#cell(TEXT_CELL);
  }

  warm(): Promise<number> {
    return this.#cell(TEXT_CELL);
  }

  toolCalls(calls: number): Promise<number> {
    return this.#cell(toolLoopCell(calls));
  }

  async burst(cells: number): Promise<number> {
    const start = now();
    const running = Array.from({ length: cells }, () => this.#start(TEXT_CELL));
    await Promise.all(running.map((cell) => cell.done));
    const ms = now() - start;
    for (const cell of running) expectBench(this.name, cell.texts);
    return ms;
  }

  async hold(cells: number): Promise<() => Promise<void>> {
    const gate = this.#gate!;
    const running = Array.from({ length: cells }, () => this.#start(HOLD_CELL));
    await gate.whenArrived(cells);
    return async () => {
      gate.open();
      await Promise.all(running.map((cell) => cell.done));
    };
  }

  idleProcesses(): number {
    return 0;
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }
}

export default function create(): Promise<Peer> {
  return Promise.resolve(new NodeVmPeer());
}
