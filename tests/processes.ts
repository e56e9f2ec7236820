/**
 * Process inspection for tests (Linux `/proc`): which children a host has, to prove none outlive a session.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";

/** Live (non-zombie) descendants of `root`. */
export function liveDescendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== "Z") parentOf.set(Number(name), Number(ppid));
    } catch {
      // the process exited while we looked
    }
  }
  const found: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const parent = todo.pop()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        todo.push(child);
      }
    }
  }
  return found;
}

/**
 * Live sandbox processes among the descendants of `root`: the Deno processes running a sandbox bundle or a test's
 * stand-in runtime (not, say, the esbuild service tsx starts, or the bubblewrap process around a sandbox).
 */
export function liveSandboxes(root: number): number[] {
  return liveDescendants(root).filter((pid) => {
    try {
      const [command, ...args] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return command.endsWith("deno") && args[0] === "run" &&
        args.some((arg) => /(^|\/)sandbox(-[0-9a-f]{16})?\.js$/.test(arg) || /^\/sandbox\/|\/fixtures\//.test(arg));
    } catch {
      return false; // it exited while we looked
    }
  });
}
