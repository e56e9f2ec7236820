/**
 * The session settings of `codecell mcp` (and `exec`): the `"codecell"` block of the config file and the command
 * line flags that override it, with the names of the session options (`pool`, `limits.heapMiB`, ...; flags in
 * kebab case: `--heap-mib`). Each value is checked here, so a bad one is an error that names it.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_LIMITS, DEFAULT_POOL_SIZE, DEFAULT_YIELD_TIME_MS, MAX_TIMER_MS } from "../contract/defaults.ts";
import { SessionLimitsSchema } from "../session/options.ts";
import type { SessionOptions } from "../session.ts";

/** Session options settable from the config file or the command line. */
export interface CodecellSettings {
  /** Warm sandboxes kept ready (see `SessionOptions.pool`). */
  pool?: number;
  /** Limits (see `SessionOptions.limits`). */
  limits?: SessionOptions["limits"];
  /** Whether `console.*` in cells produces text items. */
  console?: boolean;
  /** `"context"` or `"process"` (see `SessionOptions.isolation`). */
  isolation?: "context" | "process";
  /** `"auto"`, `"bwrap"` or `"none"` (see `SessionOptions.osSandbox`). */
  osSandbox?: "auto" | "bwrap" | "none";
  /** The yield time of an `exec` whose pragma sets none, in milliseconds. */
  yieldTimeMs?: number;
  /** Type-check every cell before it runs. */
  typecheck?: boolean;
}

/**
 * The zod schema of the `"codecell"` block: strict, so a misspelt name is an error rather than silently ignored.
 *
 * @example
 * ```ts
 * CodecellSettingsSchema.parse({ pool: 1, limits: { heapMiB: 256 }, typecheck: true });
 * ```
 */
export const CodecellSettingsSchema: z.ZodType<CodecellSettings> = z.strictObject({
  pool: z.int().min(0).max(64).optional(),
  limits: SessionLimitsSchema.optional(),
  console: z.boolean().optional(),
  isolation: z.enum(["context", "process"]).optional(),
  osSandbox: z.enum(["auto", "bwrap", "none"]).optional(),
  yieldTimeMs: z.int().min(0).max(MAX_TIMER_MS).optional(),
  typecheck: z.boolean().optional(),
});

/** How a command-line flag sets one setting. */
export interface SettingFlag {
  /** `--heap-mib`. */
  flag: string;
  /** Where it goes in {@link CodecellSettings}: `["limits", "heapMiB"]`. */
  path: readonly [keyof CodecellSettings] | readonly ["limits", string];
  /** `integer` takes a whole number, `boolean` is `--flag` or `--flag=true|false`, `choice` one of `choices`. */
  kind: "integer" | "boolean" | "choice";
  choices?: readonly string[];
  /** One line for `--help`. */
  help: string;
}

/** Every setting flag, in the order `--help` lists them. */
export const SETTING_FLAGS: readonly SettingFlag[] = Object.freeze([
  {
    flag: "--pool",
    path: ["pool"],
    kind: "integer",
    help: `Warm sandboxes kept ready (0-64, default ${DEFAULT_POOL_SIZE})`,
  },
  {
    flag: "--heap-mib",
    path: ["limits", "heapMiB"],
    kind: "integer",
    help: `V8 heap per cell in MiB (default ${DEFAULT_LIMITS.heapMiB})`,
  },
  {
    flag: "--lifetime-ms",
    path: ["limits", "lifetimeMs"],
    kind: "integer",
    help: `Longest a cell may run, in ms (default ${DEFAULT_LIMITS.lifetimeMs})`,
  },
  {
    flag: "--output-bytes",
    path: ["limits", "outputBytes"],
    kind: "integer",
    help: `Undelivered output a cell may buffer, in bytes (default ${DEFAULT_LIMITS.outputBytes})`,
  },
  {
    flag: "--max-cells",
    path: ["limits", "maxCells"],
    kind: "integer",
    help: `Live cells per session (default ${DEFAULT_LIMITS.maxCells})`,
  },
  {
    flag: "--max-tool-calls-in-flight",
    path: ["limits", "maxToolCallsInFlight"],
    kind: "integer",
    help: `Concurrent tool calls per cell (default ${DEFAULT_LIMITS.maxToolCallsInFlight})`,
  },
  {
    flag: "--max-notifications",
    path: ["limits", "maxNotifications"],
    kind: "integer",
    help: `notify() calls per cell (default ${DEFAULT_LIMITS.maxNotifications})`,
  },
  {
    flag: "--stored-value-bytes",
    path: ["limits", "storedValueBytes"],
    kind: "integer",
    help: `Bytes of JSON in one stored value (default ${DEFAULT_LIMITS.storedValueBytes})`,
  },
  {
    flag: "--stored-bytes",
    path: ["limits", "storedBytes"],
    kind: "integer",
    help: `Bytes of JSON in all stored values of a session (default ${DEFAULT_LIMITS.storedBytes})`,
  },
  {
    flag: "--yield-time-ms",
    path: ["yieldTimeMs"],
    kind: "integer",
    help: `exec's yield time when its pragma sets none (default ${DEFAULT_YIELD_TIME_MS})`,
  },
  { flag: "--typecheck", path: ["typecheck"], kind: "boolean", help: "Type-check every cell before it runs" },
  { flag: "--console", path: ["console"], kind: "boolean", help: "console.* output becomes text (default true)" },
  {
    flag: "--isolation",
    path: ["isolation"],
    kind: "choice",
    choices: ["context", "process"],
    help: "context (default): a V8 context per cell; process: a process per cell",
  },
  {
    flag: "--os-sandbox",
    path: ["osSandbox"],
    kind: "choice",
    choices: ["auto", "bwrap", "none"],
    help: "The OS layer around sandboxes (default auto: bubblewrap when it works)",
  },
]);

/** The outcome of reading setting flags: settings, or one error naming the flag. */
export type SettingsFromFlags = { ok: true; value: CodecellSettings } | { ok: false; error: string };

/**
 * Turns setting flags (`--heap-mib` → `"256"`; a boolean flag given bare has the value `"true"`) into checked
 * settings.
 *
 * @example
 * ```ts
 * settingsFromFlags(new Map([["--heap-mib", "256"], ["--typecheck", "true"]]));
 * // { ok: true, value: { limits: { heapMiB: 256 }, typecheck: true } }
 * ```
 */
export function settingsFromFlags(flags: ReadonlyMap<string, string>): SettingsFromFlags {
  const settings: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  for (const spec of SETTING_FLAGS) {
    const raw = flags.get(spec.flag);
    if (raw === undefined) continue;
    const value = flagValue(spec, raw);
    if (typeof value === "object") return { ok: false, error: value.error };
    if (spec.path[0] === "limits") limits[spec.path[1] ?? ""] = value;
    else settings[spec.path[0]] = value;
  }
  if (Object.keys(limits).length > 0) settings.limits = limits;
  const parsed = CodecellSettingsSchema.safeParse(settings);
  if (parsed.success) return { ok: true, value: parsed.data };
  const [issue] = parsed.error.issues;
  const spec = SETTING_FLAGS.find((each) => each.path.join(".") === issue.path.map(String).join("."));
  return { ok: false, error: `${spec?.flag ?? issue.path.join(".")}: ${issue.message}` };
}

function flagValue(spec: SettingFlag, raw: string): number | boolean | string | { error: string } {
  switch (spec.kind) {
    case "integer":
      return /^\d+$/.test(raw)
        ? Number(raw)
        : { error: `${spec.flag} expects a whole number, got ${JSON.stringify(raw)}` };
    case "boolean":
      if (raw === "true" || raw === "false") return raw === "true";
      return { error: `${spec.flag} expects true or false, got ${JSON.stringify(raw)}` };
    case "choice":
      if (spec.choices?.includes(raw)) return raw;
      return { error: `${spec.flag} expects one of ${spec.choices?.join(", ")}, got ${JSON.stringify(raw)}` };
  }
}

/**
 * The config file's settings overridden by the command line's, limit by limit.
 *
 * @example
 * ```ts
 * mergeSettings({ pool: 1, limits: { heapMiB: 256 } }, { limits: { maxCells: 4 } });
 * // { pool: 1, limits: { heapMiB: 256, maxCells: 4 } }
 * ```
 */
export function mergeSettings(base: CodecellSettings, override: CodecellSettings): CodecellSettings {
  const merged: CodecellSettings = { ...base, ...override };
  if (base.limits !== undefined || override.limits !== undefined) {
    merged.limits = { ...base.limits, ...override.limits };
  }
  return merged;
}
