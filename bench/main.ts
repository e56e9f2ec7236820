/**
 * codecell's benchmark against the peers a user would pick instead, side by side in one run, plus
 * sandbox-level figures (a bare link, no session) and session-level figures. codecell runs as two peers, one per
 * isolation mode: `codecell` (a fresh context per cell in the session's sandbox, the default) and
 * `codecell (process)` (a process per cell).
 *
 *   npm run bench                       everything (about 10 min on 2 busy cores)
 *   npm run bench -- --quick            fewer iterations, about 5 minutes
 *   npm run bench -- --only warm_exec,tool_call --peers codecell,isolated-vm
 *
 * Scenarios: see SCENARIOS. Peers: one file each in bench/peers/ (the `Peer` interface of adapter.ts); their npm
 * packages are installed into bench/peers/node_modules on first run. Writes bench/results/latest.{json,md} and
 * latency.svg and prints the tables and the targets (README "Performance"), each computed from this run.
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
import { bigResultCell, Gate, makeTools, type Peer, type PeerFactory, type SessionGroup } from "./adapter.ts";
import { ensurePeersInstalled } from "./install.ts";
import { BIG_RESULT_BYTES, measureLink } from "./link.ts";
import { measureColdHost } from "./cold_host.ts";
import { type HostLoad, measureHostLoad } from "./host_load.ts";
import { MORE_SESSIONS, type RssReading } from "./memory.ts";
import { waitQuiet } from "./proc.ts";
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
const SCENARIOS = [
  "raw_link",
  "cold_exec",
  "cold_host",
  "warm_exec",
  "host_load",
  "tool_call",
  "big_result",
  "burst",
  "sessions",
  "memory",
] as const;
type Scenario = typeof SCENARIOS[number];
/** Tool counts: none, and a large set (what registering many tools costs). */
const TOOL_COUNTS = [0, 128];
/** tool_call needs the tool a cell calls, so its smallest set is one tool. */
const CALL_TOOL_COUNTS = [1, 128];
const BURST_CELLS = 32;
const CALLS = 100;
/** host_load: warm cells per sample, the pause between them, and the wait after the last before reading CPU. */
const LOAD_CELLS = { full: 20, quick: 10 };
const LOAD_GAP_MS = 100;
const LOAD_TAIL_MS = 500;

/**
 * [iterations, discarded warm-ups] per scenario (raw_link: sandboxes spawned, each running 10 warm cells, an idle
 * one and a tool-call cell; host_load: samples of LOAD_CELLS cells); memory: [child runs, readings per state].
 * Sized so a full run stays near 10 minutes on 2 cores shared with other work: every sample waits for the machine
 * to be quiet, and sandbox boots take hundreds of ms under load.
 */
const PLANS = {
  full: {
    raw_link: [6, 1],
    cold_exec: [10, 1],
    cold_host: [5, 1],
    warm_exec: [30, 3],
    host_load: [3, 0],
    tool_call: [10, 1],
    big_result: [2, 1],
    burst: [3, 1],
    sessions: [4, 1],
    memory: [1, 5],
  },
  quick: {
    raw_link: [2, 1],
    cold_exec: [4, 1],
    cold_host: [2, 1],
    warm_exec: [15, 2],
    host_load: [1, 0],
    tool_call: [4, 1],
    big_result: [1, 1],
    burst: [1, 1],
    sessions: [1, 1],
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
// The 1-minute load average every 30 s: on a shared machine it says how much of a figure is other people's work.
const loadSeen: number[] = [os.loadavg()[0]];
setInterval(() => loadSeen.push(os.loadavg()[0]), 30_000).unref();
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

/** Idle sandboxes of session groups the running scenario holds open (the `sessions` scenario). */
let groupProcesses = 0;

/**
 * Untimed: the previous sample's processes are gone or idle, and the subjects' idle processes are up (their own,
 * the host's shared pool once, and those of open session groups).
 */
async function quiet(subjects: readonly Subject[]): Promise<void> {
  const own = subjects.reduce((sum, s) => sum + s.peer.idleProcesses(), 0);
  const pool = Math.max(0, ...subjects.map((s) => s.peer.sharedPool ?? 0));
  if (!(await waitQuiet(own + pool + groupProcesses))) unsettled++;
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
  log("raw_link: spawn, warm cells and tool calls on a bare sandbox; pipe ping-pong");
  const [iterations, warmups] = plan.raw_link;
  const link = await measureLink(iterations, warmups);
  const base = { scenario: "raw_link", peer: "codecell", tools: null, unit: "ms" } as const;
  rows.push({ ...base, metric: "spawn() call", stat: summarize(link.spawnCall) });
  rows.push({ ...base, metric: "spawn → hello", stat: summarize(link.spawnToHello) });
  rows.push({ ...base, metric: 'spawn → hello, osSandbox: "none"', stat: summarize(link.spawnToHelloNoOsLayer) });
  rows.push({ ...base, metric: "spawn → warm", stat: summarize(link.spawnToWarm) });
  rows.push({ ...base, metric: "warm cell, start → done", stat: summarize(link.warmCell) });
  rows.push({ ...base, metric: "warm cell, start → ready", stat: summarize(link.warmCellToReady) });
  rows.push({ ...base, metric: "warm cell after 200 ms idle, start → done", stat: summarize(link.idleCell) });
  rows.push({ ...base, metric: "tool round trip", stat: summarize(link.toolRoundTrip) });
  rows.push({ ...base, metric: "30 MiB tool result, start → done", stat: summarize(link.bigResult) });
  rows.push({ ...base, metric: "pipe ping-pong (floor)", stat: summarize(link.pingPong) });
  rows.push({ ...base, metric: "pipe, 30 MiB line to a bare reader (floor)", stat: summarize(link.pipeBulk) });
}

// --------------------------------------------------------------------------------------------------- cold_host

if (only.has("cold_host") && loaded.some((l) => l.name === "codecell")) {
  log("cold_host: a default session's first cell in a fresh host, against `deno run` of a one-line file");
  const [iterations, warmups] = plan.cold_host;
  const cold = await measureColdHost(iterations, warmups);
  rows.push({
    scenario: "cold_host",
    peer: "codecell",
    tools: null,
    metric: "first cell of a default session",
    unit: "ms",
    stat: summarize(cold.firstCell),
    detail: {
      "new CodeModeSession() blocks the host": summarize(cold.constructorBlocks).median,
      "import of codecell (not included)": summarize(cold.importCodecell).median,
    },
  });
  rows.push({
    scenario: "cold_host",
    peer: "codecell",
    tools: null,
    metric: 'first cell of a session with osSandbox: "none"',
    unit: "ms",
    stat: summarize(cold.firstCellNoOsLayer),
    detail: { "new CodeModeSession() blocks the host": summarize(cold.constructorBlocksNoOsLayer).median },
  });
  rows.push({
    scenario: "cold_host",
    peer: "deno run",
    tools: null,
    metric: "first cell of a default session",
    unit: "ms",
    stat: summarize(cold.denoOneLiner),
    detail: { "deno run of a one-line JS file, spawn → exit": summarize(cold.denoOneLiner).median },
  });
}

// ------------------------------------------------------------------- cold_exec, warm_exec, host_load, burst

if (only.has("cold_exec") || only.has("warm_exec") || only.has("host_load") || only.has("burst")) {
  const subjects = await setUp(TOOL_COUNTS, () => true);
  const toolless = subjects.filter((s) => s.tools === 0 || s.tools === null);
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
    if (only.has("host_load")) {
      const cells = LOAD_CELLS[quick ? "quick" : "full"];
      const measure = (cell: () => Promise<unknown>) => measureHostLoad(cell, cells, LOAD_GAP_MS, LOAD_TAIL_MS);
      // The harness alone (its sleeps and timers, the delay monitor): subtracted from every peer's figures.
      await quiet(toolless);
      const alone = [await measure(() => Promise.resolve()), await measure(() => Promise.resolve())];
      const base = (key: keyof HostLoad) => summarize(alone.map((x) => x[key])).median;
      log(`host_load: ${toolless.length} subjects, ${cells} warm cells ${LOAD_GAP_MS} ms apart per sample`);
      const results = await interleaved("host_load", toolless, plan.host_load, async (p) => {
        const load = await measure(() => p.warm());
        const hostCpuMs = load.hostCpuMs - base("hostCpuMs");
        const childCpuMs = load.childCpuMs - base("childCpuMs");
        return {
          hostCpuMs,
          childCpuMs,
          cpuMs: hostCpuMs + childCpuMs,
          loopBusyMs: load.loopBusyMs - base("loopBusyMs"),
          loopDelayMaxMs: load.loopDelayMaxMs,
          loopDelayP99Ms: load.loopDelayP99Ms,
        };
      });
      const median = (values: number[] | undefined) => summarize(values ?? []).median;
      addRows("host_load", "CPU per warm cell, host + children", results, "cpuMs", (v) => ({
        "host CPU": median(v.hostCpuMs),
        "children CPU": median(v.childCpuMs),
        "harness alone, subtracted: host CPU": base("hostCpuMs"),
        "harness alone, subtracted: children CPU": base("childCpuMs"),
      }));
      addRows("host_load", "host event loop busy per warm cell", results, "loopBusyMs", () => ({
        "harness alone, subtracted": base("loopBusyMs"),
      }));
      addRows("host_load", "host event loop longest stall", results, "loopDelayMaxMs", (v) => ({
        "p99 timer delay": median(v.loopDelayP99Ms),
        "harness alone, longest stall (not subtracted)": base("loopDelayMaxMs"),
      }));
    }
    if (only.has("burst")) {
      // deno run is left out: 32 processes at once cost what codecell (process) shows, at minutes per run here.
      const bursting = toolless.filter((s) => s.peer.name !== "deno run");
      log(`burst of ${BURST_CELLS} cells on one session: ${bursting.length} subjects`);
      const results = await interleaved(
        "burst",
        bursting,
        plan.burst,
        async (p) => ({ ms: await p.burst(BURST_CELLS) }),
      );
      addRows("burst", `${BURST_CELLS} cells, one session`, results, "ms");
    }
  } finally {
    await tearDown(subjects);
  }
}

// ---------------------------------------------------------------------------------------- tool_call, big_result

if (only.has("tool_call") || only.has("big_result")) {
  const subjects = await setUp(CALL_TOOL_COUNTS, (l) => l.canCallTools);
  try {
    if (only.has("tool_call")) {
      log(`tool_call: ${subjects.length} subjects`);
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
    }
    if (only.has("big_result")) {
      const oneTool = subjects.filter((s) => s.tools === 1 && s.peer.cell !== undefined);
      log(`big_result: a ${BIG_RESULT_BYTES >> 20} MiB tool result, ${oneTool.length} subjects`);
      const source = bigResultCell(BIG_RESULT_BYTES);
      const results = await interleaved("big_result", oneTool, plan.big_result, async (p) => ({
        ms: await p.cell!(source),
      }));
      addRows("big_result", `${BIG_RESULT_BYTES >> 20} MiB tool result into the cell`, results, "ms");
    }
  } finally {
    await tearDown(subjects);
  }
}

// ---------------------------------------------------------------------------------------------------- sessions

if (only.has("sessions")) {
  // Peers with sessions (codecell) open 32 that each ran a cell; the others have no session to keep, so their
  // 32 cells at once are 32 fresh isolates / contexts. deno run's burst is in the `burst` scenario.
  const subjects = await setUp([0], (l) => l.name !== "deno run");
  const groups = new Map<Subject, SessionGroup>();
  try {
    for (const subject of subjects) {
      if (subject.peer.openSessions === undefined) continue;
      // After each session's first cell, wait for the pool to be full again (so it does not grow as in a burst).
      const perSession = subject.peer.idleProcesses();
      const settle = () => ((groupProcesses += perSession), quiet(subjects));
      groups.set(subject, await subject.peer.openSessions(BURST_CELLS, settle));
    }
    log(`sessions: ${BURST_CELLS} cells at once across ${BURST_CELLS} warm sessions, ${subjects.length} subjects`);
    const results = await interleaved("sessions", subjects, plan.sessions, async (p) => {
      const group = [...groups].find(([s]) => s.peer === p)?.[1];
      return { ms: await (group !== undefined ? group.burst() : p.burst(BURST_CELLS)) };
    });
    addRows("sessions", `${BURST_CELLS} cells across ${BURST_CELLS} warm sessions`, results, "ms");
  } finally {
    groupProcesses = 0;
    for (const group of groups.values()) await group.close();
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
  // One tool: a fresh host per figure is what makes this scenario slow, and tool count barely moves memory.
  const tools = 1;
  for (const peer of loaded) {
    log(`memory: ${peer.name}`);
    const readings: Record<string, RssReading[]> = { idle: [], one: [], many: [] };
    const perSession: Record<"pss" | "hostPss" | "childrenPrivate", number[]> = {
      pss: [],
      hostPss: [],
      childrenPrivate: [],
    };
    const medianOf = (r: RssReading[], pick: (x: RssReading) => number) => summarize(r.map(pick)).median;
    try {
      for (let run = 0; run < runs; run++) {
        const result = await memoryChild(peer.file, tools, samples);
        for (const [key] of states) readings[key].push(...result[key]);
        if (result.sessions.length === 0) continue;
        for (const key of ["pss", "hostPss", "childrenPrivate"] as const) {
          const grown = medianOf(result.sessions, (x) => x[key]) - medianOf(result.idle, (x) => x[key]);
          perSession[key].push(grown / MORE_SESSIONS);
        }
      }
    } catch (error) {
      problems.push(`memory: ${peer.name}: ${messageOf(error)}`);
      continue;
    }
    const row = { scenario: "memory", peer: peer.name, tools: peer.hasTools ? tools : null, unit: "MiB" } as const;
    for (const [key, metric] of states) {
      const r = readings[key];
      const median = (pick: (x: RssReading) => number) => summarize(r.map(pick)).median;
      rows.push({
        ...row,
        metric: `${metric}, PSS`,
        stat: summarize(r.map((x) => x.pss)),
        detail: {
          "VmRSS total": median((x) => x.total),
          "host PSS": median((x) => x.hostPss),
          "host VmRSS": median((x) => x.host),
          "children VmRSS": median((x) => x.children),
          processes: median((x) => x.processes),
        },
      });
    }
    if (perSession.pss.length > 0) {
      rows.push({
        ...row,
        metric: "PSS per additional idle session",
        stat: summarize(perSession.pss),
        detail: {
          "of it, host PSS": summarize(perSession.hostPss).median,
          "sandbox pages no other process maps": summarize(perSession.childrenPrivate).median,
        },
      });
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
    loadDuring: `1-min load average ${Math.min(...loadSeen).toFixed(1)}–${Math.max(...loadSeen).toFixed(1)}, ` +
      `sampled every 30 s`,
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
    'Each sample is one call of the peer\'s API timed with `performance.now()` in the host (Node), counted only if the cell\'s output `bench` came back; the cell is `text("bench")` unless stated. codecell = `isolation: "context"` (the default: a session\'s cells run one after another in its sandbox, each in a fresh V8 context); codecell (process) = `isolation: "process"` (a sandbox process per cell). Both share the host\'s one warm pool of 2.',
    `Iterations (after discarded warm-ups): ${
      Object.entries(plan).filter(([name]) => name !== "memory").map(([name, [n, w]]) => `${name} ${n} (+${w})`)
        .join(", ")
    }; host_load samples are ${LOAD_CELLS[quick ? "quick" : "full"]} cells each; memory: ${
      plan.memory[0]
    } fresh host process(es) per peer, ${plan.memory[1]} readings per state, 1 tool.`,
    "Peers are interleaved: every round runs each peer once, in an order rotated each round. Before each sample the harness waits (untimed) until all child processes are idle and the host's pool of 2 is full again (plus each context-mode session's own sandbox), as a model loop (cells seconds apart) finds it" +
    (unsettled > 0 ? `; ${unsettled} sample(s) went ahead after a 3 s wait without the machine settling.` : "."),
    "raw_link: a bare sandbox over protocol v2, no session: per round one sandbox is spawned (the synchronous spawn() call; spawn → hello; spawn → warm after `session/setup` and `cell/warmup`), runs 10 cells back to back (`cell/start` → `cell/done`, and → `sandbox/ready`), one after 200 ms idle, and a cell of 100 awaited tool calls (the interval between consecutive tool/call frames, the host answering at once). Then a cell whose one tool call gets a 30 MiB reply (the frame built beforehand). Pipe ping-pong: a plain Deno echo process and the host exchanging one short line at a time, the floor under any tool call over pipes; pipe bulk: the same 30 MiB frame written to a plain Deno process that only finds its newline and answers with the byte count, the floor under a 30 MiB tool result.",
    "cold_host: a fresh Node host (tsx, codecell imported, import time reported apart) times `new CodeModeSession()` with default options through its first `execTool`; against `deno run` of a one-line JS file (`console.log`), spawn to exit, alternating.",
    "cold_exec: codecell = a new session on a pool of its own with nothing warm, and its first `execTool` (a sandbox spawned for the cell); deno run = spawn to exit of a cell file; quickjs = a new runtime + context; isolated-vm and node:vm = the same per-cell operation as warm (a fresh isolate/context is their isolation unit; the library is loaded once per host).",
    "warm_exec: codecell = `execTool` on a session that ran a cell before (context: its bound sandbox, a fresh context; process: a pooled sandbox, closed after); other peers as their notes say.",
    `host_load: per sample ${
      LOAD_CELLS[quick ? "quick" : "full"]
    } warm cells ${LOAD_GAP_MS} ms apart; CPU = utime + stime from /proc of the host and of all its descendants (live ones, and exited ones through their parents' cutime + cstime), read before the first cell and ${LOAD_TAIL_MS} ms after the last, so pool refills and exits a cell causes count; event loop busy = \`performance.eventLoopUtilization().active\` over the sample / cells; longest stall = max delay of \`monitorEventLoopDelay\` (1 ms resolution). In-process peers have no children: their CPU is the host's.`,
    `tool_call: per-call overhead = (cell making ${CALLS} sequential awaited \`tools.tool_0({ i })\` calls − the same loop with 0 calls) / ${CALLS}, per round, host-side; includes argument validation in codecell (the in-process peers validate nothing).`,
    `big_result: one warm cell whose tool call returns { i, data } with ${
      BIG_RESULT_BYTES >> 20
    } MiB of text in data, until the cell checked its length (1 tool registered).`,
    `burst: ${BURST_CELLS} cells started at once on one session (Promise.all), until all completed (deno run left out: its 32 processes cost what codecell (process) shows); codecell: the session's sandbox and the pool's two serve three, the rest start a sandbox each. sessions: ${BURST_CELLS} sessions that each ran a cell before, one cell in each at once (codecell context: each on its own warm bound sandbox); peers without sessions run ${BURST_CELLS} fresh isolates/contexts at once.`,
    `memory: PSS (from smaps_rollup) of the host process plus all its descendants, in a fresh Node host per peer (tsx loaded, only that peer); idle (codecell: one session after a cell, plus the pool of 2), 1 and ${BURST_CELLS} cells running (each waiting on a tool call the harness holds). PSS per additional idle session = (PSS with ${MORE_SESSIONS} more sessions that each ran a cell − idle PSS) / ${MORE_SESSIONS}. VmRSS (shared pages counted once per process) is in the details.`,
    "Tools: tool_<k> with a two-sentence description and a 5-property JSON Schema each (a realistic size); cells call tool_0. deno run has no tool channel, so it has no tool counts and no tool_call.",
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
  const footnote =
    "node:vm is a baseline, not a security boundary; deno run starts a process per cell (warm = cold); " +
    `load average ${loadBefore.split(" ")[0]} at the start.`;
  writeAtomically(`${RESULTS_DIR}latency.svg`, latencyChart(chartPeers, subtitle, footnote));
}

console.log(compactTable(report));
console.log("");
console.log(targetsTable(report.targets));
if (problems.length > 0) console.log(`\nproblems:\n${problems.map((p) => `- ${p}`).join("\n")}`);
console.log(`\n${report.mode} run: ${report.durationS} s; wrote bench/results/latest.json, latest.md, latency.svg`);
process.exit(0);
