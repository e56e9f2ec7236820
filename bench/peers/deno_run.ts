/**
 * What a naive Deno sandbox costs: every cell is written to a file and run by a new `deno run` with no permissions
 * (same binary and safety flags as codecell's sandboxes, its own DENO_DIR so Deno's code cache works, a clean
 * environment). Timed from spawn to exit, with the cell's "bench" read from stdout. There is no warm state to
 * keep, so a warm cell costs what a cold one does; there is no tool channel either.
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { denoBinaryPath } from "../../ts/transport/deno_binary.ts";
import { expectBench, now, type Peer, TEXT_CELL } from "../adapter.ts";

const ARGS = ["run", "--no-prompt", "--no-config", "--no-remote", "--no-npm", "--no-lock"];
const HEAP = "--v8-flags=--max-old-space-size=512";
/** `text` the way a plain script has it. */
const PRELUDE = "const text = (value: string): void => console.log(value);\n";
/** Stays running until its stdin closes (reading stdin needs no permission). */
const HOLD_SOURCE = 'console.log("ready");\nawait Deno.stdin.read(new Uint8Array(1));\n';

class DenoRunPeer implements Peer {
  readonly name = "deno run";
  readonly version: string;
  readonly note = "a new `deno run` process per cell, no permissions; warm = cold (nothing to keep warm)";
  readonly hasTools = false;
  readonly #binary = denoBinaryPath();
  readonly #dir = mkdtempSync(join(tmpdir(), "codecell-bench-deno-"));
  readonly #env = { DENO_DIR: join(this.#dir, "deno_dir"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  #seq = 0;

  constructor() {
    this.version = execFileSync(this.#binary, ["--version"], { encoding: "utf8" }).split("\n")[0];
    mkdirSync(this.#env.DENO_DIR);
    process.once("exit", () => rmSync(this.#dir, { recursive: true, force: true }));
  }

  setup(): Promise<void> {
    return Promise.resolve();
  }

  /** Writes the cell to a new file (as a naive host would for each cell) and runs it; resolves at exit. */
  async #run(): Promise<number> {
    const start = now();
    const file = join(this.#dir, `cell_${this.#seq++}.ts`);
    writeFileSync(file, PRELUDE + TEXT_CELL);
    const child = this.#spawn(file);
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const ms = now() - start;
    rmSync(file, { force: true });
    if (code !== 0) throw new Error(`deno run: exit code ${code}`);
    expectBench(this.name, out.split("\n").filter((line) => line !== ""));
    return ms;
  }

  #spawn(file: string): ChildProcess {
    return spawn(this.#binary, [...ARGS, HEAP, file], {
      cwd: this.#dir,
      env: this.#env,
      stdio: ["pipe", "pipe", "inherit"],
    });
  }

  cold(): Promise<number> {
    return this.#run();
  }

  warm(): Promise<number> {
    return this.#run();
  }

  async burst(cells: number): Promise<number> {
    const start = now();
    await Promise.all(Array.from({ length: cells }, () => this.#run()));
    return now() - start;
  }

  async hold(cells: number): Promise<() => Promise<void>> {
    const file = join(this.#dir, "hold.ts");
    writeFileSync(file, HOLD_SOURCE);
    const children = Array.from({ length: cells }, () => this.#spawn(file));
    await Promise.all(children.map((child) =>
      new Promise<void>((resolve) => {
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => chunk.includes("ready") && resolve());
      })
    ));
    return async () => {
      await Promise.all(children.map((child) => {
        const closed = new Promise((resolve) => child.on("close", resolve));
        child.stdin!.end();
        return closed;
      }));
    };
  }

  idleProcesses(): number {
    return 0;
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }
}

export default function create(): Promise<Peer> {
  return Promise.resolve(new DenoRunPeer());
}
