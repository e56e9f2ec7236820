/**
 * OpenTelemetry traces of a session (docs/architecture.md "Observe"), through `@opentelemetry/api`: a no-op unless
 * the host registers a tracer provider (or passes one). One span per `exec` and `wait` call, one per cell (a child
 * of the `exec` that started it; each `wait` links to it), and one per tool call, a child of its cell's span.
 * Attributes follow the GenAI conventions where one fits (`gen_ai.tool.name`, `gen_ai.tool.call.id`) and are named
 * `codecell.*` otherwise.
 *
 * @module
 */
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { z } from "zod";
import type { CellResult } from "../cell/result.ts";
import type { TraceParent } from "../cell/options.ts";

/** The instrumentation scope of codecell's spans. */
export const TRACER_NAME = "codecell";

/** `version-traceid-parentid-flags` (www.w3.org/TR/trace-context, "traceparent Header"); later versions may add fields. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** A `traceparent` value as the span context it names; a malformed one (or version `ff`) is an issue. */
const Traceparent = z.string().transform((text, ctx) => {
  const match = TRACEPARENT.exec(text.trim());
  if (match === null || match[1] === "ff" || (match[1] === "00" && match[5] !== undefined)) {
    ctx.addIssue({ code: "custom", message: "not a W3C traceparent" });
    return z.NEVER;
  }
  return { traceId: match[2], spanId: match[3], traceFlags: parseInt(match[4], 16), isRemote: true };
});

/** The context a call's spans start in. */
export function parentContext(parent: TraceParent | undefined): Context {
  const active = context.active();
  if (parent === undefined) return active;
  if (typeof parent !== "string") return parent;
  const parsed = Traceparent.safeParse(parent);
  // All-zero ids are invalid too (isSpanContextValid checks them).
  if (!parsed.success || !isSpanContextValid(parsed.data)) return active;
  return trace.setSpanContext(active, parsed.data);
}

/** The spans of one session. */
export class SessionTracing {
  readonly #tracer: Tracer;

  /** Spans go to `provider`, else to the globally registered one (none: nothing is recorded). */
  constructor(provider?: TracerProvider) {
    this.#tracer = (provider ?? trace).getTracer(TRACER_NAME);
  }

  /**
   * Runs one `exec` or `wait` call in its span: `run` gets the context the call's own spans start in and may add
   * attributes; the span ends with the call's result (an error status when the result is not a success).
   */
  async call(
    name: "exec" | "wait",
    options: { parent: TraceParent | undefined; attributes: Attributes; links?: Span[] },
    run: (span: Span, inside: Context) => Promise<CellResult>,
  ): Promise<CellResult> {
    const links = (options.links ?? []).map((linked) => ({ context: linked.spanContext() }));
    const parent = parentContext(options.parent);
    const span = this.#tracer.startSpan(
      `codecell.${name}`,
      { kind: SpanKind.INTERNAL, attributes: options.attributes, links },
      parent,
    );
    try {
      const result = await run(span, trace.setSpan(parent, span));
      span.setAttribute("codecell.cell.status", result.status);
      if (result.cellId !== "") span.setAttribute("codecell.cell.id", result.cellId);
      if (result.error !== undefined) {
        span.setAttribute("error.type", result.error.kind);
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message });
      }
      return result;
    } catch (error) {
      // Nothing model-facing throws; a host bug that does is still recorded.
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** The span of a cell, started in the context of the `exec` call that created it. */
  cell(cellId: string, parent: Context, attributes: Attributes): CellTrace {
    const span = this.#tracer.startSpan(
      "codecell.cell",
      { kind: SpanKind.INTERNAL, attributes: { "codecell.cell.id": cellId, ...attributes } },
      parent,
    );
    return new CellTrace(this.#tracer, span, trace.setSpan(parent, span));
  }
}

/** One cell's span, and the spans of its tool calls. */
export class CellTrace {
  readonly #tracer: Tracer;
  readonly #context: Context;
  /** The cell's span (`wait` spans link to it). */
  readonly span: Span;

  constructor(tracer: Tracer, span: Span, inside: Context) {
    this.#tracer = tracer;
    this.span = span;
    this.#context = inside;
  }

  /** A tool call's span, a child of the cell's; `run` calls the tool inside it (so the handler's spans nest). */
  toolCall(cellId: string, callId: string, tool: string): ToolCallTrace {
    const span = this.#tracer.startSpan(
      `execute_tool ${tool}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": tool,
          "gen_ai.tool.call.id": callId,
          "codecell.cell.id": cellId,
        },
      },
      this.#context,
    );
    const inside = trace.setSpan(this.#context, span);
    return {
      span,
      run: (call) => context.with(inside, call),
      end: (error) => {
        if (error !== undefined) {
          span.setAttribute("error.type", error.type);
          span.recordException({ name: error.type, message: error.message });
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        }
        span.end();
      },
    };
  }

  /** The cell's outcome: its attributes, an error status unless it completed, and the span's end. */
  end(attributes: Attributes, error: { kind: string; message: string } | undefined): void {
    this.span.setAttributes(attributes);
    if (error !== undefined) {
      this.span.setAttribute("error.type", error.kind);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    this.span.end();
  }
}

/** A tool call's span. */
export interface ToolCallTrace {
  span: Span;
  run<T>(call: () => T): T;
  /** Ends the span; with an error, records it (`type`: `tool_error` or `cancelled`). */
  end(error?: { type: string; message: string }): void;
}
