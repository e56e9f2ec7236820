/**
 * codecell's benchmark against the peers a user would pick instead, side by side in one run, plus
 * sandbox-level figures (a bare link, no session) and session-level figures.
 *
 *   npm run bench                       everything (~6 min on 2 cores)
 *   npm run bench -- --quick            fewer iterations, under 2 minutes
 *   npm run bench -- --only warm_exec,tool_call --peers codecell,isolated-vm
 *
 * Scenarios: raw_link, cold_exec, warm_exec, tool_call, burst, memory. Peers: one file each in bench/peers/
 * (the `Peer` interface of adapter.ts); their npm packages are installed into bench/peers/node_modules on first run.
 * Writes bench/results/latest.{json,md} and latency.svg and prints the tables and the target ratios.
 *
 * Method: every sample is timed with `performance.now()` around one call of the peer's public API and counts only
 * if the cell's output ("bench") came back. Warm-up samples are discarded. Peers are interleaved: each round runs
 * every peer once, in an order rotated every round, so drift and noise from other load spread over all of them.
 * Before each sample the harness waits, untimed, until every child process is idle and codecell's pool is full.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Gate, makeTools, type Peer, type PeerFactory } from "./adapter.ts";
import { ensurePeersInstalled } from "./install.ts";
import { measureLink } from "./link.ts";
import { type RssReading, waitQuiet } from "./memory.ts";
import {
  compactTable,
  computeTargets,
  markdown,
  type PeerInfo,
  type Report,
  type Row,
  targetsTable,
} from "./report.ts";
import { summarize } from "./stats.ts";
import { latencyChart } from "./svg.ts";
import { denoBinaryPath } from "../ts/transport/deno_binary.ts";

// isolated-vm on Node ≥ 20 needs the startup snapshot off; re-run this script with the flag rather than asking users.
if (!process.execArgv.includes("--no-node-snapshot")) {
  const args = ["--no-node-snapshot", ...process.execArgv, ...process.argv.slice(1)];
  const child = spawnSync(process.execPath, args, { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const began = performance.now();
const SCENARIOS = ["raw_link", "cold_exec", "warm_exec", "tool_call", "burst", "memory"] as const;
type Scenario = typeof SCENARIOS[number];
const TOOL_COUNTS = [0, 32, 128];
/** tool_call and memory need the tool a cell calls, so their smallest set is one tool. */
const CALL_TOOL_COUNTS = [1, 32, 128];
const BURST_CELLS = 32;
const CALLS = 100;

/** [iterations, discarded warm-ups] per scenario; memory: [child runs, readings per state]. */
const PLANS = {
  full: {
    raw_link: [40, 3],
    cold_exec: [40, 3],
    warm_exec: [100, 5],
    tool_call: [30, 2],
    burst: [12, 1],
    memory: [2, 5],
  },
  quick: {
    raw_link: [10, 1],
    cold_exec: [10, 1],
    warm_exec: [30, 3],
    tool_call: [8, 1],
    burst: [2, 1],
    memory: [1, 3],
  },
} satisfies Record<string, Record<Scenario, [number, number]>>;

const BENCH_DIR = fileURLToPath(new URL("./", import.meta.url));
const RESULTS_DIR = `${BENCH_DIR}results/`;

function parseArgs(argv: string[]): { quick: boolean; only: Set<Scenario>; peers: string[] | undefined } {
  let quick = false;
  let only = new Set<Scenario>(SCENARIOS);
  let peers: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => (arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i] ?? "").split(",");
    if (arg === "--quick") quick = true;
    else if (arg.startsWith("--only")) {
      const names = value();
      const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.join(", ")}`);
      only = new Set(names as Scenario[]);
    } else if (arg.startsWith("--peers")) peers = value();
    else throw new Error(`unknown argument ${arg}; use --quick, --only <scenario,...>, --peers <peer,...>`);
  }
  return { quick, only, peers };
}

const log = (line: string) =>
  console.error(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A peer file that loaded: its factory makes one instance per tool count. */
interface Loaded {
  file: string;
  factory: PeerFactory;
  name: string;
  hasTools: boolean;
  canCallTools: boolean;
}

/** Loads every bench/peers/*.ts; one that fails to load (package missing) is listed as skipped. */
async function loadPeers(filter: string[] | undefined, installNote: string | undefined) {
  const files = readdirSync(`${BENCH_DIR}peers`).filter((f) => f.endsWith(".ts")).sort((a, b) =>
    a === "codecell.ts" ? -1 : b === "codecell.ts" ? 1 : a.localeCompare(b)
  );
  const loaded: Loaded[] = [];
  const infos: PeerInfo[] = [];
  for (const file of files) {
    const stem = file.slice(0, -3);
    try {
      const path = `${BENCH_DIR}peers/${file}`;
      const factory = (await import(pathToFileURL(path).href)).default as PeerFactory;
      const peer = await factory();
      if (filter !== undefined && !filter.includes(peer.name) && !filter.includes(stem)) continue;
      loaded.push({
        file: path,
        factory,
        name: peer.name,
        hasTools: peer.hasTools,
        canCallTools: peer.toolCalls !== undefined,
      });
      infos.push({ name: peer.name, version: peer.version, note: peer.note });
    } catch (error) {
      if (filter !== undefined && !filter.includes(stem)) continue;
      const reason = installNote ?? messageOf(error);
      infos.push({ name: stem, version: "", note: "", skipped: reason });
      log(`peer ${stem} skipped: ${reason}`);
    }
  }
  return { loaded, infos };
}

const { quick, only, peers: peerFilter } = parseArgs(process.argv.slice(2));
const plan = PLANS[quick ? "quick" : "full"];
const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const installNote = ensurePeersInstalled(log);
const { loaded, infos } = await loadPeers(peerFilter, installNote);
const rows: Row[] = [];
const problems: string[] = [];
let unsettled = 0;
const gate = new Gate();

/** One peer instance set up with one tool count (null: the peer has no tools). */
interface Subject {
  peer: Peer;
  tools: number | null;
}

/** An instance of every wanted peer for every tool count (a toolless peer once), set up. */
async function setUp(counts: readonly number[], want: (l: Loaded) => boolean): Promise<Subject[]> {
  const subjects: Subject[] = [];
  for (const tools of counts) {
    for (const l of loaded) {
      if (!want(l) || (!l.hasTools && tools !== counts[0])) continue;
      const peer = await l.factory();
      await peer.setup(makeTools(tools, gate), gate);
      subjects.push({ peer, tools: l.hasTools ? tools : null });
    }
  }
  return subjects;
}

async function tearDown(subjects: readonly Subject[]): Promise<void> {
  for (const { peer } of subjects) await peer.teardown();
}

/** Untimed: the previous sample's processes are gone or idle, and the subjects' idle processes are up. */
async function quiet(subjects: readonly Subject[]): Promise<void> {
  if (!(await waitQuiet(subjects.reduce((sum, s) => sum + s.peer.idleProcesses(), 0)))) unsettled++;
}

type Sampler = (peer: Peer, round: number, running: readonly Subject[]) => Promise<Record<string, number>>;

/**
 * `iterations` rounds (after `warmups` discarded ones), each running every subject (peer × tool count) once in
 * an order rotated every round, so slow drift and other load spread evenly over peers and tool counts.
 */
async function interleaved(
  scenario: string,
  subjects: readonly Subject[],
  [iterations, warmups]: readonly number[],
  sample: Sampler,
): Promise<Map<Subject, Record<string, number[]>>> {
  const out = new Map<Subject, Record<string, number[]>>(subjects.map((s) => [s, {}]));
  let running = [...subjects];
  for (let round = -warmups; round < iterations; round++) {
    const shift = ((round % running.length) + running.length) % running.length;
    for (const subject of [...running.slice(shift), ...running.slice(0, shift)]) {
      await quiet(running);
      try {
        const values = await sample(subject.peer, round, running);
        if (round < 0) continue;
        const into = out.get(subject)!;
        for (const [key, value] of Object.entries(values)) (into[key] ??= []).push(value);
      } catch (error) {
        const who = `${subject.peer.name} (${subject.tools ?? 0} tools)`;
        problems.push(`${scenario}: ${who} dropped after an error: ${messageOf(error)}`);
        log(`  ${who} failed: ${messageOf(error)}`);
        running = running.filter((s) => s !== subject);
        out.delete(subject);
      }
    }
  }
  return out;
}

function addRows(
  scenario: string,
  metric: string,
  results: Map<Subject, Record<string, number[]>>,
  key: string,
  detail?: (values: Record<string, number[]>) => Record<string, number>,
): void {
  for (const [subject, values] of results) {
    rows.push({
      scenario,
      peer: subject.peer.name,
      tools: subject.tools,
      metric,
      unit: "ms",
      stat: summarize(values[key] ?? []),
      ...(detail ? { detail: detail(values) } : {}),
    });
  }
}

// ---------------------------------------------------------------------------------------------------- raw_link

if (only.has("raw_link") && loaded.some((l) => l.name === "codecell")) {
  log("raw_link: spawn() call, spawn→hello, warm round trip, tool-call round trip, pipe ping-pong");
  const [iterations, warmups] = plan.raw_link;
  const link = await measureLink(iterations, warmups);
  const base = { scenario: "raw_link", peer: "codecell", tools: null, unit: "ms" } as const;
  rows.push({ ...base, metric: "spawn() call", stat: summarize(link.spawnCall) });
  rows.push({ ...base, metric: "spawn→hello", stat: summarize(link.spawnToHello) });
  rows.push({ ...base, metric: "warm round trip", stat: summarize(link.warmRoundTrip) });
  rows.push({ ...base, metric: "warm round trip, idle 200 ms", stat: summarize(link.idleRoundTrip) });
  rows.push({ ...base, metric: "tool round trip", stat: summarize(link.toolRoundTrip) });
  rows.push({ ...base, metric: "pipe ping-pong (floor)", stat: summarize(link.pingPong) });
}

// --------------------------------------------------------------------------------- cold_exec, warm_exec, burst

if (only.has("cold_exec") || only.has("warm_exec") || only.has("burst")) {
  const subjects = await setUp(TOOL_COUNTS, () => true);
  try {
    if (only.has("cold_exec")) {
      log(`cold_exec: ${subjects.length} peer × tool-count subjects`);
      const results = await interleaved("cold_exec", subjects, plan.cold_exec, async (p) => ({ ms: await p.cold() }));
      addRows("cold_exec", "latency", results, "ms");
    }
    if (only.has("warm_exec")) {
      log(`warm_exec: ${subjects.length} subjects`);
      const results = await interleaved("warm_exec", subjects, plan.warm_exec, async (p) => ({ ms: await p.warm() }));
      addRows("warm_exec", "latency", results, "ms");
    }
    if (only.has("burst")) {
      log(`burst of ${BURST_CELLS}: ${subjects.length} subjects`);
      const results = await interleaved(
        "burst",
        subjects,
        plan.burst,
        async (p) => ({ ms: await p.burst(BURST_CELLS) }),
      );
      addRows("burst", `${BURST_CELLS} cells`, results, "ms");
    }
  } finally {
    await tearDown(subjects);
  }
}

// --------------------------------------------------------------------------------------------------- tool_call

if (only.has("tool_call")) {
  const subjects = await setUp(CALL_TOOL_COUNTS, (l) => l.canCallTools);
  log(`tool_call: ${subjects.length} subjects`);
  try {
    // Per-call overhead = (cell with 100 calls − same cell with 0 calls) / 100, both measured in the same round
    // (in alternating order), each after the harness waited for the machine to be idle again.
    const results = await interleaved("tool_call", subjects, plan.tool_call, async (peer, round, running) => {
      const order = round % 2 === 0 ? [CALLS, 0] : [0, CALLS];
      const ms: Record<number, number> = {};
      for (const calls of order) {
        if (calls !== order[0]) await quiet(running);
        ms[calls] = await peer.toolCalls!(calls);
      }
      return { perCall: (ms[CALLS] - ms[0]) / CALLS, withCalls: ms[CALLS], without: ms[0] };
    });
    addRows("tool_call", "per call", results, "perCall", (v) => ({
      [`cell with ${CALLS} calls (median ms)`]: summarize(v.withCalls).median,
      "cell with 0 calls (median ms)": summarize(v.without).median,
    }));
  } finally {
    await tearDown(subjects);
  }
}

// ------------------------------------------------------------------------------------------------------ memory

/** Runs bench/memory_child.ts for one peer and tool count; returns its readings per state. */
function memoryChild(file: string, tools: number, samples: number): Promise<Record<string, RssReading[]>> {
  const args = [...process.execArgv, `${BENCH_DIR}memory_child.ts`, file, String(tools), String(samples)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(last) as Record<string, RssReading[]>);
      } catch (error) {
        reject(new Error(`memory child for ${file}: ${messageOf(error)}: ${last.slice(0, 200)}`));
      }
    });
  });
}

if (only.has("memory")) {
  const [runs, samples] = plan.memory;
  const states = [["idle", "idle"], ["one", "1 running cell"], ["many", `${BURST_CELLS} running cells`]] as const;
  for (const peer of loaded) {
    // --quick measures memory with one tool only (a fresh host per figure is what makes this scenario slow).
    for (const tools of !peer.hasTools ? [0] : quick ? [1] : CALL_TOOL_COUNTS) {
      log(`memory: ${peer.name}, ${tools} tools`);
      const readings: Record<string, RssReading[]> = { idle: [], one: [], many: [] };
      try {
        for (let run = 0; run < runs; run++) {
          const result = await memoryChild(peer.file, tools, samples);
          for (const [key] of states) readings[key].push(...result[key]);
        }
      } catch (error) {
        problems.push(`memory: ${peer.name}: ${messageOf(error)}`);
        continue;
      }
      for (const [key, metric] of states) {
        const r = readings[key];
        const median = (pick: (x: RssReading) => number) => summarize(r.map(pick)).median;
        rows.push({
          scenario: "memory",
          peer: peer.name,
          tools: peer.hasTools ? tools : null,
          metric,
          unit: "MiB",
          stat: summarize(r.map((x) => x.total)),
          detail: {
            "host VmRSS": median((x) => x.host),
            "children VmRSS": median((x) => x.children),
            "PSS total": median((x) => x.pss),
            processes: median((x) => x.processes),
          },
        });
      }
    }
  }
}

// ----------------------------------------------------------------------------------------------------- output

function packageVersion(path: string): string {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

const cpus = os.cpus();
const report: Report = {
  date: new Date().toISOString(),
  mode: quick ? "quick" : "full",
  args: process.argv.slice(2),
  durationS: Math.round((performance.now() - began) / 1000),
  machine: {
    cpu: cpus[0]?.model ?? "?",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    loadBefore,
    loadAfter: os.loadavg().map((x) => x.toFixed(2)).join(" "),
  },
  versions: {
    node: process.version,
    deno: spawnSync(denoBinaryPath(), ["--version"], { encoding: "utf8" }).stdout.split("\n")[0].replace("deno ", ""),
    tsx: packageVersion(`${BENCH_DIR}../node_modules/tsx/package.json`),
    ...Object.fromEntries(
      infos.filter((p) => p.skipped === undefined && p.name !== "deno run").map((p) => [p.name, p.version]),
    ),
  },
  peers: infos,
  method: [
    "Each sample is one call of the peer's API timed with `performance.now()` in the host (Node), counted only if the cell's output `bench` came back; the cell is `text(\"bench\")` unless stated.",
    `Iterations (after discarded warm-ups): raw_link ${plan.raw_link[0]} (+${plan.raw_link[1]}), cold_exec ${
      plan.cold_exec[0]
    } (+${plan.cold_exec[1]}), warm_exec ${plan.warm_exec[0]} (+${plan.warm_exec[1]}), tool_call ${
      plan.tool_call[0]
    } pairs (+${plan.tool_call[1]}), burst ${plan.burst[0]} (+${plan.burst[1]}); memory: ${
      plan.memory[0]
    } fresh host process(es) per peer and tool count, ${plan.memory[1]} readings per state${
      quick ? ", 1 tool only" : ""
    }.`,
    "Peers are interleaved: every round runs each peer once, in an order rotated each round. Before each sample the harness waits (untimed) until all child processes are idle and codecell's pool of 2 is full again, as a model loop (cells seconds apart) finds it" +
    (unsettled > 0 ? `; ${unsettled} sample(s) went ahead after a 3 s wait without the machine settling.` : "."),
    "cold_exec: codecell = a new session with no pool and its first `execTool`; deno run = spawn to exit; quickjs = a new runtime + context; isolated-vm and node:vm = the same per-cell operation as warm (a fresh isolate/context is their isolation unit; the library is loaded once per host).",
    "warm_exec: codecell = `execTool` on a session whose pool of 2 sandboxes is warm; other peers as their notes say.",
    `tool_call: per-call overhead = (cell making ${CALLS} sequential awaited \`tools.tool_0({ i })\` calls − the same loop with 0 calls) / ${CALLS}, per round, host-side; includes argument validation in codecell (the in-process peers validate nothing). raw_link's tool round trip is measured directly between consecutive tool/call frames.`,
    `burst: ${BURST_CELLS} cells started at once (Promise.all), until all completed; codecell's pool of 2 serves two, the rest start a sandbox each.`,
    `memory: VmRSS of the host process plus all its descendants, in a fresh Node host per peer (tsx loaded, only that peer); idle (codecell: pool of 2 warm sandboxes), 1 and ${BURST_CELLS} cells running (each waiting on a tool call the harness holds; codecell keeps refilling its pool meanwhile). VmRSS counts shared pages once per process; PSS is in the JSON.`,
    "raw_link: a bare SandboxLink, no session: the synchronous spawn() call, spawn → hello, a warm sandbox's start → text → done (sent at once, and after 200 ms idle), the interval between consecutive tool/call frames with the host answering at once, and a plain Node ↔ Deno echo over pipes (the floor under any tool call).",
    "Tools: tool_<k> with a two-sentence description and a 4-property JSON Schema each (a realistic size); cells call tool_0. deno run has no tool channel, so it has no tool counts and no tool_call.",
  ],
  rows,
  targets: computeTargets(rows),
  problems,
};

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const md = markdown(report);
writeAtomically(`${RESULTS_DIR}latest.json`, JSON.stringify(report, null, 2) + "\n");
writeAtomically(`${RESULTS_DIR}latest.md`, md);
const chartPeers = infos.filter((p) => p.skipped === undefined).map((p) => {
  const pick = (scenario: string) =>
    rows.find((r) => r.scenario === scenario && r.peer === p.name && (r.tools === 0 || r.tools === null))?.stat;
  return { name: p.name, warm: pick("warm_exec"), cold: pick("cold_exec") };
}).filter((p) => p.warm !== undefined || p.cold !== undefined);
if (chartPeers.length > 0) {
  const m = report.machine;
  const subtitle = `${report.mode} run ${
    report.date.slice(0, 10)
  }, ${m.cpu} × ${m.cores} cores, Node ${process.version}; 0 tools`;
  const footnote = "node:vm is a baseline, not a security boundary; deno run starts a process per cell (warm = cold).";
  writeAtomically(`${RESULTS_DIR}latency.svg`, latencyChart(chartPeers, subtitle, footnote));
}

console.log(compactTable(report));
console.log("");
console.log(targetsTable(report.targets));
if (problems.length > 0) console.log(`\nproblems:\n${problems.map((p) => `- ${p}`).join("\n")}`);
console.log(`\n${report.mode} run: ${report.durationS} s; wrote bench/results/latest.json, latest.md, latency.svg`);
process.exit(0);
