/**
 * One peer's `memory` figures, in a Node process of its own so no other peer's library or heap is counted:
 * `node [--no-node-snapshot] --import tsx bench/memory_child.ts <peer file> <tool count> <samples>`.
 * Prints one JSON line: VmRSS/PSS readings of this process and its descendants for the idle peer (codecell: its
 * pool of 2 warm sandboxes), one running cell, and 32 running cells (cells wait on a tool call held by the gate).
 *
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { Gate, makeTools, type PeerFactory } from "./adapter.ts";
import { readRss, type RssReading, waitQuiet } from "./memory.ts";

const MANY_CELLS = 32;
const SETTLE_MS = 300;

const [file, toolCount, sampleCount] = process.argv.slice(2);
const factory = (await import(pathToFileURL(file).href)).default as PeerFactory;
const peer = await factory();
const gate = new Gate();
await peer.setup(makeTools(Number(toolCount), gate), gate);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Readings once the state is steady: codecell refills its pool 100 ms into a long cell, so wait past that. */
async function readings(): Promise<RssReading[]> {
  await sleep(SETTLE_MS);
  await waitQuiet(peer.idleProcesses());
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

const idle = await readings();
const one = await held(1);
const many = await held(MANY_CELLS);
await peer.teardown();
console.log(JSON.stringify({ idle, one, many }));
process.exit(0);
