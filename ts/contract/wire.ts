/**
 * Every message of the ops channel between the host and a sandbox, defined once as zod schemas.
 *
 * Tags are `family/verb`; the union names carry the direction. The host parses everything that comes from a
 * sandbox with these schemas (untrusted bytes); the sandbox imports only the inferred *types* (a type-only import
 * is erased, so zod never loads inside the sandbox) and decodes host messages with light guards.
 *
 * @module
 */
import { z } from "zod";

export { PROTOCOL_VERSION } from "./codec.ts";

const id = z.string().min(1).max(64);

/** A value JSON can represent exactly (what crosses as tool input and output). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Any JSON value. */
const JsonValueSchema: z.ZodType<JsonValue> = z.json();

/** A nested tool as the sandbox needs it: normalized global name, input kind, description for `ALL_TOOLS`. */
export const SandboxTool = z.strictObject({
  name: z.string(),
  kind: z.enum(["function", "freeform"]),
  description: z.string(),
});
export type SandboxTool = z.infer<typeof SandboxTool>;

// ---------------------------------------------------------------- host → sandbox

/** Per-session data, sent once per sandbox right after its hello (not per cell: it can be large). */
export const HostSetup = z.strictObject({
  type: z.literal("session/setup"),
  protocol: z.number(),
  tools: z.array(SandboxTool),
  /** Whether `console.*` output becomes text items. */
  console: z.boolean(),
});

/** Runs a throwaway cell through the whole cell path so the real one finds every function compiled. */
export const HostWarmup = z.strictObject({ type: z.literal("cell/warmup") });

/** How the prepared source is evaluated: a strict async function body (fast) or an ES module (static imports). */
export const CellMode = z.enum(["function", "module"]);
export type CellMode = z.infer<typeof CellMode>;

/** Starts the one cell this sandbox serves. `stored` maps keys to JSON texts (the session's snapshot). */
export const HostCellStart = z.strictObject({
  type: z.literal("cell/start"),
  cellId: id,
  source: z.string(),
  mode: CellMode,
  stored: z.record(z.string(), z.string()),
});

/** Settles one `tools.<name>()` promise inside the cell. */
export const HostToolResult = z.discriminatedUnion("ok", [
  z.strictObject({ type: z.literal("tool/result"), callId: id, ok: z.literal(true), value: JsonValueSchema }),
  z.strictObject({ type: z.literal("tool/result"), callId: id, ok: z.literal(false), error: z.string() }),
]);

/** Every message the host sends. */
export const HostToSandbox = z.discriminatedUnion("type", [HostSetup, HostWarmup, HostCellStart, HostToolResult]);
export type HostToSandbox = z.infer<typeof HostToSandbox>;
export type HostSetup = z.infer<typeof HostSetup>;
export type HostCellStart = z.infer<typeof HostCellStart>;
export type HostToolResult = z.infer<typeof HostToolResult>;

// ---------------------------------------------------------------- sandbox → host

/** First frame of a booted sandbox: runtime loaded, waiting for its setup. */
export const SandboxHello = z.strictObject({ type: z.literal("sandbox/hello"), protocol: z.number() });
/** The warm-up cell made its round trip: the sandbox now waits for `cell/start`. */
export const SandboxWarm = z.strictObject({ type: z.literal("sandbox/warm") });
export const OutputText = z.strictObject({ type: z.literal("output/text"), text: z.string() });
export const OutputImage = z.strictObject({
  type: z.literal("output/image"),
  image_url: z.string().startsWith("data:"),
  detail: z.enum(["auto", "low", "high", "original"]),
});
export const ToolCall = z.strictObject({
  type: z.literal("tool/call"),
  callId: id,
  tool: z.string(),
  /** A JSON value for function tools, a string for freeform tools. */
  input: JsonValueSchema,
});
/** A stored-value write, sent as it happens so nothing is lost if the sandbox dies. `json` is a JSON text. */
export const StoreSet = z.strictObject({ type: z.literal("store/set"), key: z.string(), json: z.string() });
export const CellNotify = z.strictObject({ type: z.literal("cell/notify"), text: z.string().min(1) });
export const CellYield = z.strictObject({ type: z.literal("cell/yield") });
/** The cell ended: completed (`ok`, also after `exit()`) or failed with an error text (already stack-mapped). */
export const CellDone = z.discriminatedUnion("ok", [
  z.strictObject({ type: z.literal("cell/done"), ok: z.literal(true) }),
  z.strictObject({ type: z.literal("cell/done"), ok: z.literal(false), error: z.string() }),
]);

/** Every message a sandbox may send (keyed on `type`, so parsing one costs a lookup, not a try of each shape). */
export const SandboxToHost = z.discriminatedUnion("type", [
  SandboxHello,
  SandboxWarm,
  OutputText,
  OutputImage,
  ToolCall,
  StoreSet,
  CellNotify,
  CellYield,
  CellDone,
]);
export type SandboxToHost = z.infer<typeof SandboxToHost>;
export type ToolCall = z.infer<typeof ToolCall>;
export type CellDone = z.infer<typeof CellDone>;

// ---------------------------------------------------------------- violations

/** How a sandbox broke the ops protocol, as the host saw it (rendered by `protocolViolationReason`). */
export type ProtocolViolation =
  /** A frame that is not JSON, or not one of the messages above; `start` is its first 120 characters. */
  | { code: "malformed_frame"; start: string; length: number }
  | { code: "invalid_utf8" }
  | { code: "frame_too_large"; bytes: number; limit: number }
  /** The sandbox ended with part of a frame written. */
  | { code: "truncated_frame"; bytes: number }
  | { code: "version_mismatch"; sandbox: number; host: number }
  /** A well-formed message the host did not expect at that point (`when`: e.g. `during a cell`). */
  | { code: "unexpected_message"; type: string; when: string };
