/**
 * A stdio MCP server's stderr, line by line with its name in front (`[github] listening...`), so that several
 * servers and codecell itself can share one terminal (README, "Put codecell in front of your MCP servers").
 *
 * @module
 */
import { StringDecoder } from "node:string_decoder";
import type { Stream } from "node:stream";
import type { Buffer } from "node:buffer";

/** Longest line kept whole; a longer one is cut into pieces of this size, each prefixed. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * Reads `stream` to its end and hands each line, prefixed with `[<server>] ` and ending in a newline, to `write`.
 *
 * @example
 * ```ts
 * prefixLines(transport.stderr, "github", (line) => process.stderr.write(line));
 * ```
 */
export function prefixLines(stream: Stream, server: string, write: (line: string) => void): void {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const emit = (line: string) => write(`[${server}] ${line}\n`);
  stream.on("data", (chunk: Buffer | string) => {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) emit(line);
    while (pending.length > MAX_LINE_CHARS) {
      emit(pending.slice(0, MAX_LINE_CHARS));
      pending = pending.slice(MAX_LINE_CHARS);
    }
  });
  stream.on("end", () => {
    pending += decoder.end();
    if (pending !== "") emit(pending);
    pending = "";
  });
  stream.on("error", () => {});
}
