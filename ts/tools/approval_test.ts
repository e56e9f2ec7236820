// The approval step on its own: which calls ask, what counts as an approval, and a cell that ends meanwhile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { type ApprovalRequest, approveCall } from "./approval.ts";
import {
  toolApprovalCheckFailed,
  toolApprovalFailed,
  toolCallDenied,
  toolCallNeedsApprover,
} from "../contract/messages.ts";

function request(signal = new AbortController().signal): ApprovalRequest {
  return { cellId: "1", callId: "2", tool: "rm", args: { path: "/tmp/x" }, signal };
}

test("a tool that never needs approval runs without asking", async () => {
  const asked: ApprovalRequest[] = [];
  const outcome = await approveCall(false, request(), (r) => asked.push(r) > 0);
  assert.deepEqual([outcome, asked], [{ ok: true }, []]);
});

test("the approver is asked with the request, and only true approves", async () => {
  const req = request();
  const asked: ApprovalRequest[] = [];
  assert.deepEqual(await approveCall(true, req, (r) => asked.push(r) > 0), { ok: true });
  assert.equal(asked[0], req);
  // A JavaScript approver may answer anything: JSON.parse gives the untyped value such a caller would.
  for (const answer of [false, null, "yes", 1, "true"]) {
    assert.deepEqual(
      await approveCall(true, req, () => JSON.parse(JSON.stringify(answer))),
      { ok: false, error: toolCallDenied("rm") },
      String(answer),
    );
  }
});

test("a predicate decides per call, on the arguments, and may be async", async () => {
  const seen: unknown[] = [];
  const onlyEtc = async (args: unknown) => {
    seen.push(args);
    return await Promise.resolve(JSON.stringify(args).includes("/etc"));
  };
  assert.deepEqual(await approveCall(onlyEtc, request(), () => false), { ok: true });
  assert.deepEqual(
    await approveCall(onlyEtc, { ...request(), args: { path: "/etc/passwd" } }, () => false),
    { ok: false, error: toolCallDenied("rm") },
  );
  assert.deepEqual(seen, [{ path: "/tmp/x" }, { path: "/etc/passwd" }]);
});

test("without an approver, a call that needs approval is refused", async () => {
  assert.deepEqual(await approveCall(true, request(), undefined), { ok: false, error: toolCallNeedsApprover("rm") });
});

test("a predicate or an approver that throws refuses the call with its message", async () => {
  const boom = () => {
    throw new Error("boom");
  };
  assert.deepEqual(await approveCall(boom, request(), () => true), {
    ok: false,
    error: toolApprovalCheckFailed("rm", "boom"),
  });
  assert.deepEqual(await approveCall(true, request(), boom), { ok: false, error: toolApprovalFailed("rm", "boom") });
  assert.deepEqual(await approveCall(true, request(), () => Promise.reject(new Error("offline"))), {
    ok: false,
    error: toolApprovalFailed("rm", "offline"),
  });
});

test("a cell that ends while the host decides refuses the call at once, and leaves no listener behind", async () => {
  const controller = new AbortController();
  let asked!: () => void;
  const askedPromise = new Promise<void>((resolve) => (asked = resolve));
  let answer!: (approved: boolean) => void;
  const pending = approveCall(true, request(controller.signal), () => {
    asked();
    return new Promise<boolean>((resolve) => (answer = resolve));
  });
  await askedPromise;
  assert.equal(getEventListeners(controller.signal, "abort").length, 1);
  controller.abort();
  assert.deepEqual(await pending, { ok: false, error: toolCallDenied("rm") });
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  answer(true); // too late: nothing runs
});

test("an approval that arrives after the cell ended does not run the call", async () => {
  const controller = new AbortController();
  const outcome = await approveCall(true, request(controller.signal), () => {
    controller.abort();
    return true;
  });
  assert.deepEqual(outcome, { ok: false, error: toolCallDenied("rm") });
});
