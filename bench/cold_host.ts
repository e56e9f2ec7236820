/**
 * The cold first cell: a default session's first cell in a fresh host process (`cold_host_child.ts`), against
 * `deno run` of a one-line JS file (spawn to exit), the least any process-per-cell Deno sandbox can cost.
 * Alternated, each after the machine is quiet again.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { denoBinaryPath } from "../ts/transport/deno_binary.ts";
import { now } from "./adapter.ts";
import { waitQuiet } from "./proc.ts";

export interface ColdHostSamples {
  /** `new CodeModeSession()` → first `execTool` result, in a fresh host. */
  firstCell: number[];
  /** The same with `osSandbox: "none"`. */
  firstCellNoOsLayer: number[];
  /** How long `new CodeModeSession()` blocks a fresh host (part of firstCell), with and without the OS layer. */
  constructorBlocks: number[];
  constructorBlocksNoOsLayer: number[];
  /** The fresh host's `import` of codecell (not part of firstCell). */
  importCodecell: number[];
  /** `deno run one_line.js` spawn → exit. */
  denoOneLiner: number[];
}

const CHILD = fileURLToPath(new URL("./cold_host_child.ts", import.meta.url));

/** Runs a command to its end; resolves with its stdout (rejects on a non-zero exit). */
function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command}: exit code ${code}`))));
  });
}

async function freshHost(
  osSandbox: string,
): Promise<{ importMs: number; firstCellMs: number; constructorMs: number }> {
  const out = await run(process.execPath, [...process.execArgv, CHILD, osSandbox]);
  return JSON.parse(out.trim().split("\n").pop() ?? "");
}

export async function measureColdHost(iterations: number, warmups: number): Promise<ColdHostSamples> {
  const dir = mkdtempSync(join(tmpdir(), "codecell-bench-oneliner-"));
  const file = join(dir, "one_line.js");
  writeFileSync(file, 'console.log("bench");\n');
  const env = { DENO_DIR: join(dir, "deno_dir"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  mkdirSync(env.DENO_DIR);
  const args = ["run", "--no-prompt", "--no-config", "--no-remote", "--no-npm", "--no-lock", file];
  const samples: ColdHostSamples = {
    firstCell: [],
    firstCellNoOsLayer: [],
    constructorBlocks: [],
    constructorBlocksNoOsLayer: [],
    importCodecell: [],
    denoOneLiner: [],
  };
  try {
    for (let round = -warmups; round < iterations; round++) {
      // Rotate which goes first, so none always follows another.
      const order = ["host", "deno", "host without OS layer"];
      for (const which of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
        await waitQuiet();
        if (which === "host") {
          const { importMs, firstCellMs, constructorMs } = await freshHost("auto");
          if (round >= 0) {
            samples.firstCell.push(firstCellMs);
            samples.constructorBlocks.push(constructorMs);
            samples.importCodecell.push(importMs);
          }
        } else if (which === "host without OS layer") {
          const { firstCellMs, constructorMs } = await freshHost("none");
          if (round >= 0) {
            samples.firstCellNoOsLayer.push(firstCellMs);
            samples.constructorBlocksNoOsLayer.push(constructorMs);
          }
        } else {
          const start = now();
          const out = await run(denoBinaryPath(), args, { cwd: dir, env });
          const ms = now() - start;
          if (out.trim() !== "bench") throw new Error(`deno one-liner printed ${JSON.stringify(out)}`);
          if (round >= 0) samples.denoOneLiner.push(ms);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}
