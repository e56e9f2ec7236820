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
import type { BenchTool, Gate, Peer } from "../adapter.ts";
import { type InProcessCell, InProcessPeer } from "../in_process.ts";

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
interface Running extends InProcessCell {
  isolate: IvmIsolate;
}

class IsolatedVmPeer extends InProcessPeer<Running> {
  readonly name = "isolated-vm";
  readonly note = "a fresh V8 isolate + context per cell, in the host process; warm = cold";
  readonly version: string;
  #byName = new Map<string, BenchTool>();
  #install = "";

  constructor(private readonly ivm: Ivm, version: string) {
    super();
    this.version = version;
  }

  override setup(tools: readonly BenchTool[], gate: Gate): Promise<void> {
    this.#byName = new Map(tools.map((tool) => [tool.name, tool]));
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
    return super.setup(tools, gate);
  }

  protected start(source: string): Running {
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

  protected override release(cell: Running): void {
    cell.isolate.dispose();
  }

  #call(name: string, args: Record<string, unknown>): unknown {
    const tool = this.#byName.get(name);
    if (tool === undefined) throw new Error(`unknown tool ${name}`);
    return tool.run(args);
  }
}

export default function create(): Promise<Peer> {
  const require = createRequire(new URL("./package.json", import.meta.url));
  const ivm = require("isolated-vm") as Ivm;
  const { version } = require("isolated-vm/package.json") as { version: string };
  return Promise.resolve(new IsolatedVmPeer(ivm, version));
}
