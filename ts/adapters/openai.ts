/**
 * codecell for the OpenAI API (`openai`), entry `codecell/openai`: the tool definitions for the Responses API
 * (`exec` as a custom tool with a grammar, `wait` as a function) and for Chat Completions, and a tool call of
 * `exec` or `wait` run into the input item that answers it, typed as the SDK's own parameter types.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { responsesTools, runResponsesToolCall } from "codecell/openai";
 *
 * const response = await client.responses.create({ model, input, tools: responsesTools(session) });
 * for (const item of response.output) {
 *   const answer = await runResponsesToolCall(session, item);
 *   if (answer !== undefined) input.push(item, answer);
 * }
 * ```
 *
 * @module
 */
import type OpenAI from "openai";
import type { ContentItem, ToolResponse } from "../contract/items.ts";
import type { CodeModeSession } from "../session.ts";
import { itemsText } from "./content.ts";
import { type CallOptions, runFunctionCall } from "./dispatch.ts";

export type { CallOptions } from "./dispatch.ts";

type ResponsesInputItem = OpenAI.Responses.ResponseInputItem;
/** The input item answering an `exec` or `wait` call of the Responses API. */
export type ResponsesToolOutput =
  | OpenAI.Responses.ResponseInputItem.FunctionCallOutput
  | OpenAI.Responses.ResponseCustomToolCallOutput;

/**
 * `exec` (a custom tool: the model sends the cell's source as it is) and `wait` for the Responses API.
 *
 * @example
 * ```ts
 * await client.responses.create({ model, input, tools: responsesTools(session) });
 * ```
 */
export function responsesTools(
  session: CodeModeSession,
  options: { codeModeOnly?: boolean } = {},
): OpenAI.Responses.Tool[] {
  return session.toolSpecs("responses", options);
}

/**
 * The Responses API's content items for a response: codecell's items already have its shapes.
 *
 * @example
 * ```ts
 * responsesOutput([{ type: "input_text", text: "5" }]); // [{ type: "input_text", text: "5" }]
 * ```
 */
export function responsesOutput(items: readonly ContentItem[]): OpenAI.Responses.ResponseFunctionCallOutputItemList {
  return items.map((item): OpenAI.Responses.ResponseFunctionCallOutputItem =>
    item.type === "input_text"
      ? { type: "input_text", text: item.text }
      : { type: "input_image", image_url: item.image_url, detail: item.detail }
  );
}

/**
 * Runs an output item of the Responses API that calls `exec` or `wait` and resolves with the input item answering
 * it; `undefined` for any other item (messages, reasoning, other tools).
 *
 * @example
 * ```ts
 * const answer = await runResponsesToolCall(session, item, { signal });
 * ```
 */
export async function runResponsesToolCall(
  session: CodeModeSession,
  item: OpenAI.Responses.ResponseOutputItem | ResponsesInputItem,
  options: CallOptions = {},
): Promise<ResponsesToolOutput | undefined> {
  if (item.type === "custom_tool_call" && item.name === "exec") {
    const execOptions: { typecheck: boolean; signal?: AbortSignal } = { typecheck: options.typecheck ?? false };
    if (options.signal !== undefined) execOptions.signal = options.signal;
    const response = await session.execTool(item.input, execOptions);
    return { type: "custom_tool_call_output", call_id: item.call_id, output: responsesCustomOutput(response.items) };
  }
  if (item.type === "function_call") {
    const response = await runFunctionCall(session, item.name, item.arguments, options);
    if (response === undefined) return undefined;
    return { type: "function_call_output", call_id: item.call_id, output: responsesOutput(response.items) };
  }
  return undefined;
}

function responsesCustomOutput(
  items: readonly ContentItem[],
): (OpenAI.Responses.ResponseInputText | OpenAI.Responses.ResponseInputImage)[] {
  return items.map((item): OpenAI.Responses.ResponseInputText | OpenAI.Responses.ResponseInputImage =>
    item.type === "input_text"
      ? { type: "input_text", text: item.text }
      : { type: "input_image", image_url: item.image_url, detail: item.detail }
  );
}

/**
 * `exec` (taking `{code}`) and `wait` as Chat Completions function tools.
 *
 * @example
 * ```ts
 * await client.chat.completions.create({ model, messages, tools: chatTools(session) });
 * ```
 */
export function chatTools(
  session: CodeModeSession,
  options: { codeModeOnly?: boolean } = {},
): OpenAI.Chat.ChatCompletionTool[] {
  return session.toolSpecs("chat", options);
}

/**
 * The messages answering a Chat Completions tool call with a response: the `tool` message with its text and, when
 * the cell emitted images (a tool message takes text only), a `user` message carrying them.
 *
 * @example
 * ```ts
 * messages.push(...chatToolMessages(call.id, await session.execTool("text(1)")));
 * ```
 */
export function chatToolMessages(toolCallId: string, response: ToolResponse): OpenAI.Chat.ChatCompletionMessageParam[] {
  const texts = response.items.filter((item) => item.type === "input_text");
  const images = response.items.flatMap((item) => item.type === "input_image" ? [item] : []);
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "tool", tool_call_id: toolCallId, content: itemsText(texts) },
  ];
  if (images.length > 0) {
    messages.push({
      role: "user",
      content: images.map((image): OpenAI.Chat.ChatCompletionContentPartImage => ({
        type: "image_url",
        image_url: { url: image.image_url, detail: image.detail === "original" ? "high" : image.detail },
      })),
    });
  }
  return messages;
}

/**
 * Runs a Chat Completions tool call of `exec` or `wait` and resolves with the messages answering it; `undefined`
 * for another tool, which the caller runs itself.
 *
 * @example
 * ```ts
 * for (const call of message.tool_calls ?? []) messages.push(...(await runChatToolCall(session, call)) ?? []);
 * ```
 */
export async function runChatToolCall(
  session: CodeModeSession,
  call: OpenAI.Chat.ChatCompletionMessageToolCall,
  options: CallOptions = {},
): Promise<OpenAI.Chat.ChatCompletionMessageParam[] | undefined> {
  if (call.type !== "function") return undefined;
  const response = await runFunctionCall(session, call.function.name, call.function.arguments, options);
  return response === undefined ? undefined : chatToolMessages(call.id, response);
}
