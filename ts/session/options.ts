/**
 * The session's options, checked when the session is made: a value out of range is a clear error naming it, not
 * a timer that fires at once or a limit that never holds.
 *
 * @module
 */
import { z } from "zod";
import { MAX_FRAME_BYTES } from "../contract/codec.ts";
import { DEFAULT_LIMITS, MAX_TIMER_MS, type SessionLimits } from "../contract/defaults.ts";
import { CodecellError } from "../contract/errors.ts";

const count = (max: number) => z.int().min(0).max(max);
const positive = (max: number) => z.int().min(1).max(max);

/** The limits a session accepts, each with its range. */
export const SessionLimitsSchema: z.ZodType<Partial<SessionLimits>> = z.strictObject({
  heapMiB: z.int().min(64).max(64 * 1024).optional(),
  lifetimeMs: positive(MAX_TIMER_MS).optional(),
  outputBytes: positive(1 << 30).optional(),
  maxCells: positive(100_000).optional(),
  maxToolCallsInFlight: positive(100_000).optional(),
  maxNotifications: count(1_000_000).optional(),
  // A stored value crosses to the sandbox as one frame: half the frame limit leaves room for JSON's escaping.
  storedValueBytes: count(MAX_FRAME_BYTES / 2).optional(),
  storedBytes: count(1 << 30).optional(),
});

/** The options besides `limits` that a session checks. */
const SessionOptionsSchema = z.object({
  pool: count(64).optional(),
  console: z.boolean().optional(),
  eventsIncludeValues: z.boolean().optional(),
  isolation: z.enum(["context", "process"]).optional(),
  osSandbox: z.enum(["auto", "bwrap", "none"]).optional(),
  limits: SessionLimitsSchema.optional(),
});

/** Checks the options; returns the limits with defaults applied. Throws `CodecellError("invalid_options")`. */
export function checkSessionOptions(options: unknown): { limits: SessionLimits } {
  const parsed = SessionOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue.path.map(String).join(".");
    throw new CodecellError("invalid_options", `invalid session option ${where}: ${issue.message}`);
  }
  return { limits: { ...DEFAULT_LIMITS, ...parsed.data.limits } };
}
