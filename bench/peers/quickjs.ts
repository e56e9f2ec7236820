/**
 * quickjs-emscripten 0.32.0 (QuickJS compiled to WebAssembly, its default release-sync build), in the host
 * process. Warm: a fresh context per cell in a runtime kept between cells (contexts share the runtime's heap and
 * memory limit). Cold: a new runtime and its first context. Tools are one host function returning a QuickJS
 * promise (JSON text in and out); the host pumps `executePendingJobs` whenever a call settles. The WebAssembly
 * module itself is loaded once per host, before any sample (`create`).
 *
 * @module
 */
import { createRequire } from "node:module";
import { type BenchTool, type Gate, type Peer, TEXT_CELL } from "../adapter.ts";
import { type InProcessCell, InProcessPeer } from "../in_process.ts";

interface QjsHandle {
  dispose(): void;
}
interface QjsDeferred {
  handle: QjsHandle;
  resolve(value: QjsHandle): void;
  dispose(): void;
}
interface QjsContext {
  global: QjsHandle;
  newFunction(name: string, fn: (...args: QjsHandle[]) => QjsHandle | void): QjsHandle;
  newString(value: string): QjsHandle;
  newPromise(): QjsDeferred;
  getString(handle: QjsHandle): string;
  setProp(target: QjsHandle, key: string, value: QjsHandle): void;
  evalCode(code: string): unknown;
  unwrapResult(result: unknown): QjsHandle;
  resolvePromise(handle: QjsHandle): Promise<unknown>;
  dispose(): void;
}
interface QjsRuntime {
  setMemoryLimit(bytes: number): void;
  newContext(): QjsContext;
  executePendingJobs(): unknown;
  dispose(): void;
}
interface QjsModule {
  newRuntime(): QjsRuntime;
}
interface QuickJsPackage {
  getQuickJS(): Promise<QjsModule>;
}

const MEMORY_LIMIT = 512 * 1024 * 1024;

interface Running extends InProcessCell {
  context: QjsContext;
  /** Handles that must be freed before the context is. */
  owned: QjsHandle[];
}

class QuickJsPeer extends InProcessPeer<Running> {
  readonly name = "quickjs";
  readonly note = "QuickJS in WebAssembly, in the host process; warm = fresh context in a kept runtime";
  #runtime: QjsRuntime;
  #byName = new Map<string, BenchTool>();
  #install = "";

  constructor(private readonly module: QjsModule, readonly version: string) {
    super();
    this.#runtime = this.#newRuntime();
  }

  #newRuntime(): QjsRuntime {
    const runtime = this.module.newRuntime();
    runtime.setMemoryLimit(MEMORY_LIMIT);
    return runtime;
  }

  override setup(tools: readonly BenchTool[], gate: Gate): Promise<void> {
    this.#byName = new Map(tools.map((tool) => [tool.name, tool]));
    this.#install = `(() => {
      const call = globalThis.$call;
      delete globalThis.$call;
      const tools = {};
      for (const name of ${JSON.stringify(tools.map((tool) => tool.name))}) {
        tools[name] = (args) => call(name, JSON.stringify(args)).then(JSON.parse);
      }
      globalThis.tools = tools;
    })();`;
    return super.setup(tools, gate);
  }

  protected start(source: string): Running {
    return this.#startIn(this.#runtime, source);
  }

  #startIn(runtime: QjsRuntime, source: string): Running {
    const context = runtime.newContext();
    const texts: string[] = [];
    const owned: QjsHandle[] = [];
    const text = context.newFunction("text", (value) => void texts.push(context.getString(value)));
    context.setProp(context.global, "text", text);
    text.dispose();
    const call = context.newFunction("$call", (name, json) => {
      const tool = this.#byName.get(context.getString(name));
      const args = JSON.parse(context.getString(json)) as Record<string, unknown>;
      const deferred = context.newPromise();
      owned.push(deferred);
      Promise.resolve(tool?.run(args)).then((value) => {
        const reply = context.newString(JSON.stringify(value));
        deferred.resolve(reply);
        reply.dispose();
        runtime.executePendingJobs();
      });
      return deferred.handle;
    });
    context.setProp(context.global, "$call", call);
    call.dispose();
    context.unwrapResult(context.evalCode(this.#install)).dispose();
    const promise = context.unwrapResult(context.evalCode(`(async () => {\n${source}\n})()`));
    owned.push(promise);
    const done = context.resolvePromise(promise).then((result) => context.unwrapResult(result).dispose());
    runtime.executePendingJobs();
    return { context, texts, done, owned };
  }

  protected override release(cell: Running): void {
    for (const handle of cell.owned) handle.dispose();
    cell.context.dispose();
  }

  /** Cold: a new runtime as well as a new context. */
  override async cold(): Promise<number> {
    const runtime = this.#newRuntime();
    try {
      return await this.timeCell(TEXT_CELL, (source) => this.#startIn(runtime, source));
    } finally {
      runtime.dispose();
    }
  }
}

export default async function create(): Promise<Peer> {
  const require = createRequire(new URL("./package.json", import.meta.url));
  const quickjs = require("quickjs-emscripten") as QuickJsPackage;
  const { version } = require("quickjs-emscripten/package.json") as { version: string };
  return new QuickJsPeer(await quickjs.getQuickJS(), version);
}
