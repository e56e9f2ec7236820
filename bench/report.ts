/**
 * Results as data (JSON), as markdown (a compact table of medians, the targets, the full statistics) and the
 * targets, each computed from figures of the same run.
 *
 * @module
 */
import { fmt, type Summary } from "./stats.ts";

export interface Row {
  scenario: string;
  peer: string;
  /** Registered tools; null where the peer has no tool channel (or the figure does not involve tools). */
  tools: number | null;
  /** What is measured: "latency", "per call", "32 cells", "idle", ... */
  metric: string;
  unit: "ms" | "MiB";
  stat: Summary;
  /** Extra medians (memory: host, children, PSS, process count; tool_call: the two cells it is derived from). */
  detail?: Record<string, number>;
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  unit: "×" | "ms" | "MiB";
  pass: boolean;
  how: string;
}

export interface PeerInfo {
  name: string;
  version: string;
  note: string;
  skipped?: string;
}

export interface Report {
  date: string;
  mode: "full" | "quick";
  args: string[];
  durationS: number;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  peers: PeerInfo[];
  method: string[];
  rows: Row[];
  targets: Target[];
  problems: string[];
}

const find = (rows: readonly Row[], scenario: string, peer: string, tools: number | null, metric: string) =>
  rows.find((r) => r.scenario === scenario && r.peer === peer && r.tools === tools && r.metric === metric);

/**
 * The targets for the default mode (`codecell`, a context per cell; README "Performance" states them), each from
 * figures of this run. A target whose figures are missing (a scenario or peer not run) is left out.
 */
export function computeTargets(rows: readonly Row[]): Target[] {
  const out: Target[] = [];
  const ratio = (name: string, a: Row | undefined, b: Row | undefined, limit: number, how: string) => {
    if (a === undefined || b === undefined) return;
    const value = a.stat.median / b.stat.median;
    out.push({ name, value, limit, unit: "×", pass: value <= limit, how });
  };
  const abs = (name: string, a: Row | undefined, value: (s: Summary) => number, limit: number, how: string) => {
    if (a === undefined) return;
    const v = value(a.stat);
    out.push({ name, value: v, limit, unit: a.unit, pass: v <= limit, how });
  };
  const median = (s: Summary) => s.median;
  const warm = find(rows, "warm_exec", "codecell", 0, "latency");
  ratio(
    'warm `execTool` of `text("bench")` / isolated-vm fresh isolate + context',
    warm,
    find(rows, "warm_exec", "isolated-vm", 0, "latency"),
    0.3,
    "median / median, 0 tools",
  );
  abs("warm `execTool` p95", warm, (s) => s.p95, 2, "p95, 0 tools");
  const cpu = "CPU per warm cell, host + children";
  ratio(
    "CPU per warm cell (host + sandboxes) / isolated-vm's",
    find(rows, "host_load", "codecell", 0, cpu),
    find(rows, "host_load", "isolated-vm", 0, cpu),
    1.0,
    "median / median of the samples' CPU per cell",
  );
  abs(
    "host event loop busy per warm cell",
    find(rows, "host_load", "codecell", 0, "host event loop busy per warm cell"),
    median,
    1,
    "median of the samples' eventLoopUtilization().active / cells",
  );
  const sessions = `32 cells across 32 warm sessions`;
  ratio(
    "32 cells across 32 warm sessions / isolated-vm 32 fresh isolates at once",
    find(rows, "sessions", "codecell", 0, sessions),
    find(rows, "sessions", "isolated-vm", 0, sessions),
    1.0,
    "median / median",
  );
  abs(
    "PSS per additional idle session",
    find(rows, "memory", "codecell", 1, "PSS per additional idle session"),
    median,
    12,
    "median over fresh hosts",
  );
  const first = "first cell of a default session";
  ratio(
    "cold first cell of a default session (fresh host) / `deno run` of a one-line JS file",
    find(rows, "cold_host", "codecell", null, first),
    find(rows, "cold_host", "deno run", null, first),
    1.1,
    "median / median",
  );
  ratio(
    "tool-call overhead (1 tool) / bare Node ↔ Deno pipe ping-pong",
    find(rows, "tool_call", "codecell", 1, "per call"),
    find(rows, "raw_link", "codecell", null, "pipe ping-pong (floor)"),
    1.5,
    "median / median",
  );
  return out;
}

function cell(row: Row | undefined): string {
  if (row === undefined) return "";
  return row.unit === "MiB"
    ? `${fmt(row.stat.median)} (max ${fmt(row.stat.max)})`
    : `${fmt(row.stat.median)} (${fmt(row.stat.p95)})`;
}

/** One line per scenario, metric and tool count; one column per peer. */
export function compactTable(report: Report): string {
  const peers = report.peers.filter((p) => p.skipped === undefined).map((p) => p.name);
  const keys: Array<{ scenario: string; metric: string; tools: number | null; unit: string }> = [];
  const counts = (row: { scenario: string; metric: string }) =>
    report.rows.filter((r) => r.scenario === row.scenario && r.metric === row.metric && r.tools !== null)
      .map((r) => r.tools as number);
  for (const row of report.rows) {
    // A peer without tools has one row (tools null): it is shown on the smallest tool count of its scenario.
    if (row.tools === null && counts(row).length > 0) continue;
    if (!keys.some((k) => k.scenario === row.scenario && k.metric === row.metric && k.tools === row.tools)) {
      keys.push({ scenario: row.scenario, metric: row.metric, tools: row.tools, unit: row.unit });
    }
  }
  const lines = [
    `| scenario | measure | tools | ${peers.join(" | ")} |`,
    `|---|---|---|${peers.map(() => "---").join("|")}|`,
  ];
  for (const key of keys) {
    const first = key.tools !== null && key.tools === Math.min(...counts(key));
    const cells = peers.map((peer) =>
      cell(
        find(report.rows, key.scenario, peer, key.tools, key.metric) ??
          (first ? find(report.rows, key.scenario, peer, null, key.metric) : undefined),
      )
    );
    if (cells.every((c) => c === "")) continue;
    lines.push(`| ${key.scenario} | ${key.metric} (${key.unit}) | ${key.tools ?? "–"} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

export function targetsTable(targets: readonly Target[]): string {
  const lines = ["| target | measured | limit | result | how |", "|---|---|---|---|---|"];
  for (const t of targets) {
    const value = t.unit === "×" ? `${t.value.toFixed(2)}×` : `${fmt(t.value)} ${t.unit}`;
    const limit = t.unit === "×" ? `≤ ${t.limit}×` : `≤ ${t.limit} ${t.unit}`;
    const over = (t.value / t.limit - 1) * 100;
    const verdict = t.pass
      ? `PASS (${(t.value / t.limit).toFixed(2)}× the limit)`
      : `MISS (${(t.value / t.limit).toFixed(2)}× the limit, ${over.toFixed(over < 10 ? 1 : 0)}% over)`;
    lines.push(`| ${t.name} | ${value} | ${limit} | ${verdict} | ${t.how} |`);
  }
  return lines.join("\n");
}

export function fullTable(rows: readonly Row[]): string {
  const lines = [
    "| scenario | measure | tools | peer | n | mean | median | p95 | min | max | unit | details (medians) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const s = r.stat;
    lines.push(
      `| ${r.scenario} | ${r.metric} | ${r.tools ?? "–"} | ${r.peer} | ${s.n} | ${fmt(s.mean)} | ${fmt(s.median)} | ` +
        `${fmt(s.p95)} | ${fmt(s.min)} | ${fmt(s.max)} | ${r.unit} | ` +
        `${Object.entries(r.detail ?? {}).map(([k, x]) => `${k}: ${fmt(x)}`).join("; ")} |`,
    );
  }
  return lines.join("\n");
}

export function markdown(report: Report): string {
  const m = report.machine;
  const v = report.versions;
  return [
    `# codecell benchmark (${report.mode}) — ${report.date}`,
    "",
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; load average ${m.loadBefore} before, ` +
    `${m.loadAfter} after (${m.loadDuring}). ${
      Object.entries(v).map(([k, x]) => `${k} ${x}`).join(", ")
    }. Run took ${report.durationS} s.`,
    "",
    "Cells are `median (p95)` in ms, or `median (max)` in MiB for memory; lower is better.",
    "",
    compactTable(report),
    "",
    "## Targets",
    "",
    targetsTable(report.targets),
    "",
    "## Peers",
    "",
    ...report.peers.map((p) => `- **${p.name}** ${p.version}: ${p.skipped ? `SKIPPED: ${p.skipped}` : p.note}`),
    "",
    "## Method",
    "",
    ...report.method.map((line) => `- ${line}`),
    ...(report.problems.length > 0
      ? ["", "## Problems during the run", "", ...report.problems.map((p) => `- ${p}`)]
      : []),
    "",
    "## All figures",
    "",
    fullTable(report.rows),
    "",
  ].join("\n");
}
