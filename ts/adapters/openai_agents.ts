/**
 * codecell for the OpenAI Agents SDK (`@openai/agents`), entry `codecell/openai-agents`: a session's `exec` and
 * `wait` as function tools of an `Agent`.
 *
 * - Strict-mode schemas (structured outputs): every field required, `wait`'s optional ones nullable (`null` means
 *   absent, so the defaults apply).
 * - The cell's text items become the SDK's text outputs and its images the SDK's image outputs.
 * - The run's abort signal terminates the cell.
 *
 * @example
 * ```ts
 * import { Agent, run } from "@openai/agents";
 * import { CodeModeSession } from "codecell";
 * import { codecellTools } from "codecell/openai-agents";
 *
 * await using session = new CodeModeSession({ tools: [lookupOrder] });
 * const agent = new Agent({ name: "orders", instructions: "Answer with code.", tools: codecellTools(session) });
 * const result = await run(agent, "Which orders are pending?");
 * ```
 *
 * @module
 */
import { type FunctionTool, tool, type ToolOutputImage, type ToolOutputText } from "@openai/agents";
import type { ContentItem } from "../contract/items.ts";
import type { CodeModeSession } from "../session.ts";
import { execSource, strictExecInput, strictWaitInput, waitArguments } from "./inputs.ts";
import { imageData, itemsText } from "./content.ts";
import { toolDescriptions } from "./descriptions.ts";

/** One output item of the tools: the SDK's text and image outputs. */
export type AgentsToolOutput = ToolOutputText | ToolOutputImage;

/** Options of {@linkcode codecellTools}. */
export interface CodecellAgentsToolsOptions {
  /** The agent has no tools but these two: `exec`'s description carries every nested tool's full declaration. */
  codeModeOnly?: boolean;
  /** Type-check each cell before it runs (see `ExecOptions.typecheck`). */
  typecheck?: boolean;
}

/** The `exec` and `wait` function tools. */
export type CodecellAgentsTools = [
  exec: FunctionTool<unknown, typeof strictExecInput, AgentsToolOutput[]>,
  wait: FunctionTool<unknown, typeof strictWaitInput, AgentsToolOutput[]>,
];

/**
 * The session's `exec` and `wait` as function tools for an `Agent`.
 *
 * @example
 * ```ts
 * const agent = new Agent({ name: "orders", tools: [...codecellTools(session), otherTool] });
 * ```
 */
export function codecellTools(session: CodeModeSession, options: CodecellAgentsToolsOptions = {}): CodecellAgentsTools {
  const descriptions = toolDescriptions(session, { codeModeOnly: options.codeModeOnly ?? false });
  const typecheck = options.typecheck ?? false;
  const exec = tool<typeof strictExecInput, unknown, AgentsToolOutput[]>({
    name: "exec",
    description: descriptions.exec,
    parameters: strictExecInput,
    strict: true,
    execute: async (input, _context, details): Promise<AgentsToolOutput[]> => {
      const response = await session.execTool(execSource(input), { signal: details?.signal, typecheck });
      return agentsOutput(response.items);
    },
  });
  const wait = tool<typeof strictWaitInput, unknown, AgentsToolOutput[]>({
    name: "wait",
    description: descriptions.wait,
    parameters: strictWaitInput,
    strict: true,
    execute: async (input, _context, details): Promise<AgentsToolOutput[]> => {
      const response = await session.waitTool(waitArguments(input), { signal: details?.signal });
      return agentsOutput(response.items);
    },
  });
  return [exec, wait];
}

/**
 * A response's items as the SDK's tool outputs.
 *
 * @example
 * ```ts
 * agentsOutput([{ type: "input_text", text: "5" }]); // [{ type: "text", text: "5" }]
 * ```
 */
export function agentsOutput(items: readonly ContentItem[]): AgentsToolOutput[] {
  return items.map((item): AgentsToolOutput => {
    if (item.type === "input_text") return { type: "text", text: item.text };
    if (imageData(item) === undefined) return { type: "text", text: itemsText([item]) };
    return { type: "image", image: item.image_url, detail: item.detail };
  });
}
