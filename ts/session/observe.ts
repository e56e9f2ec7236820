/**
 * One cell as the host observes it (docs/architecture.md "Observe"): the cell's hooks turned into the session's
 * events and the cell's spans.
 *
 * @module
 */
import { z } from "zod";
import type { CellHooks, CellOutcome, ToolCallEnd, ToolCallHooks, ToolCallStart } from "../cell/hooks.ts";
import { utf8ByteLength } from "../contract/defaults.ts";
import type { JsonValue } from "../contract/wire.ts";
import { type EventSink, TOOL_CALL_CANCELLED } from "./events.ts";
import type { CellTrace } from "./tracing.ts";

/** The hooks of one cell, reporting to the session's event sink and to the cell's trace. */
export class CellObservation implements CellHooks {
  readonly #sink: EventSink;
  readonly #cellId: string;
  readonly #startedAt = performance.now();
  /** The cell's span and its tool calls' spans. */
  readonly trace: CellTrace;

  /** Starts observing a new cell: reports its start. */
  constructor(sink: EventSink, trace: CellTrace, cell: { cellId: string; source: string; typecheck: boolean }) {
    this.#sink = sink;
    this.#cellId = cell.cellId;
    this.trace = trace;
    sink.emit({
      type: "cell.start",
      cellId: cell.cellId,
      sourceBytes: utf8ByteLength(cell.source),
      typecheck: cell.typecheck,
      ...(sink.includeValues ? { source: cell.source } : {}),
    });
  }

  toolCall(call: ToolCallStart): ToolCallHooks {
    const sink = this.#sink;
    const cellId = this.#cellId;
    const { callId, tool } = call;
    const startedAt = performance.now();
    const span = this.trace.toolCall(cellId, callId, tool);
    if (sink.active) {
      const args = sink.includeValues ? jsonOf(call.argumentsJson) : undefined;
      sink.emit({
        type: "tool.start",
        cellId,
        callId,
        tool,
        argumentBytes: utf8ByteLength(call.argumentsJson),
        ...(args === undefined ? {} : { args: args.value }),
      });
    }
    return {
      run: span.run,
      end: (outcome: ToolCallEnd) => {
        const durationMs = performance.now() - startedAt;
        if ("cancelled" in outcome) {
          span.end({ type: "cancelled", message: TOOL_CALL_CANCELLED });
          sink.emit({ type: "tool.end", cellId, callId, tool, durationMs, ok: false, error: TOOL_CALL_CANCELLED });
        } else if (!outcome.ok) {
          span.end({ type: "tool_error", message: outcome.error });
          sink.emit({ type: "tool.end", cellId, callId, tool, durationMs, ok: false, error: outcome.error });
        } else {
          span.end();
          if (!sink.active) return;
          const json = JSON.stringify(outcome.value);
          sink.emit({
            type: "tool.end",
            cellId,
            callId,
            tool,
            durationMs,
            ok: true,
            resultBytes: utf8ByteLength(json),
            ...(sink.includeValues ? { result: outcome.value } : {}),
          });
        }
      },
    };
  }

  notify(text: string): void {
    this.#sink.emit({
      type: "notify",
      cellId: this.#cellId,
      bytes: utf8ByteLength(text),
      ...(this.#sink.includeValues ? { text } : {}),
    });
  }

  /** The cell's stored-value writes joined the session's values. */
  stored(writes: ReadonlyMap<string, string>): void {
    if (writes.size === 0 || !this.#sink.active) return;
    const values = this.#sink.includeValues;
    this.#sink.emit({
      type: "store.write",
      cellId: this.#cellId,
      writes: [...writes].map(([key, json]) => ({ key, bytes: utf8ByteLength(json), ...(values ? { json } : {}) })),
    });
  }

  finished(outcome: CellOutcome): void {
    const wallMs = performance.now() - this.#startedAt;
    const { status, error, outputBytes, toolCalls } = outcome;
    this.trace.end(
      {
        "codecell.cell.status": status,
        "codecell.cell.output_bytes": outputBytes,
        "codecell.cell.tool_calls": toolCalls,
      },
      error,
    );
    this.#sink.emit({
      type: "cell.end",
      cellId: this.#cellId,
      status,
      ...(error === undefined ? {} : { errorKind: error.kind }),
      ...(error !== undefined && this.#sink.includeValues ? { errorMessage: error.message } : {}),
      wallMs,
      outputBytes,
      toolCalls,
    });
  }
}

/**
 * The value of a JSON text; absent when it is not JSON (only a forged frame sends that) or is nested too deep to
 * walk (a cell's arguments are checked for depth only later, by the call itself).
 */
function jsonOf(text: string): { value: JsonValue } | undefined {
  try {
    const parsed = z.json().safeParse(JSON.parse(text));
    return parsed.success ? { value: parsed.data } : undefined;
  } catch {
    return undefined; // not JSON, or a RangeError from nesting deeper than the stack
  }
}
