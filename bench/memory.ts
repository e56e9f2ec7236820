/**
 * Reading the host's process tree from /proc (Linux only): RSS for the `memory` scenario, and "is every child
 * idle?" so a sample never starts while a previous one's sandboxes are still booting or exiting.
 *
 * VmRSS counts pages shared between processes (the Deno binary, its snapshot) once per process, so a sum over
 * many sandboxes overstates their cost; PSS splits shared pages among their users and is reported beside it.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

interface ProcInfo {
  pid: number;
  ppid: number;
  /** Main thread state: R, S, D, Z, ... */
  state: string;
  /** utime + stime of all threads, in clock ticks. */
  cpuTicks: number;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(fields[1]), state: fields[0], cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // exited between readdir and read
  }
}

/** Live (not zombie) descendants of `root`. */
export function descendants(root: number = process.pid): ProcInfo[] {
  const all: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readStat(Number(entry));
    if (info !== undefined) all.push(info);
  }
  const children = new Map<number, ProcInfo[]>();
  for (const info of all) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info]);
  const out: ProcInfo[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      if (child.state !== "Z" && child.state !== "X") out.push(child);
      stack.push(child.pid);
    }
  }
  return out;
}

/** A `kB` field of /proc/<pid>/status or smaps_rollup, in MiB (0 if the process is gone). */
function kbField(path: string, field: string): number {
  try {
    const match = readFileSync(path, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export interface RssReading {
  /** VmRSS of the host process, MiB. */
  host: number;
  /** Sum of VmRSS over the host's descendants, MiB. */
  children: number;
  /** host + children. */
  total: number;
  /** Sum of PSS over host and descendants, MiB. */
  pss: number;
  processes: number;
}

export function readRss(root: number = process.pid): RssReading {
  const kids = descendants(root);
  const host = kbField(`/proc/${root}/status`, "VmRSS");
  const children = kids.reduce((sum, p) => sum + kbField(`/proc/${p.pid}/status`, "VmRSS"), 0);
  const pss = [root, ...kids.map((p) => p.pid)].reduce((s, pid) => s + kbField(`/proc/${pid}/smaps_rollup`, "Pss"), 0);
  return { host, children, total: host + children, pss, processes: kids.length };
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
