/**
 * The host's process tree as /proc shows it (Linux only): which descendants are alive and idle (so a sample never
 * starts while a previous one's sandboxes are still booting or exiting), and the CPU time the whole tree used.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/** The kernel's clock tick: /proc reports CPU time in 1/100 s on every Linux this runs on. */
const TICK_MS = 10;

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Main thread state: R, S, D, Z, ... */
  state: string;
  /** utime + stime of all threads, in clock ticks. */
  cpuTicks: number;
  /** cutime + cstime: CPU of children (and their descendants) this process has reaped, in clock ticks. */
  reapedTicks: number;
}

export function readStat(pid: number): ProcInfo | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      ppid: Number(fields[1]),
      state: fields[0],
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      reapedTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined; // exited between readdir and read
  }
}

/** Every descendant of `root`, zombies included (`alive` filters them out). */
function tree(root: number): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readStat(Number(entry));
    if (info !== undefined) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info]);
  }
  const out: ProcInfo[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      out.push(child);
      stack.push(child.pid);
    }
  }
  return out;
}

const alive = (p: ProcInfo) => p.state !== "Z" && p.state !== "X";

/** Live (not zombie) descendants of `root`. */
export function descendants(root: number = process.pid): ProcInfo[] {
  return tree(root).filter(alive);
}

/** CPU time the host process itself has used so far, in ms. */
export function hostCpuMs(root: number = process.pid): number {
  return (readStat(root)?.cpuTicks ?? 0) * TICK_MS;
}

/**
 * CPU time, in ms, of every process `root` ever started: what it has reaped (exited sandboxes, and through bwrap
 * their own children), plus each descendant still in the tree: its own time and what it reaped in turn. A process
 * reaped between two readings moves from the second sum into its parent's reaped time, so it is counted once.
 */
export function childrenCpuMs(root: number = process.pid): number {
  const reaped = readStat(root)?.reapedTicks ?? 0;
  return tree(root).reduce((sum, p) => sum + p.cpuTicks + p.reapedTicks, reaped) * TICK_MS;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the host has at least `minChildren` live descendants and all of them are idle: sleeping, with no
 * CPU time added, over three polls in a row. Returns false on timeout (the sample goes ahead; the caller counts it).
 */
export async function waitQuiet(minChildren = 0, timeoutMs = 3000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let calm = 0;
  let lastTicks = -1;
  while (performance.now() < deadline) {
    const kids = descendants();
    const ticks = kids.reduce((sum, p) => sum + p.cpuTicks, 0);
    const idle = kids.length >= minChildren && kids.every((p) => p.state === "S") && ticks === lastTicks;
    calm = idle ? calm + 1 : 0;
    if (calm >= 3) return true;
    lastTicks = ticks;
    await sleep(4);
  }
  if (process.env.BENCH_DEBUG) {
    const kids = descendants().map((p) => `${p.pid}:${p.state}:${p.cpuTicks}`).join(" ");
    console.error(`waitQuiet(${minChildren}) timed out: ${kids}`);
  }
  return false;
}
