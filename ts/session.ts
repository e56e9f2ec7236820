/**
 * `CodeModeSession`: the public host API. It owns the cells of one agent conversation, their ids, the stored
 * values they share, the warm sandbox pool and the tools; the model-facing `execTool`/`waitTool` are thin
 * formatting layers over the programmatic `exec`/`wait`.
 *
 * @module
 */
import { CellActor, type ToolRunner } from "./cell/actor.ts";
import { DEFAULT_POOL_SIZE, DEFAULT_YIELD_TIME_MS, type SessionLimits } from "./contract/defaults.ts";
import type { CellInfo, ExecOptions, WaitOptions } from "./cell/options.ts";
import { type CellResult, rejected } from "./cell/result.ts";
import { WarmPool, warmPoolFor } from "./transport/pool.ts";
import { spawnSandbox } from "./transport/sandbox_process.ts";
import type { SandboxLink } from "./transport/link.ts";
import type { OsSandboxMode } from "./transport/os_sandbox.ts";
import type { HostSetup } from "./contract/wire.ts";
import { type Isolation, SessionSandboxes } from "./session/sandboxes.ts";
import { SessionStore } from "./session/stored.ts";
import { checkSessionOptions } from "./session/options.ts";
import { prepareCell, warmSourceTools } from "./source/prepare.ts";
import {
  EXEC_ABORTED,
  execActiveCellLimitReached,
  execCellNotFound,
  SESSION_SHUTTING_DOWN,
  toolRenamed,
  unknownTool,
} from "./contract/messages.ts";
import { applyOutputBudget } from "./model/truncate.ts";
import type { ToolResponse } from "./contract/items.ts";
import { type ExecToolOptions, execToolResponse, type WaitToolOptions, waitToolResponse } from "./model/tool_layer.ts";
import { ToolRegistry } from "./tools/registry.ts";
import type { ToolDefinition } from "./tools/define.ts";
import { typeDeclarations } from "./typegen/declarations.ts";
import {
  type AnthropicToolSpec,
  type AnyToolSpecs,
  type ChatToolSpec,
  type McpToolSpec,
  type ResponsesToolSpec,
  type ToolSpecFormat,
  toolSpecs,
} from "./model/tool_specs.ts";
import { releaseTypechecks, typecheckCell } from "./source/typecheck.ts";
import type { Context, TracerProvider } from "@opentelemetry/api";
import type { Approver } from "./tools/approval.ts";
import { APPROVAL_WITHDRAWN, type CodecellEvent, type EventListener, EventSink } from "./session/events.ts";
import { SessionTracing } from "./session/tracing.ts";
import { CellObservation } from "./session/observe.ts";
import { utf8ByteLength } from "./contract/defaults.ts";

/** Options of {@linkcode CodeModeSession}. */
export interface SessionOptions {
  /** The nested tools cells can call as `tools.<name>`. */
  tools?: readonly ToolDefinition[];
  /** Receives `notify()` calls as they happen. */
  onNotify?: (notification: { cellId: string; text: string }) => void;
  /**
   * Warm sandboxes the host keeps ready for new cells (default 2; 0 starts a sandbox for a cell that finds none).
   * Sessions with the same sandbox settings share them; each session also keeps the sandbox its cells run in.
   */
  pool?: number;
  /** Limits; unspecified ones take `DEFAULT_LIMITS`. */
  limits?: Partial<SessionLimits>;
  /** Whether `console.*` in cells produces text items (default true). */
  console?: boolean;
  /**
   * `"context"` (default): the session's cells run one after another in one sandbox process, each in a fresh V8
   * context. `"process"`: every cell gets a process of its own (a boot per cell; see the README's security model).
   */
  isolation?: Isolation;
  /** The OS layer around sandboxes: bubblewrap when it works here (`"auto"`, the default), always, or never. */
  osSandbox?: OsSandboxMode;
  /**
   * Host-facing notices (no OS layer available in `"auto"`, a tool name that is not an identifier and was
   * normalized, ...). Default: `console.warn`.
   */
  onWarning?: (message: string) => void;
  /**
   * A live tool list (e.g. `mcpTools(...)`), read at every `exec`: when it returns a different array, the next cell
   * gets the new tools (cells already running keep theirs). Replaces `tools`.
   */
  toolSource?: { tools(): readonly ToolDefinition[] };
  /** Called when a changed `toolSource` list cannot be used (two tools normalize to one name); the old list stays. */
  onToolsRefused?: (error: Error) => void;
  /**
   * Receives what the session's cells, tool calls and sandboxes do, as typed events (see {@linkcode CodecellEvent};
   * docs/architecture.md "Observe"). Called synchronously; whatever it throws is reported, never passed to a cell.
   */
  onEvent?: EventListener;
  /** Events carry argument, result, stored, notification and source values, not only their sizes (default false). */
  eventsIncludeValues?: boolean;
  /** Gets every error `onEvent` throws; without it, the first one is reported with `console.warn`. */
  onEventError?: (error: unknown, event: CodecellEvent) => void;
  /**
   * Decides on calls of tools declared with `needsApproval` (docs/contract.md §5): the call waits for it, while
   * its cell's lifetime runs on; only `true` lets the handler run. `signal` aborts when the cell ends meanwhile.
   * Without it, such calls are refused.
   */
  approve?: Approver;
  /** Where the session's spans go; default: the globally registered provider (none: no spans are recorded). */
  tracerProvider?: TracerProvider;
}

/** Starts a sandbox process for a session's cells. */
type SandboxSpawner = (options: { heapMiB: number; lifetimeMs: number }) => SandboxLink;

/** Sandbox starters given by {@linkcode withSandboxSpawner}, by the options object they came with. */
const spawners = new WeakMap<SessionOptions, SandboxSpawner>();

/**
 * `options` for a session whose sandboxes `spawn` starts: for tests that substitute the sandbox process. Kept off
 * `SessionOptions` (and out of `ts/mod.ts`), so the published API does not reach the wire schemas.
 */
export function withSandboxSpawner(options: SessionOptions, spawn: SandboxSpawner): SessionOptions {
  spawners.set(options, spawn);
  return options;
}

/** One version of the session's tools: their registry, the runner cells call, and the setup sandboxes get. */
interface ToolSet {
  definitions: readonly ToolDefinition[];
  registry: ToolRegistry;
  runner: ToolRunner;
  setup: HostSetup;
}

/**
 * A code-mode session: run model-written cells against your tools.
 *
 * @example
 * ```ts
 * const session = new CodeModeSession({ tools: [lookupOrder] });
 * const out = await session.execTool('const o = await tools.lookup_order({ order_id: "42" }); text(o);');
 * await session.close();
 * ```
 */
export class CodeModeSession {
  readonly #limits: SessionLimits;
  readonly #toolSource: SessionOptions["toolSource"];
  readonly #onToolsRefused: SessionOptions["onToolsRefused"];
  /** A tool list from the source that could not be used (a name collision); not retried until it changes. */
  #refused: readonly ToolDefinition[] | undefined;
  #toolSet: ToolSet;
  readonly #onNotify: SessionOptions["onNotify"];
  readonly #cells = new Map<string, CellActor>();
  readonly #stored = new SessionStore();
  readonly #sandboxes: SessionSandboxes;
  readonly #leavePool: () => Promise<void>;
  #nextId = 1;
  #closing: Promise<void> | undefined;
  readonly #console: boolean;
  readonly #warn: (message: string) => void;
  #declarations: string | undefined;
  readonly #events: EventSink;
  readonly #tracing: SessionTracing;
  readonly #approve: Approver | undefined;
  /** How each live cell is observed (its span, for the `wait` spans that link to it). */
  readonly #observations = new WeakMap<CellActor, CellObservation>();

  /**
   * Creates a session (the host's warm pool starts its first sandbox if it has none). Throws
   * {@linkcode CodecellError} for invalid options or an invalid set of tools (two tools with the same global
   * name, or a value not made by `defineTool`).
   */
  constructor(options: SessionOptions = {}) {
    const checked = checkSessionOptions(options);
    this.#limits = checked.limits;
    this.#onNotify = options.onNotify;
    this.#console = options.console ?? true;
    this.#toolSource = options.toolSource;
    this.#onToolsRefused = options.onToolsRefused;
    this.#events = new EventSink({
      onEvent: options.onEvent,
      includeValues: options.eventsIncludeValues,
      onEventError: options.onEventError,
    });
    this.#tracing = new SessionTracing(options.tracerProvider);
    this.#approve = options.approve;
    this.#warn = options.onWarning ?? ((message: string) => console.warn(`codecell: ${message}`));
    this.#toolSet = this.#createToolSet(this.#toolSource?.tools() ?? options.tools ?? []);
    const { heapMiB, lifetimeMs } = this.#limits;
    const osSandbox = options.osSandbox ?? "auto";
    const custom = spawners.get(options);
    const pool = custom !== undefined ? new WarmPool(() => custom({ heapMiB, lifetimeMs })) : warmPoolFor(
      JSON.stringify({ heapMiB, lifetimeMs, osSandbox }),
      () => spawnSandbox({ heapMiB, lifetimeMs, osSandbox, onWarning: options.onWarning }),
    );
    this.#leavePool = pool.join(this, options.pool ?? DEFAULT_POOL_SIZE);
    this.#sandboxes = new SessionSandboxes({
      pool,
      isolation: options.isolation ?? "context",
      lifetimeMs,
      heapMiB,
      onEvent: (event) => this.#events.emit(event),
    });
    // Loads the type stripper while the first sandbox boots, instead of during the first cell.
    setTimeout(() => void warmSourceTools().catch(() => {}), 0); // a failure shows at the first cell instead
  }

  /** Runs a cell (JavaScript or TypeScript source, no pragma) and returns at completion, yield or yield time. */
  exec(source: string, options: ExecOptions = {}): Promise<CellResult> {
    const attributes = {
      "codecell.source_bytes": utf8ByteLength(source),
      "codecell.typecheck": options.typecheck ?? false,
    };
    return this.#tracing.call(
      "exec",
      { parent: options.traceParent, attributes },
      (_span, inside) => this.#exec(source, options, inside),
    );
  }

  async #exec(source: string, options: ExecOptions, traceContext: Context): Promise<CellResult> {
    if (this.#closing !== undefined) return rejected(SESSION_SHUTTING_DOWN);
    if (options.signal?.aborted) return rejected(EXEC_ABORTED);
    if (this.#cells.size >= this.#limits.maxCells) return rejected(execActiveCellLimitReached(this.#limits.maxCells));
    if (options.typecheck) {
      // Before a cell exists: a cell that does not type-check has no id and no side effects.
      const checked = await typecheckCell(source, this.typeDeclarations(), { owner: this });
      if (!checked.ok) {
        return { status: "failed", cellId: "", items: [], error: { kind: "script", message: checked.error } };
      }
      if (this.#closing !== undefined) return rejected(SESSION_SHUTTING_DOWN);
      if (options.signal?.aborted) return rejected(EXEC_ABORTED);
    }
    const tools = this.#currentTools();
    const cell = this.#newCell(tools.runner, { source, typecheck: options.typecheck ?? false, traceContext });
    options.onCell?.(cell.id);
    if (options.signal !== undefined) cell.terminateOn(options.signal);
    const prepared = await prepareCell(source);
    if (this.#closing !== undefined) {
      // close() began while the source was prepared and has ended this cell before it reached a sandbox.
      this.#cells.delete(cell.id);
      return rejected(SESSION_SHUTTING_DOWN);
    }
    if (!prepared.ok) cell.failBeforeStart(prepared.error);
    else void this.#sandboxes.start(cell, prepared.script, tools.setup, this.#stored);
    const result = await cell.observe(options.yieldTimeMs ?? DEFAULT_YIELD_TIME_MS, true, options.onNotify);
    return budgeted(result, options.maxOutputTokens);
  }

  /** Resumes observing a cell, or terminates it. */
  wait(cellId: string, options: WaitOptions = {}): Promise<CellResult> {
    const cell = this.#cells.get(cellId);
    const observed = cell === undefined ? undefined : this.#observations.get(cell);
    const attributes = { "codecell.cell.id": cellId, "codecell.terminate": options.terminate ?? false };
    const links = observed === undefined ? [] : [observed.trace.span];
    return this.#tracing.call(
      "wait",
      { parent: options.traceParent, attributes, links },
      () => this.#wait(cellId, cell, options),
    );
  }

  async #wait(cellId: string, cell: CellActor | undefined, options: WaitOptions): Promise<CellResult> {
    if (cell === undefined) {
      return { status: "failed", cellId, items: [], error: { kind: "not_found", message: execCellNotFound(cellId) } };
    }
    if (options.signal !== undefined && !options.terminate) cell.terminateOn(options.signal);
    const result = options.terminate
      ? await cell.terminate()
      : await cell.observe(options.yieldTimeMs ?? DEFAULT_YIELD_TIME_MS, false, options.onNotify);
    return budgeted(result, options.maxOutputTokens);
  }

  /** Terminates a live cell; same as `wait(cellId, { terminate: true })`. */
  terminate(cellId: string): Promise<CellResult> {
    return this.wait(cellId, { terminate: true });
  }

  /** The live cells: running, terminating, or finished with a result not yet delivered. */
  cells(): CellInfo[] {
    return [...this.#cells.values()].map((cell) => ({
      cellId: cell.id,
      state: cell.state === "closed" ? "finished" : cell.state,
    }));
  }

  /**
   * The model-facing `exec` tool: raw source with an optional first-line pragma (docs/contract.md §1–§2).
   * `typecheck: true` type-checks the cell first; `signal` terminates the cell when it aborts; `onNotify` receives
   * the cell's notifications while this call waits on it (see {@linkcode ExecOptions}).
   */
  execTool(raw: string, options: ExecToolOptions = {}): Promise<ToolResponse> {
    return execToolResponse(this, raw, options);
  }

  /**
   * The `exec` and `wait` tool definitions for a model API, with descriptions of the helpers, the yield/wait model,
   * the limits and this session's tools. `codeModeOnly` lists every nested tool's full declaration in `exec`'s
   * description (for agents that give the model no other tools); `yieldTimeMs` is the default yield time the
   * host passes to `execTool`, when it is not the usual one.
   */
  toolSpecs(format: "responses", options?: { codeModeOnly?: boolean; yieldTimeMs?: number }): ResponsesToolSpec[];
  /** The `exec` and `wait` tool definitions for the OpenAI Chat Completions API. */
  toolSpecs(format: "chat", options?: { codeModeOnly?: boolean; yieldTimeMs?: number }): ChatToolSpec[];
  /** The `exec` and `wait` tool definitions for the Anthropic Messages API. */
  toolSpecs(format: "anthropic", options?: { codeModeOnly?: boolean; yieldTimeMs?: number }): AnthropicToolSpec[];
  /** The `exec` and `wait` tool definitions as MCP `Tool` objects. */
  toolSpecs(format: "mcp", options?: { codeModeOnly?: boolean; yieldTimeMs?: number }): McpToolSpec[];
  /** The `exec` and `wait` tool definitions for the API named by `format`. */
  toolSpecs(format: ToolSpecFormat, options?: { codeModeOnly?: boolean; yieldTimeMs?: number }): AnyToolSpecs;
  toolSpecs(format: ToolSpecFormat, options: { codeModeOnly?: boolean; yieldTimeMs?: number } = {}): AnyToolSpecs {
    const entries = this.#currentTools().registry.entries();
    return toolSpecs(format, entries, { ...options, limits: this.#limits, console: this.#console });
  }

  /** One `.d.ts` text declaring the helpers and this session's `tools`: what a cell's TypeScript sees. */
  typeDeclarations(): string {
    const registry = this.#currentTools().registry;
    return (this.#declarations ??= typeDeclarations(registry.entries()));
  }

  /**
   * The model-facing `wait` tool: `{cell_id, yield_time_ms?, max_tokens?, terminate?}` as an object or its JSON
   * text (docs/contract.md §1–§3). `signal` terminates the cell when it aborts.
   */
  waitTool(args: unknown, options: WaitToolOptions = {}): Promise<ToolResponse> {
    return waitToolResponse(this, args, options);
  }

  /** Closes the session: `await using session = new CodeModeSession(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Terminates every live cell, stops the session's sandboxes and refuses new cells. Idempotent; leaves no process behind. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      releaseTypechecks(this);
      const running = [...this.#cells.values()].filter((cell) => cell.state === "running");
      await Promise.all(running.map((cell) => cell.terminate()));
      this.#cells.clear();
      await Promise.all([this.#sandboxes.close(), this.#leavePool()]);
    })();
    return this.#closing;
  }

  #createToolSet(definitions: readonly ToolDefinition[]): ToolSet {
    const registry = ToolRegistry.of(definitions);
    for (const entry of registry.entries()) {
      // A namespaced tool (an MCP server's) is renamed by design: `mcp__<server>__<tool>`.
      const { name, namespace } = entry.definition;
      if (namespace === undefined && entry.name !== name) this.#warn(toolRenamed(name, entry.name));
    }
    const approve = this.#approver();
    const runner: ToolRunner = {
      call: (name, input, ctx) =>
        registry.get(name)?.call(input, ctx, { approve }) ?? Promise.resolve({ ok: false, error: unknownTool(name) }),
    };
    const { storedValueBytes, storedBytes } = this.#limits;
    const setup: HostSetup = {
      type: "session/setup",
      tools: [...registry.sandboxTools()],
      console: this.#console,
      limits: { storedValueBytes, storedBytes },
    };
    return { definitions, registry, runner, setup };
  }

  /**
   * The tools for the next cell. With a `toolSource` whose list changed, builds the new version (sandboxes get the
   * new setup before their next cell). A new list whose names collide is refused: the previous tools stay, and
   * the host hears about it once.
   */
  #currentTools(): ToolSet {
    const definitions = this.#toolSource?.tools();
    if (
      definitions === undefined || definitions === this.#toolSet.definitions || definitions === this.#refused ||
      this.#closing !== undefined
    ) {
      return this.#toolSet;
    }
    const previous = this.#toolSet;
    try {
      this.#toolSet = this.#createToolSet(definitions);
    } catch (error) {
      // Two tools that now normalize to one name: cells keep the previous tools rather than fail (nothing
      // model-facing may throw); the host hears about it once.
      this.#refused = definitions;
      this.#onToolsRefused?.(error instanceof Error ? error : new Error(String(error)));
      return previous;
    }
    this.#declarations = undefined;
    return this.#toolSet;
  }

  /** The host's `approve`, reporting each decision as an event; `undefined` when the host gave none. */
  #approver(): Approver | undefined {
    const approve = this.#approve;
    if (approve === undefined) return undefined;
    return async (request) => {
      const startedAt = performance.now();
      const { cellId, callId, tool, signal } = request;
      let reported = false;
      const report = (approved: boolean, error?: string) => {
        if (reported) return;
        reported = true;
        signal.removeEventListener("abort", withdrawn);
        const durationMs = performance.now() - startedAt;
        const event = { type: "tool.approval", cellId, callId, tool, approved, durationMs } as const;
        this.#events.emit(error === undefined ? event : { ...event, error });
      };
      const withdrawn = () => report(false, APPROVAL_WITHDRAWN);
      signal.addEventListener("abort", withdrawn, { once: true });
      try {
        const approved = await approve(request);
        report(approved === true);
        return approved;
      } catch (error) {
        report(false, error instanceof Error ? error.message : String(error));
        throw error;
      }
    };
  }

  #newCell(tools: ToolRunner, observed: { source: string; typecheck: boolean; traceContext: Context }): CellActor {
    const id = String(this.#nextId++);
    const { source, typecheck, traceContext } = observed;
    const trace = this.#tracing.cell(id, traceContext, {
      "codecell.source_bytes": utf8ByteLength(source),
      "codecell.typecheck": typecheck,
    });
    const observation = new CellObservation(this.#events, trace, { cellId: id, source, typecheck });
    const cell = new CellActor({
      id,
      tools,
      limits: this.#limits,
      stored: this.#stored,
      onNotify: this.#onNotify,
      hooks: observation,
      onFinished: (_cell, status, writes, sandbox) => {
        // A terminated cell's writes are dropped; the sandbox that ran a finished one has merged them itself.
        if (status === "terminated") return;
        this.#stored.merge(writes, (key, version) => sandbox?.noteStored(key, version));
        observation.stored(writes);
      },
      onClosed: (closed) => {
        if (this.#cells.get(closed.id) === closed) this.#cells.delete(closed.id);
      },
    });
    this.#cells.set(id, cell);
    this.#observations.set(cell, observation);
    return cell;
  }
}

function budgeted(result: CellResult, maxOutputTokens: number | undefined): CellResult {
  if (maxOutputTokens === undefined) return result;
  return { ...result, items: applyOutputBudget(result.items, maxOutputTokens) };
}
