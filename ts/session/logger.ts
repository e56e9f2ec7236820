/**
 * A small structured logger for hosts and the `codecell` command (docs/architecture.md "Observe"): leveled lines
 * on stderr, as `key=value` text or one JSON object per line, never on stdout (a stdio MCP server's stdout carries
 * only the protocol). Messages and values come from cells and MCP servers too, so a line can never be split or
 * overwritten: control, bidi and separator characters are written as escapes (see `escapeInvisible`). {@linkcode eventLogger} writes a session's events to it at `debug`.
 *
 * @module
 */
import { z } from "zod";
import type { CodecellEvent, EventListener } from "./events.ts";
import { escapeInvisible } from "../contract/printable.ts";

/** The levels, most severe first; a logger at a level writes that level and the ones before it. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;

/** How much a logger writes. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `text`: `<time> <LEVEL> <message> key=value ...`; `json`: `{"time","level","msg",...fields}` per line. */
export type LogFormat = "text" | "json";

/** The fields of a line: names and JSON-able values. */
export type LogFields = Record<string, unknown>;

/** Writes leveled, structured lines. */
export interface Logger {
  /** The least severe level written. */
  readonly level: LogLevel;
  /** Whether a line at `level` would be written (so costly fields need not be built). */
  enabled(level: LogLevel): boolean;
  /** Writes a line at `error`: a failure. */
  error(message: string, fields?: LogFields): void;
  /** Writes a line at `warn`: something the operator should look at. */
  warn(message: string, fields?: LogFields): void;
  /** Writes a line at `info`: what a server does, such as one line per request. */
  info(message: string, fields?: LogFields): void;
  /** Writes a line at `debug`: detail, such as one line per cell and tool call. */
  debug(message: string, fields?: LogFields): void;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Default `"warn"`. */
  level?: LogLevel;
  /** Default `"text"`. */
  format?: LogFormat;
  /** Where each line goes (without its newline); default: stderr through `console.error`. */
  write?: (line: string) => void;
  /** The clock; for tests. */
  now?: () => Date;
}

const LogLevelSchema = z.enum(LOG_LEVELS);

/**
 * A log level from untrusted text (a `--log-level` flag, the `CODECELL_LOG` variable), any case; `undefined` when
 * it names none.
 */
export function parseLogLevel(text: unknown): LogLevel | undefined {
  const parsed = LogLevelSchema.safeParse(typeof text === "string" ? text.trim().toLowerCase() : text);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A logger writing lines at `level` and above.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", format: "json" });
 * log.info("http request", { method: "POST", status: 200, ms: 12 });
 * // {"time":"2026-12-05T08:00:00.000Z","level":"info","msg":"http request","method":"POST","status":200,"ms":12}
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "warn";
  const format = options.format ?? "text";
  const write = options.write ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => new Date());
  const rank = LOG_LEVELS.indexOf(level);
  const enabled = (at: LogLevel) => LOG_LEVELS.indexOf(at) <= rank;
  const line = (at: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (!enabled(at)) return;
    const time = now().toISOString();
    write(format === "json" ? jsonLine(time, at, message, fields) : textLine(time, at, message, fields));
  };
  return { level, enabled, error: line("error"), warn: line("warn"), info: line("info"), debug: line("debug") };
}

/**
 * A session `onEvent` listener that writes every event at `debug`: its type as the message, `context` (e.g. which
 * session) then its fields as fields (durations rounded to 0.1 ms).
 */
export function eventLogger(logger: Logger, context: LogFields = {}): EventListener {
  return (event: CodecellEvent) => {
    if (!logger.enabled("debug")) return;
    const { type, ...fields } = event;
    const rounded = Object.entries(fields).map(([key, value]) => [key, roundIfNumber(value)]);
    logger.debug(type, { ...context, ...Object.fromEntries(rounded) });
  };
}

/** Durations to 0.1 ms; whole numbers and other values as they are. */
function roundIfNumber(value: unknown): unknown {
  if (typeof value !== "number" || Number.isInteger(value)) return value;
  return Math.round(value * 10) / 10;
}

function jsonLine(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  // The fixed keys come first, and a field of the same name cannot replace them.
  const { time: _time, level: _level, msg: _msg, ...rest } = fields;
  return escapeInvisible(JSON.stringify({ time, level, msg, ...rest }));
}

function textLine(time: string, level: LogLevel, message: string, fields: LogFields): string {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${textValue(value)}`);
  return [time, level.toUpperCase(), escapeInvisible(message), ...pairs].join(" ");
}

/** A field's value in a text line: bare when it is a plain word or number, else JSON (quoted, escaped). */
function textValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string" && /^[\w.:/@-]+$/.test(value)) return value;
  return escapeInvisible(JSON.stringify(value) ?? String(value));
}
