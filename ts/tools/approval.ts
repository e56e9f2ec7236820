/**
 * Approvals (docs/contract.md §5): a tool declared with `needsApproval` pauses at each call, after its arguments
 * were validated and before its handler runs, until the host's `approve` answers. Only `true` approves; a denial,
 * a missing approver, a failing check, or a cell that ends meanwhile all keep the handler from running, and the
 * call rejects inside the cell with a message the model can act on.
 *
 * @module
 */
import {
  toolApprovalCheckFailed,
  toolApprovalFailed,
  toolCallDenied,
  toolCallNeedsApprover,
} from "../contract/messages.ts";

/** Whether a tool's calls need the host's approval: always, or when the predicate says so for these arguments. */
export type NeedsApproval<Args> = boolean | ((args: Args) => boolean | PromiseLike<boolean>);

/** What the host's `approve` is asked. */
export interface ApprovalRequest {
  /** The calling cell. */
  cellId: string;
  /** The call, unique within the cell. */
  callId: string;
  /** The tool's global name (`tools.<name>`). */
  tool: string;
  /** The validated arguments (a freeform tool's string). */
  args: unknown;
  /** Aborted when the cell ends (terminated, a limit, the session closing) while the host decides. */
  signal: AbortSignal;
}

/** The host's decision on a call: `true` runs it, anything else rejects it in the cell. */
export type Approver = (request: ApprovalRequest) => boolean | PromiseLike<boolean>;

/** The outcome of the approval step: run the handler, or reject the call with `error`. */
export type ApprovalOutcome = { ok: true } | { ok: false; error: string };

/**
 * Decides whether a call runs: asks `needsApproval` about its arguments, then `approve`. Never throws; an `approve`
 * that has not answered when `request.signal` aborts is no longer waited for.
 */
export async function approveCall(
  needsApproval: NeedsApproval<unknown>,
  request: ApprovalRequest,
  approve: Approver | undefined,
): Promise<ApprovalOutcome> {
  const { tool, args, signal } = request;
  if (needsApproval === false) return { ok: true };
  if (needsApproval !== true) {
    let needed: unknown;
    try {
      needed = await needsApproval(args);
    } catch (error) {
      return { ok: false, error: toolApprovalCheckFailed(tool, messageOf(error)) };
    }
    if (needed === false) return { ok: true };
  }
  if (approve === undefined) return { ok: false, error: toolCallNeedsApprover(tool) };
  let approved: unknown;
  try {
    approved = await untilAborted(signal, () => approve(request));
  } catch (error) {
    return { ok: false, error: toolApprovalFailed(tool, messageOf(error)) };
  }
  // A decision that arrives after the cell ended must not run the handler.
  if (approved !== true || signal.aborted) return { ok: false, error: toolCallDenied(tool) };
  return { ok: true };
}

/**
 * What `ask` resolves with, or `undefined` once `signal` aborts first (`ask` is not called when it already has;
 * the abort listener is removed either way).
 */
export function untilAborted<T>(signal: AbortSignal, ask: () => T | PromiseLike<T>): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const aborted = () => resolve(undefined);
    signal.addEventListener("abort", aborted, { once: true });
    Promise.resolve()
      .then(ask)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", aborted));
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
