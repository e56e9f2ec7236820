/**
 * codecell for the Vercel AI SDK (v6), entry `codecell/ai-sdk`: a session's `exec` and `wait` as AI SDK tools.
 *
 * - Inputs are zod schemas with the descriptions of `toolSpecs`.
 * - `notify()` in a cell reaches the caller as preliminary results (`{ type: "progress", notifications }`) of the
 *   tool call that waits on the cell; the final result is the tool response.
 * - `toModelOutput` gives the model the response's text and images; a failed cell is an error result.
 * - The step's `abortSignal` terminates the cell.
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs } from "ai";
 * import { CodeModeSession } from "codecell";
 * import { codecellTools } from "codecell/ai-sdk";
 *
 * await using session = new CodeModeSession({ tools: [lookupOrder] });
 * const result = await generateText({ model, tools: codecellTools(session), stopWhen: stepCountIs(8), prompt });
 * ```
 *
 * @module
 */
import { type Tool, tool } from "ai";
import type { CodeModeSession } from "../session.ts";
import { type CodecellToolOutput, withProgress } from "./progress.ts";
import { type ExecInput, execInput, execSource, waitArguments, type WaitInput, waitInput } from "./inputs.ts";
import { imageData, itemsText } from "./content.ts";
import { toolDescriptions } from "./descriptions.ts";

export type { CodecellToolOutput } from "./progress.ts";
export type { ExecInput, WaitInput } from "./inputs.ts";

/** What a tool gives the model for its output (the AI SDK's `ToolResultOutput`, which `ai` does not export). */
export type ModelOutput = Awaited<ReturnType<NonNullable<Tool<ExecInput, CodecellToolOutput>["toModelOutput"]>>>;

/** Options of {@linkcode codecellTools}. */
export interface CodecellToolsOptions {
  /** The model has no tools but these two: `exec`'s description carries every nested tool's full declaration. */
  codeModeOnly?: boolean;
  /** Type-check each cell before it runs (see `ExecOptions.typecheck`). */
  typecheck?: boolean;
}

/**
 * The two AI SDK tools, to pass as `tools` or spread into it (their names are the keys). A type alias, so it is
 * assignable to the SDK's `ToolSet` (an index signature).
 */
export type CodecellTools = {
  /** Runs a cell. */
  exec: Tool<ExecInput, CodecellToolOutput>;
  /** Resumes or terminates a running cell. */
  wait: Tool<WaitInput, CodecellToolOutput>;
};

/**
 * The session's `exec` and `wait` as AI SDK tools.
 *
 * @example
 * ```ts
 * const result = await generateText({ model, tools: { ...codecellTools(session), ...otherTools }, prompt });
 * ```
 */
export function codecellTools(session: CodeModeSession, options: CodecellToolsOptions = {}): CodecellTools {
  const specOptions = { codeModeOnly: options.codeModeOnly ?? false };
  const typecheck = options.typecheck ?? false;
  // Getters: the SDK reads a description at every step, so a session whose tools change (a `toolSource`, such as
  // MCP servers) describes the tools the next cell will have.
  return {
    exec: tool<ExecInput, CodecellToolOutput>({
      get description() {
        return toolDescriptions(session, specOptions).exec;
      },
      inputSchema: execInput,
      execute: (input, { abortSignal }) =>
        withProgress((onNotify) => session.execTool(execSource(input), { signal: abortSignal, onNotify, typecheck })),
      toModelOutput: ({ output }) => modelOutput(output),
    }),
    wait: tool<WaitInput, CodecellToolOutput>({
      get description() {
        return toolDescriptions(session, specOptions).wait;
      },
      inputSchema: waitInput,
      execute: (input, { abortSignal }) =>
        withProgress((onNotify) => session.waitTool(waitArguments(input), { signal: abortSignal, onNotify })),
      toModelOutput: ({ output }) => modelOutput(output),
    }),
  };
}

/**
 * What the model is given for a tool's final output: its text and images, or an error result with its text when
 * the cell failed or the call was refused.
 *
 * @example
 * ```ts
 * modelOutput({ type: "response", success: true, items: [{ type: "input_text", text: "5" }] });
 * // { type: "content", value: [{ type: "text", text: "5" }] }
 * ```
 */
export function modelOutput(output: CodecellToolOutput): ModelOutput {
  if (output.type === "progress") return { type: "text", value: output.notifications.join("\n") };
  if (!output.success) return { type: "error-text", value: itemsText(output.items) };
  return {
    type: "content",
    value: output.items.map((item) => {
      if (item.type === "input_text") return { type: "text", text: item.text };
      const image = imageData(item);
      return image === undefined
        ? { type: "text", text: itemsText([item]) }
        : { type: "image-data", data: image.data, mediaType: image.mediaType };
    }),
  };
}
