/**
 * Kernel limits on a sandbox process, beside V8's heap limit and the host's own timers.
 *
 * Memory: V8's heap limit `--max-old-space-size` bounds the JavaScript heap
 * only: `ArrayBuffer` backing stores live outside it, so a cell allocating typed arrays in a loop could take every
 * byte of the machine. On Linux the sandbox is started through `prlimit`, which sets `RLIMIT_DATA` (private
 * writable memory) before it execs Deno: over the cap an allocation fails inside the cell
 * (`RangeError: Array buffer allocation failed`) instead of starving the host and every other cell.
 *
 * CPU: the host stops a cell at its lifetime limit, but a host that is killed cannot, and a sandbox busy in a loop
 * never reads the end of its stdin. `RLIMIT_CPU` ends such an orphan. It counts every thread's time (V8 collects
 * garbage in parallel), so it is set to twice the lifetime plus a minute: never before the host's own limit.
 *
 * @module
 */
import { existsSync } from "node:fs";
import process from "node:process";

/**
 * Private writable memory Deno maps before any cell runs, rounded up: V8 reserves its 512 MiB code range as such
 * memory (a sandbox does not start under ~560 MiB).
 */
const RUNTIME_BASELINE_MIB = 640;

/** The data limit for a sandbox with `heapMiB` of V8 heap: the baseline, the heap, and as much again for buffers. */
export function dataLimitBytes(heapMiB: number): number {
  return (RUNTIME_BASELINE_MIB + 2 * heapMiB) * 1024 * 1024;
}

const PRLIMIT_PATHS = ["/usr/bin/prlimit", "/bin/prlimit"];
let prlimit: string | null | undefined;

/** `prlimit`'s path on Linux, or `null` where there is none (the heap limit then stands alone). */
function prlimitPath(): string | null {
  if (prlimit === undefined) {
    prlimit = process.platform === "linux" ? PRLIMIT_PATHS.find((path) => existsSync(path)) ?? null : null;
  }
  return prlimit;
}

/** The CPU-time limit, in seconds, for a sandbox whose cell may live `lifetimeMs`. */
export function cpuLimitSeconds(lifetimeMs: number): number {
  return Math.ceil((2 * lifetimeMs) / 1000) + 60;
}

/** The command that starts `command args` under the caps, where the platform allows them. */
export function withResourceCaps(
  command: string,
  args: string[],
  limits: { heapMiB: number; lifetimeMs?: number },
): { command: string; args: string[] } {
  const tool = prlimitPath();
  if (tool === null) return { command, args };
  const caps = [`--data=${dataLimitBytes(limits.heapMiB)}`];
  if (limits.lifetimeMs !== undefined) caps.push(`--cpu=${cpuLimitSeconds(limits.lifetimeMs)}`);
  // prlimit execs the command: the limits hold for everything it starts, and cannot be raised from inside.
  return { command: tool, args: [...caps, "--", command, ...args] };
}
