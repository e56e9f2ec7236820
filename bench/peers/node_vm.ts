/**
 * Node's `vm` module: a fresh context per cell in the host process, `text` and the tools as plain host functions.
 * A baseline only, NOT a security boundary (a cell can reach the host through any object it is given, and shares
 * the host's heap, event loop and process). Cold and warm are the same operation.
 *
 * @module
 */
import vm from "node:vm";
import process from "node:process";
import type { Peer } from "../adapter.ts";
import { type InProcessCell, InProcessPeer } from "../in_process.ts";


class NodeVmPeer extends InProcessPeer<InProcessCell> {
  readonly name = "node:vm";
  readonly version = process.version;
  readonly note = "a fresh `vm` context per cell; baseline only, not a security boundary; warm = cold";

  protected start(source: string): InProcessCell {
    const texts: string[] = [];
    const tools = Object.fromEntries(
      this.tools.map((tool) => [tool.name, (args: Record<string, unknown>) => Promise.resolve(tool.run(args))]),
    );
    const context = vm.createContext({ text: (value: string) => void texts.push(String(value)), tools });
    const done = vm.runInContext(`(async () => {\n${source}\n})()`, context) as Promise<unknown>;
    return { texts, done };
  }
}

export default function create(): Promise<Peer> {
  return Promise.resolve(new NodeVmPeer());
}
