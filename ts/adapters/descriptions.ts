/**
 * The descriptions of `exec` and `wait` for a session, as its `toolSpecs` give them for a function-calling API.
 *
 * @module
 */
import type { CodeModeSession } from "../session.ts";

/** What the model reads about each of the two tools. */
export interface ToolDescriptions {
  /** `exec`: what a cell can do, the yield/wait model, the limits and the session's tools. */
  exec: string;
  /** `wait`: how to resume or terminate a running cell. */
  wait: string;
}

/**
 * The descriptions of `exec` (taking `{code}`) and `wait` for `session`.
 *
 * @example
 * ```ts
 * const { exec, wait } = toolDescriptions(session, { codeModeOnly: true });
 * ```
 */
export function toolDescriptions(session: CodeModeSession, options: { codeModeOnly?: boolean } = {}): ToolDescriptions {
  const specs = session.toolSpecs("chat", options);
  const of = (name: string) => specs.find((spec) => spec.function.name === name)?.function.description ?? "";
  return { exec: of("exec"), wait: of("wait") };
}
