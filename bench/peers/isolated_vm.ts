/**
 * isolated-vm 5.0.4: a fresh V8 isolate + context per cell (its isolation unit; nothing is shared between cells),
 * `text` as an `ivm.Callback`, tools through one `ivm.Reference` to a host dispatcher with copied arguments and an
 * awaited (promise) result. The cell runs as an async function (cells may await) via `context.eval(..., {promise})`.
 * Cold and warm are the same operation: the library is loaded once per host, and every cell needs a new isolate.
 * The isolate's disposal happens after the cell's result is in, outside the timed part (as a codecell sandbox's
 * exit is); 32-cell bursts still pay for it before the next sample.
 *
 * The package is a native addon in bench/peers/node_modules, loaded at run time (typed by the interfaces below),
 * and needs `node --no-node-snapshot` on Node 20 (main.ts re-executes itself with it).
 *
 * @module
 */
import { createRequire } from "node:module";
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

interface IvmReference {
  release(): void;
}
interface IvmContext {
  global: { setSync(key: string, value: unknown): void };
  evalSync(code: string): unknown;
  eval(code: string, options: { promise: true }): Promise<unknown>;
}
interface IvmIsolate {
  createContextSync(): IvmContext;
  dispose(): void;
}
interface Ivm {
  Isolate: new (options: { memoryLimit: number }) => IvmIsolate;
  Callback: new (fn: (...args: never[]) => unknown) => unknown;
  Reference: new (value: unknown) => IvmReference;
}

const MEMORY_LIMIT_MIB = 512;

/** A cell in its own isolate; `done` settles when the cell's async body has completed. */
interface Running {
  isolate: IvmIsolate;
  texts: string[];
  done: Promise<unknown>;
}

class IsolatedVmPeer implements Peer {
  readonly name = "isolated-vm";
  readonly note = "a fresh V8 isolate + context per cell, in the host process; warm = cold";
  readonly hasTools = true;
  readonly version: string;
  #tools = new Map<string, BenchTool>();
  #install = "";
  #gate: Gate | undefined;

  constructor(private readonly ivm: Ivm, version: string) {
    this.version = version;
  }

  setup(tools: readonly BenchTool[], gate: Gate): Promise<void> {
    this.#gate = gate;
    this.#tools = new Map(tools.map((tool) => [tool.name, tool]));
    const names = JSON.stringify(tools.map((tool) => tool.name));
    // Runs in each new context: one closure per registered tool, all calling the host through `$call`.
    this.#install = `(() => {
      const call = globalThis.$call;
      delete globalThis.$call;
      const tools = {};
      for (const name of ${names}) {
        tools[name] = (args) => call.apply(undefined, [name, args],
          { arguments: { copy: true }, result: { promise: true, copy: true } });
      }
      globalThis.tools = tools;
    })();`;
    return Promise.resolve();
  }

  #start(source: string): Running {
    const { ivm } = this;
    const isolate = new ivm.Isolate({ memoryLimit: MEMORY_LIMIT_MIB });
    const context = isolate.createContextSync();
    const texts: string[] = [];
    context.global.setSync("text", new ivm.Callback((value: string) => void texts.push(String(value))));
    context.global.setSync(
      "$call",
      new ivm.Reference((name: string, args: Record<string, unknown>) => this.#call(name, args)),
    );
    context.evalSync(this.#install);
    const done = context.eval(`(async () => {\n${source}\n})()`, { promise: true });
    return { isolate, texts, done };
  }

  #call(name: string, args: Record<string, unknown>): unknown {
    const tool = this.#tools.get(name);
    if (tool === undefined) throw new Error(`unknown tool ${name}`);
    return tool.run(args);
  }

  async #cell(source: string): Promise<number> {
    const start = now();
    const cell = this.#start(source);
    await cell.done;
    const ms = now() - start;
    cell.isolate.dispose();
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
    const running: Running[] = [];
    for (let i = 0; i < cells; i++) running.push(this.#start(TEXT_CELL));
    await Promise.all(running.map((cell) => cell.done));
    const ms = now() - start;
    for (const cell of running) {
      cell.isolate.dispose();
      expectBench(this.name, cell.texts);
    }
    return ms;
  }

  async hold(cells: number): Promise<() => Promise<void>> {
    const gate = this.#gate!;
    const running = Array.from({ length: cells }, () => this.#start(HOLD_CELL));
    await gate.whenArrived(cells);
    return async () => {
      gate.open();
      await Promise.all(running.map((cell) => cell.done));
      for (const cell of running) cell.isolate.dispose();
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
  const require = createRequire(new URL("./package.json", import.meta.url));
  const ivm = require("isolated-vm") as Ivm;
  const { version } = require("isolated-vm/package.json") as { version: string };
  return Promise.resolve(new IsolatedVmPeer(ivm, version));
}
