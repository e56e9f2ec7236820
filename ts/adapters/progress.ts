/**
 * A tool call's notifications as they happen, then its response: the shape of the AI SDK's preliminary results
 * (every value an `execute` generator yields before its last).
 *
 * @module
 */
import type { ContentItem, ToolResponse } from "../contract/items.ts";
import type { NotifyListener } from "../cell/options.ts";

/** What the `exec` and `wait` tools of an SDK produce: progress while the cell runs, then the tool response. */
export type CodecellToolOutput =
  /** The cell's `notify()` texts so far, while this call waits on it (a preliminary result). */
  | { type: "progress"; notifications: string[] }
  /** The tool response, as `execTool`/`waitTool` give it. */
  | { type: "response"; success: boolean; items: ContentItem[] };

/**
 * Runs a tool call and yields `progress` after each notification it receives, then its `response` (last).
 *
 * @example
 * ```ts
 * for await (const output of withProgress((onNotify) => session.execTool(code, { onNotify }))) console.log(output);
 * ```
 */
export async function* withProgress(
  call: (onNotify: NotifyListener) => Promise<ToolResponse>,
): AsyncGenerator<CodecellToolOutput, void, undefined> {
  const notifications: string[] = [];
  let response: ToolResponse | undefined;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  call(({ text }) => {
    notifications.push(text);
    wake?.();
  }).then(
    (value) => {
      response = value;
      wake?.();
    },
    (error: unknown) => {
      failure = { error };
      wake?.();
    },
  );
  let reported = 0;
  while (true) {
    if (notifications.length > reported) {
      reported = notifications.length;
      yield { type: "progress", notifications: [...notifications] };
    } else if (failure !== undefined) {
      throw failure.error;
    } else if (response !== undefined) {
      yield { type: "response", success: response.success, items: response.items };
      return;
    } else {
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
}
