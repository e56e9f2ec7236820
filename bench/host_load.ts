/**
 * What a series of warm cells costs the machine and the host, beyond their latency: CPU time of the host and of
 * every process it started (sandboxes included, live or exited, from /proc), and how long the host's event loop
 * was busy (`performance.eventLoopUtilization`) or stalled at a stretch (`monitorEventLoopDelay`).
 *
 * @module
 */
import { monitorEventLoopDelay, performance as perf } from "node:perf_hooks";
import { childrenCpuMs, hostCpuMs } from "./proc.ts";

export interface HostLoad {
  /** CPU ms per cell: host process, and its descendants. */
  hostCpuMs: number;
  childCpuMs: number;
  /** ms per cell the host's event loop spent running (not waiting in the poll phase). */
  loopBusyMs: number;
  /** The longest and the 99th-percentile delay of a timer over the series, ms: the longest single stall. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The delay monitor's timer period, ms. Each tick wakes the host, which costs CPU and loop time of its own: at
 * 1 ms that was about 2 ms per 100 ms gap on this machine, as much as a cell. A stall of a few ms still shows.
 */
const DELAY_RESOLUTION_MS = 5;

/**
 * Runs `cell` `count` times, `gapMs` apart, and reads the load `tailMs` after the last one, so background work a
 * cell causes (a pool refill, a sandbox exiting and preparing its next context) is counted with it. The gaps
 * sleep: the harness polls nothing meanwhile, so its own CPU is only the timers'.
 */
export async function measureHostLoad(
  cell: () => Promise<unknown>,
  count: number,
  gapMs: number,
  tailMs: number,
): Promise<HostLoad> {
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  // Scanning /proc takes the host milliseconds: read the host's own time after the scan before, and before it after.
  const childrenBefore = childrenCpuMs();
  const hostBefore = hostCpuMs();
  const loopBefore = perf.eventLoopUtilization();
  delay.enable();
  for (let i = 0; i < count; i++) {
    await cell();
    await sleep(i === count - 1 ? tailMs : gapMs);
  }
  delay.disable();
  const loop = perf.eventLoopUtilization(loopBefore);
  const hostAfter = hostCpuMs();
  const childrenAfter = childrenCpuMs();
  return {
    hostCpuMs: (hostAfter - hostBefore) / count,
    childCpuMs: (childrenAfter - childrenBefore) / count,
    loopBusyMs: loop.active / count,
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
  };
}
