/**
 * Results as data (JSON), as markdown (a compact table of medians, the targets, the full statistics) and the
 * target ratios (against the peers, of the raw sandbox, of the session), each computed from figures of the same run.
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
  source: string;
  name: string;
  value: number;
  limit: number;
  unit: "×" | "ms";
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

/** Every target the issues set, for whichever figures this run has. */
export function computeTargets(rows: readonly Row[]): Target[] {
  const out: Target[] = [];
  const ratio = (source: string, name: string, a: Row | undefined, b: Row | undefined, limit: number, how: string) => {
    if (a === undefined || b === undefined) return;
    const value = a.stat.median / b.stat.median;
    out.push({ source, name, value, limit, unit: "×", pass: value <= limit, how });
  };
  const abs = (source: string, name: string, a: Row | undefined, limit: number, how: string) => {
    if (a === undefined) return;
    out.push({ source, name, value: a.stat.median, limit, unit: "ms", pass: a.stat.median <= limit, how });
  };
  for (const tools of [0, 32, 128]) {
    ratio(
      "peers",
      `warm_exec, ${tools} tools: codecell / isolated-vm (aim 0.5×)`,
      find(rows, "warm_exec", "codecell", tools, "latency"),
      find(rows, "warm_exec", "isolated-vm", tools, "latency"),
      1.0,
      "median / median",
    );
  }
  ratio(
    "peers",
    "cold_exec, 0 tools: codecell / deno run",
    find(rows, "cold_exec", "codecell", 0, "latency"),
    find(rows, "cold_exec", "deno run", null, "latency"),
    1.1,
    "median / median",
  );
  for (const tools of [1, 32, 128]) {
    abs(
      "peers",
      `tool_call overhead, ${tools} tool${tools === 1 ? "" : "s"}: codecell per call`,
      find(rows, "tool_call", "codecell", tools, "per call"),
      0.1,
      "median of (100-call cell − 0-call cell) / 100",
    );
  }
  ratio(
    "peers",
    "warm_exec: codecell 128 tools / 0 tools",
    find(rows, "warm_exec", "codecell", 128, "latency"),
    find(rows, "warm_exec", "codecell", 0, "latency"),
    1.1,
    "median / median",
  );
  abs(
    "raw sandbox",
    "raw link: warm cell round trip",
    find(rows, "raw_link", "codecell", null, "warm round trip"),
    1.0,
    "median, start → text → done",
  );
  abs(
    "raw sandbox",
    "raw link: warm cell round trip, sandbox idle 200 ms first",
    find(rows, "raw_link", "codecell", null, "warm round trip, idle 200 ms"),
    1.0,
    "median, start → text → done",
  );
  abs(
    "raw sandbox",
    "raw link: tool-call round trip",
    find(rows, "raw_link", "codecell", null, "tool round trip"),
    0.1,
    "median, tool/call → next tool/call",
  );
  for (const tools of [0, 32, 128]) {
    abs(
      "session",
      `warm execTool, ${tools} tools`,
      find(rows, "warm_exec", "codecell", tools, "latency"),
      1.5,
      "median",
    );
  }
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
  const lines = ["| from | target | measured | limit | result |", "|---|---|---|---|---|"];
  for (const t of targets) {
    const value = t.unit === "×" ? `${t.value.toFixed(2)}×` : `${fmt(t.value)} ms`;
    const limit = t.unit === "×" ? `≤ ${t.limit}×` : `≤ ${t.limit} ms`;
    const over = (t.value / t.limit - 1) * 100;
    const verdict = t.pass ? "PASS" : `MISS (${over.toFixed(over < 10 ? 1 : 0)}% over)`;
    lines.push(`| ${t.source} | ${t.name} | ${value} | ${limit} | ${verdict} |`);
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
    `${m.loadAfter} after. ${
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
