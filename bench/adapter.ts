/**
 * The one interface every peer implements (one file per peer in `bench/peers/`), the tools they all register,
 * and the cells they all run. A peer runs the same cell source wherever it can: `text("bench")`, a loop of awaited
 * `tools.tool_0(...)` calls, or a cell that waits on a tool call the harness holds open (memory scenario).
 *
 * @module
 */

/** A tool as the harness defines it; each peer wraps it in its own way (codecell: `defineTool`). */
export interface BenchTool {
  name: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, Record<string, unknown>>; required: string[] };
  /** Echoes `i`; with `hold: true` it waits until the harness opens the gate (a cell that stays running). */
  run(args: Record<string, unknown>): unknown;
}

/** What a peer must do. Every method returns after the cell's output reached the host and the cell completed. */
export interface Peer {
  readonly name: string;
  /** Package version or binary version, for the report. */
  readonly version: string;
  /** One line for the report: what "cold" and "warm" mean for this peer, and caveats. */
  readonly note: string;
  /** Whether cells can call host tools (tool counts, `tool_call` and the tool-held `memory` cells apply). */
  readonly hasTools: boolean;
  /** Registers `tools` (once per tool count, before its samples); `gate` holds cells for `hold`. */
  setup(tools: readonly BenchTool[], gate: Gate): Promise<void>;
  /**
   * Child processes the peer keeps while idle, besides the host's shared pool (codecell: a session's bound
   * sandbox). Before each sample the harness waits, untimed, until these and the shared pool are up and every
   * child process is idle, so background work of one sample (a pool refill, exiting sandboxes) never lands in the
   * next.
   */
  idleProcesses(): number;
  /** Warm sandboxes the peer's sessions ask of the host's one shared pool (codecell), else absent. */
  readonly sharedPool?: number;
  /** ms: a fresh runtime (nothing pre-started) and its first cell `text("bench")`. */
  cold(): Promise<number>;
  /** ms: one cell `text("bench")` on whatever the peer keeps ready between cells. */
  warm(): Promise<number>;
  /** ms: one warm cell making `calls` sequential awaited calls to `tools.tool_0` (0 = the same loop, no call). */
  toolCalls?(calls: number): Promise<number>;
  /** ms: one warm cell running `source` (which must output "bench"); peers with tools. */
  cell?(source: string): Promise<number>;
  /**
   * `count` sessions that each ran one cell and are now idle (peers with sessions: codecell), opened one after
   * another with `settle` awaited after each (the harness lets the pool refill, so it does not grow as in a burst).
   */
  openSessions?(count: number, settle: () => Promise<unknown>): Promise<SessionGroup>;
  /** ms: `cells` cells `text("bench")` started at once, until all completed. */
  burst(cells: number): Promise<number>;
  /** Starts `cells` cells that stay running (`HOLD_CELL`); resolves when all run; the result ends them. */
  hold(cells: number): Promise<() => Promise<void>>;
  /** Stops everything `setup` started. */
  teardown(): Promise<void>;
}

/** Sessions of a peer, each of which ran one cell and is idle. */
export interface SessionGroup {
  /** ms: one cell `text("bench")` in every session at once, until all completed. */
  burst(): Promise<number>;
  close(): Promise<void>;
}

/** What a peer file exports as `default`: throwing (say, the package is not installed) skips the peer. */
export type PeerFactory = () => Promise<Peer>;

export const TEXT_CELL = 'text("bench")';
/** Same loop with `calls = 0` is the baseline the per-call overhead is measured against. */
export const toolLoopCell = (calls: number): string =>
  `for (let i = 0; i < ${calls}; i++) await tools.tool_0({ i });\ntext("bench");`;
export const HOLD_CELL = 'await tools.tool_0({ i: 0, hold: true });\ntext("bench");';
/** A cell that gets a tool result of `bytes` characters (plus a few bytes of JSON around them). */
export const bigResultCell = (bytes: number): string =>
  `const r = await tools.tool_0({ i: 0, bytes: ${bytes} });\n` +
  `text(r.data.length === ${bytes} ? "bench" : "short: " + r.data.length);`;

/** Lets held cells go: tools that get `hold: true` wait here. */
export class Gate {
  arrived = 0;
  #open: Promise<void> = Promise.resolve();
  #release: () => void = () => {};
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  /** Closes the gate for the next `hold` round. */
  close(): void {
    this.arrived = 0;
    this.#open = new Promise((resolve) => (this.#release = resolve));
  }

  open(): void {
    this.#release();
  }

  /** Called by a held tool call: resolves when the gate opens. */
  enter(): Promise<void> {
    this.arrived++;
    const ready = this.#waiters.filter((w) => this.arrived >= w.count);
    this.#waiters = this.#waiters.filter((w) => this.arrived < w.count);
    for (const waiter of ready) waiter.resolve();
    return this.#open;
  }

  /** Resolves once `count` calls have entered. */
  whenArrived(count: number): Promise<void> {
    if (this.arrived >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

/**
 * `count` tools named `tool_<k>` with a description and schema of a realistic size (real tool sets carry a
 * sentence or two and a few described properties, and their size is what registering many tools costs).
 */
export function makeTools(count: number, gate: Gate): BenchTool[] {
  return Array.from({ length: count }, (_, k) => ({
    name: `tool_${k}`,
    description: `Bench tool ${k}: looks up records matching a query and returns at most \`limit\` of them. ` +
      "Echoes `i` back so the harness can check the reply.",
    inputSchema: {
      type: "object",
      properties: {
        i: { type: "number", description: "Sequence number, echoed back." },
        query: { type: "string", description: "Free-text query." },
        limit: { type: "integer", minimum: 1, maximum: 100, description: "Maximum number of records." },
        hold: { type: "boolean", description: "Wait until the harness releases the call." },
        bytes: { type: "integer", minimum: 0, description: "Pad the reply with this many characters." },
      },
      required: ["i"],
    },
    run: (args) =>
      args.hold === true
        ? gate.enter().then(() => ({ i: args.i }))
        : typeof args.bytes === "number"
        ? { i: args.i, data: padding(args.bytes) }
        : { i: args.i },
  }));
}

let padded = "";
/** A string of `bytes` characters, made once per size (the harness must not time its own string building). */
function padding(bytes: number): string {
  if (padded.length !== bytes) padded = "x".repeat(bytes);
  return padded;
}

/** Throws unless a cell's collected output is exactly the one text "bench" (a wrong run must not count). */
export function expectBench(peer: string, texts: readonly string[]): void {
  if (texts.length !== 1 || texts[0] !== "bench") {
    throw new Error(`${peer}: expected the cell to output "bench", got ${JSON.stringify(texts).slice(0, 300)}`);
  }
}

export const now = (): number => performance.now();
