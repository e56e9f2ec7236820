/**
 * One peer's `memory` figures, in a Node process of its own so no other peer's library or heap is counted:
 * `node [--no-node-snapshot] --import tsx bench/memory_child.ts <peer file> <tool count> <samples>`.
 * Prints one JSON line: VmRSS/PSS readings of this process and its descendants for the idle peer (codecell: one
 * session that ran a cell, and the host's pool of 2 warm sandboxes), one running cell, 32 running cells (cells
 * wait on a tool call held by the gate), and, for a peer with sessions, 16 more idle sessions that ran a cell each.
 *
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { Gate, makeTools, type PeerFactory } from "./adapter.ts";
import { MORE_SESSIONS, readRss, type RssReading } from "./memory.ts";
import { waitQuiet } from "./proc.ts";

const MANY_CELLS = 32;
const SETTLE_MS = 300;

const [file, toolCount, sampleCount] = process.argv.slice(2);
const factory = (await import(pathToFileURL(file).href)).default as PeerFactory;
const peer = await factory();
const gate = new Gate();
await peer.setup(makeTools(Number(toolCount), gate), gate);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Readings once the state is steady: codecell refills its pool 100 ms into a long cell, so wait past that. */
async function readings(extraProcesses = 0): Promise<RssReading[]> {
  await sleep(SETTLE_MS);
  await waitQuiet(peer.idleProcesses() + (peer.sharedPool ?? 0) + extraProcesses);
  const out: RssReading[] = [];
  for (let i = 0; i < Number(sampleCount); i++) {
    out.push(readRss());
    await sleep(20);
  }
  return out;
}

async function held(cells: number): Promise<RssReading[]> {
  gate.close();
  const finish = await peer.hold(cells);
  const out = await readings();
  await finish();
  return out;
}

/** Readings with MORE_SESSIONS more sessions open, each idle after one cell. */
async function moreSessions(): Promise<RssReading[]> {
  if (peer.openSessions === undefined) return [];
  // Each new session's first cell takes a sandbox from the pool: let it refill before the next, or the pool would
  // count a miss and grow for a while (docs/architecture.md "The warm pool"), which is not a session's cost.
  const base = peer.idleProcesses() + (peer.sharedPool ?? 0);
  let opened = 0;
  const group = await peer.openSessions(MORE_SESSIONS, () => waitQuiet(base + ++opened * peer.idleProcesses()));
  const out = await readings(MORE_SESSIONS * peer.idleProcesses());
  await group.close();
  return out;
}

// Sessions first: held cells start sandboxes of their own, and the pool then grows for a while.
const idle = await readings();
const sessions = await moreSessions();
const one = await held(1);
const many = await held(MANY_CELLS);
await peer.teardown();
console.log(JSON.stringify({ idle, one, many, sessions }));
process.exit(0);
