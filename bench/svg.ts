/**
 * The one chart: warm and cold latency per peer (median as a bar, p95 as a whisker), on a log scale because the
 * peers span three orders of magnitude (an in-process context vs a process per cell). Hand-written SVG.
 *
 * @module
 */
import { fmt, type Summary } from "./stats.ts";

export interface ChartPeer {
  name: string;
  warm?: Summary;
  cold?: Summary;
}

const COLORS = { warm: "#2b7bb9", cold: "#e8833a" };
const ROW = 22;
const GROUP_GAP = 14;
const LEFT = 140; // room for "codecell (process)"
const PLOT = 560;
const TOP = 52;

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A decade tick as people write it: 0.1, 1, 10, 100. */
const tickLabel = (tick: number): string => String(Number(tick.toPrecision(1)));

export function latencyChart(peers: readonly ChartPeer[], subtitle: string, footnote: string): string {
  const values = peers.flatMap((p) => [p.warm, p.cold]).filter((s): s is Summary => s !== undefined);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(1e-3, Math.min(...values.map((s) => s.median))))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values.map((s) => s.p95)))));
  const x = (ms: number): number => LEFT + (Math.log10(Math.max(ms, lo) / lo) / Math.log10(hi / lo)) * PLOT;
  const height = TOP + peers.length * (2 * ROW + GROUP_GAP) + 58;
  const width = LEFT + PLOT + 90;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${LEFT}" y="18" font-size="14" font-weight="bold">Latency of one cell text("bench"), ms (log scale)</text>`,
    `<text x="${LEFT}" y="34" fill="#555">${escape(subtitle)}</text>`,
  ];
  // Decade grid lines and labels.
  for (let tick = lo; tick <= hi * 1.0001; tick *= 10) {
    const tx = x(tick).toFixed(1);
    out.push(`<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${height - 52}" stroke="#ddd"/>`);
    out.push(`<text x="${tx}" y="${height - 38}" text-anchor="middle" fill="#555">${tickLabel(tick)}</text>`);
  }
  let y = TOP;
  for (const peer of peers) {
    out.push(
      `<text x="${LEFT - 8}" y="${y + ROW + 4}" text-anchor="end" font-weight="bold">${escape(peer.name)}</text>`,
    );
    for (const kind of ["warm", "cold"] as const) {
      const stat = peer[kind];
      if (stat !== undefined) {
        const bar = x(stat.median) - LEFT;
        out.push(
          `<rect x="${LEFT}" y="${y + 3}" width="${bar.toFixed(1)}" height="${ROW - 6}" fill="${COLORS[kind]}">` +
            `<title>${escape(peer.name)} ${kind}: median ${fmt(stat.median)} ms, p95 ${
              fmt(stat.p95)
            } ms</title></rect>`,
        );
        const px = x(stat.p95).toFixed(1);
        const mid = y + ROW / 2;
        out.push(`<line x1="${x(stat.median).toFixed(1)}" y1="${mid}" x2="${px}" y2="${mid}" stroke="#333"/>`);
        out.push(`<line x1="${px}" y1="${mid - 4}" x2="${px}" y2="${mid + 4}" stroke="#333"/>`);
        out.push(`<text x="${(Number(px) + 4).toFixed(1)}" y="${mid + 4}" fill="#333">${fmt(stat.median)}</text>`);
      }
      y += ROW;
    }
    y += GROUP_GAP;
  }
  const ly = height - 22;
  out.push(`<rect x="${LEFT}" y="${ly - 10}" width="12" height="10" fill="${COLORS.warm}"/>`);
  out.push(`<text x="${LEFT + 16}" y="${ly}">warm (median; whisker to p95)</text>`);
  out.push(`<rect x="${LEFT + 230}" y="${ly - 10}" width="12" height="10" fill="${COLORS.cold}"/>`);
  out.push(`<text x="${LEFT + 246}" y="${ly}">cold</text>`);
  out.push(`<text x="${LEFT}" y="${height - 6}" fill="#555" font-size="11">${escape(footnote)}</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
