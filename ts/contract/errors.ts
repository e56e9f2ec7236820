/**
 * Local errors of the host library (never sent over the wire, never shown to the model as such).
 *
 * @module
 */

/** Codes of {@linkcode CodecellError}. */
export type CodecellErrorCode =
  | "deno_not_found"
  | "tool_name_collision"
  | "invalid_tool"
  | "invalid_options"
  | "unsafe_cache_dir";

/**
 * An error of codecell itself (bad configuration, a missing Deno binary), as opposed to an error of a cell.
 *
 * @example
 * ```ts
 * try { new CodeModeSession({ tools: [a, a] }); } catch (e) { if (e instanceof CodecellError) console.log(e.code); }
 * ```
 */
export class CodecellError extends Error {
  /** Creates an error with its `code` and a human-readable `message`. */
  constructor(readonly code: CodecellErrorCode, message: string) {
    super(message);
    this.name = "CodecellError";
  }
}
