/**
 * `codecell mcp`'s answer to a session's `approve` (README, "Approvals, logs and traces"): the question goes to the
 * client's user through MCP elicitation, sent with the client's `exec` or `wait` call observing the cell, since over
 * streamable HTTP a request to the client needs a stream to travel on.
 *
 * @module
 */
import { type ElicitRequestFormParams, ProtocolError } from "@modelcontextprotocol/server";
import { approvalQuestion } from "../contract/messages.ts";
import { MAX_TIMER_MS } from "../contract/defaults.ts";
import type { ApprovalRequest } from "../tools/approval.ts";
import { previewArguments } from "./args_preview.ts";

/** A client call observing a cell. */
export interface ObservingCall {
  /** The id of the client's request. */
  readonly requestId: string | number;
  /** Whether the call has been answered (its stream may be gone). */
  readonly answered: boolean;
}

/** Sends an elicitation request to the client and resolves with the user's answer. */
export type Elicit = (
  params: ElicitRequestFormParams,
  options: { signal: AbortSignal; timeout: number; relatedRequestId: string | number },
) => Promise<{ action: string }>;

/**
 * Asks the client's user whether a cell's tool call may run; `true` only when the user accepts. The question waits
 * for a client call observing the cell (a cell that yielded asks once the client waits on it again) and for the
 * answer, as long as the cell lives: `request.signal` withdraws it. A question whose call was answered just as it
 * was sent never reached the client, so it is asked again with the next call.
 */
export async function askUser(
  request: ApprovalRequest,
  nextObserver: (cellId: string, signal: AbortSignal) => Promise<ObservingCall | undefined>,
  elicit: Elicit,
): Promise<boolean> {
  const preview = previewArguments(request.args);
  const params: ElicitRequestFormParams = {
    mode: "form",
    message: approvalQuestion(request.tool, preview.text, preview.complete),
    requestedSchema: { type: "object", properties: {} },
  };
  for (;;) {
    const observer = await nextObserver(request.cellId, request.signal);
    if (observer === undefined) return false;
    try {
      const answer = await elicit(params, {
        signal: request.signal,
        timeout: MAX_TIMER_MS,
        relatedRequestId: observer.requestId,
      });
      return answer.action === "accept";
    } catch (error) {
      // A JSON-RPC error is the client's answer; anything else after the call was answered is a send that failed.
      if (observer.answered && !request.signal.aborted && !(error instanceof ProtocolError)) continue;
      throw error;
    }
  }
}
