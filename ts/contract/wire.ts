/**
 * Every message of the ops channel between the host and a sandbox, defined once as zod schemas
 * (docs/architecture.md "The sandbox").
 *
 * Tags are `family/verb`; the union names carry the direction. The host parses everything that comes from a
 * sandbox with these schemas (untrusted bytes), content included (stored values are JSON, images are base64 data
 * URLs of an image type); the sandbox imports only the inferred *types* and decodes host messages with light
 * guards, because the host is trusted.
 *
 * A sandbox serves one session, one cell at a time: `session/setup` (again whenever the session's tools change),
 * then per cell the session's changed stored values (`store/put`), `cell/start`, the cell's traffic, `cell/done`,
 * and `sandbox/ready` once it is clean for the next cell. Frames that carry a JSON value (`tool/result`,
 * `store/put`) put it last, so the sandbox can hand its text to the cell's context without parsing it itself
 * (see `encodeWithValue` in `codec.ts`).
 *
 * @module
 */
import { z } from "zod";
import { isImageDataUrl } from "./items.ts";
import { IMAGE_DETAILS } from "./items.ts";
import { MAX_NOTIFY_CHARS } from "./defaults.ts";

export { PROTOCOL_VERSION } from "./codec.ts";

const id = z.string().min(1).max(64);

import type { JsonValue } from "./json_value.ts";
export type { JsonValue };

/** A nested tool as the sandbox needs it: normalized global name, input kind, description for `ALL_TOOLS`. */
export const SandboxTool = z.strictObject({
  name: z.string(),
  kind: z.enum(["function", "freeform"]),
  description: z.string(),
});
export type SandboxTool = z.infer<typeof SandboxTool>;

// ---------------------------------------------------------------- host → sandbox

/** Per-session data, sent when a sandbox is bound to a session, and again when the session's tools change. */
export interface HostSetup {
  type: "session/setup";
  tools: SandboxTool[];
  /** Whether `console.*` output becomes text items. */
  console: boolean;
  /** Limits the helpers enforce inside the cell (the host enforces them again). */
  limits: { storedValueBytes: number; storedBytes: number };
}

/** Runs a throwaway cell through the whole cell path so the real one finds every function compiled. */
export interface HostWarmup {
  type: "cell/warmup";
}

/** One stored value of the session, for the cells of this sandbox; `value` is JSON, last in the frame. */
export interface HostStorePut {
  type: "store/put";
  key: string;
  value: JsonValue;
}

/** Starts a cell: `script` is the prepared source (`cellScript` of `cell_source.ts`). */
export interface HostCellStart {
  type: "cell/start";
  cellId: string;
  script: string;
}

/** Settles one `tools.<name>()` promise inside the cell; a `value` goes last in the frame. */
export type HostToolResult =
  | { type: "tool/result"; callId: string; ok: true; value: JsonValue }
  | { type: "tool/result"; callId: string; ok: false; error: string };

/** Every message the host sends. */
export type HostToSandbox = HostSetup | HostWarmup | HostStorePut | HostCellStart | HostToolResult;

// ---------------------------------------------------------------- sandbox → host

/** First frame of a booted sandbox: runtime loaded, waiting for its setup. */
export const SandboxHello = z.strictObject({ type: z.literal("sandbox/hello"), protocol: z.number() });
/** The warm-up cell made its round trip: the sandbox now waits for a session. */
export const SandboxWarm = z.strictObject({ type: z.literal("sandbox/warm") });
/**
 * The sandbox took the cell and is about to run it: the cell's clocks start here, and a sandbox that dies before
 * saying so never ran any of the cell's code (the host may hand the cell to another one).
 */
export const CellStarted = z.strictObject({ type: z.literal("cell/started") });
export const OutputText = z.strictObject({ type: z.literal("output/text"), text: z.string() });
export const OutputImage = z.strictObject({
  type: z.literal("output/image"),
  image_url: z.string().refine(isImageDataUrl, { error: "not a base64 data URL of a PNG, JPEG, GIF or WebP image" }),
  detail: z.enum(IMAGE_DETAILS),
});
export const ToolCall = z.strictObject({
  type: z.literal("tool/call"),
  callId: id,
  tool: z.string(),
  /** The argument as JSON text (an object for function tools, a string for freeform tools), parsed by the host. */
  input: z.string(),
});
/** A stored-value write, sent as it happens so nothing is lost if the sandbox dies. `json` is a JSON text. */
export const StoreSet = z.strictObject({
  type: z.literal("store/set"),
  key: z.string(),
  json: z.string().refine(isJsonText, { error: "not a JSON text on one line" }),
});
export const CellNotify = z.strictObject({
  type: z.literal("cell/notify"),
  text: z.string().min(1).max(MAX_NOTIFY_CHARS),
});
export const CellYield = z.strictObject({ type: z.literal("cell/yield") });
/** The cell ended: completed (`ok`, also after `exit()`) or failed with an error text (already stack-mapped). */
export const CellDone = z.discriminatedUnion("ok", [
  z.strictObject({ type: z.literal("cell/done"), ok: z.literal(true) }),
  z.strictObject({ type: z.literal("cell/done"), ok: z.literal(false), error: z.string() }),
]);
/**
 * After `cell/done`: the cell's leftover work has drained, its context is gone and the next one is prepared.
 * `heapBytes` is the V8 heap in use afterwards (the host recycles a sandbox whose heap keeps growing).
 */
export const SandboxReady = z.strictObject({ type: z.literal("sandbox/ready"), heapBytes: z.number().nonnegative() });

/** Every message a sandbox may send (keyed on `type`, so parsing one costs a lookup, not a try of each shape). */
export const SandboxToHost = z.discriminatedUnion("type", [
  SandboxHello,
  SandboxWarm,
  CellStarted,
  OutputText,
  OutputImage,
  ToolCall,
  StoreSet,
  CellNotify,
  CellYield,
  CellDone,
  SandboxReady,
]);
export type SandboxToHost = z.infer<typeof SandboxToHost>;
export type ToolCall = z.infer<typeof ToolCall>;
export type CellDone = z.infer<typeof CellDone>;

/** Whether `text` is JSON and holds no line break (one frame must never become two). */
function isJsonText(text: string): boolean {
  if (text.includes("\n") || text.includes("\r")) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

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
  | { code: "unexpected_message"; type: string; when: string }
  /** A stored value or the session's stored values over their limit (the helpers refuse these first). */
  | { code: "store_limit"; bytes: number; limit: number };
