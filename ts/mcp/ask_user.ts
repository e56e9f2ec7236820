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
import { type ApprovalRequest, untilAborted } from "../tools/approval.ts";
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

/** How {@linkcode askUser} reaches the client. */
export interface AskUserVia {
  /** The call observing the cell now, or the next one to; `undefined` once the signal aborts first. */
  nextObserver: (cellId: string, signal: AbortSignal) => Promise<ObservingCall | undefined>;
  /** Sends the question. */
  elicit: Elicit;
  /** Takes the question's turn among the session's questions (see {@linkcode oneAtATime}). */
  turn: Turn;
}

/** Runs `ask` when it is its turn; `undefined`, without running it, when `signal` aborts first. */
export type Turn = <T>(signal: AbortSignal, ask: () => Promise<T>) => Promise<T | undefined>;

/**
 * Asks the client's user whether a cell's tool call may run; `true` only when the user accepts. The question waits
 * for a client call observing the cell (a cell that yielded asks once the client waits on it again), for its turn
 * (one question at a time per session), and for the answer, as long as the cell lives: `request.signal` withdraws
 * it. A question whose call was answered just as it was sent never reached the client, so it is asked again with
 * the next call.
 */
export async function askUser(request: ApprovalRequest, via: AskUserVia): Promise<boolean> {
  const preview = previewArguments(request.args);
  const params: ElicitRequestFormParams = {
    mode: "form",
    message: approvalQuestion(request.tool, preview.text, preview.complete),
    requestedSchema: { type: "object", properties: {} },
  };
  for (;;) {
    const observer = await via.nextObserver(request.cellId, request.signal);
    if (observer === undefined) return false;
    try {
      const answer = await via.turn(request.signal, () =>
        via.elicit(params, {
          signal: request.signal,
          timeout: MAX_TIMER_MS,
          relatedRequestId: observer.requestId,
        }));
      return answer?.action === "accept";
    } catch (error) {
      // A JSON-RPC error is the client's answer; anything else after the call was answered is a send that failed.
      if (observer.answered && !request.signal.aborted && !(error instanceof ProtocolError)) continue;
      throw error;
    }
  }
}

/**
 * Turns for questions to one user: each runs once every earlier one has ended (answered, failed or withdrawn), so
 * a cell making many calls at once shows one dialog after another, not all of them together. A question withdrawn
 * while it waits gives up its turn without letting later ones overtake those still before it.
 */
export function oneAtATime(): Turn {
  let last: Promise<void> = Promise.resolve();
  return async (signal, ask) => {
    const before = last;
    let done!: () => void;
    last = new Promise((resolve) => (done = resolve));
    let started = false;
    try {
      if (await untilAborted(signal, () => before.then(() => true)) === undefined) return undefined;
      started = true;
      return await ask();
    } finally {
      if (started) done();
      else void before.then(done);
    }
  };
}
