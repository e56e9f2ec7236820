/**
 * Memory of the host's process tree from /proc (Linux only), for the `memory` scenario.
 *
 * VmRSS counts pages shared between processes (the Deno binary, its snapshot) once per process, so a sum over
 * many sandboxes overstates their cost; PSS splits shared pages among their users and is reported beside it.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { descendants } from "./proc.ts";

/** Idle sessions the memory child opens beyond the first, for the figure per additional idle session. */
export const MORE_SESSIONS = 16;

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
  /** PSS of the host process alone, MiB. */
  hostPss: number;
  /** Pages only one descendant maps (mostly its V8 heap), summed over the descendants, MiB. */
  childrenPrivate: number;
  processes: number;
}

export function readRss(root: number = process.pid): RssReading {
  const kids = descendants(root);
  const host = kbField(`/proc/${root}/status`, "VmRSS");
  const children = kids.reduce((sum, p) => sum + kbField(`/proc/${p.pid}/status`, "VmRSS"), 0);
  const rollup = (pid: number, field: string) => kbField(`/proc/${pid}/smaps_rollup`, field);
  const hostPss = rollup(root, "Pss");
  const pss = kids.reduce((sum, p) => sum + rollup(p.pid, "Pss"), hostPss);
  const childrenPrivate = kids.reduce(
    (sum, p) => sum + rollup(p.pid, "Private_Clean") + rollup(p.pid, "Private_Dirty"),
    0,
  );
  return { host, children, total: host + children, pss, hostPss, childrenPrivate, processes: kids.length };
}
