import { test } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "@modelcontextprotocol/server";
import { askUser, type Elicit, type ObservingCall, oneAtATime, type Turn } from "./ask_user.ts";
import { approvalQuestion } from "../contract/messages.ts";

function request(signal = new AbortController().signal) {
  return { cellId: "1", callId: "1", tool: "delete_file", args: { path: "/tmp/a" }, signal };
}

/** Observers handed out in turn, and the elicitations sent (with the request each travelled with). */
function fakes(observers: ObservingCall[], answers: ((requestId: string | number) => Promise<{ action: string }>)[]) {
  const sent: (string | number)[] = [];
  const messages: string[] = [];
  const nextObserver = () => Promise.resolve(observers.shift());
  const elicit: Elicit = (params, options) => {
    sent.push(options.relatedRequestId);
    messages.push(params.message);
    const answer = answers.shift();
    return answer === undefined ? Promise.reject(new Error("no answer scripted")) : answer(options.relatedRequestId);
  };
  const turn: Turn = (_signal, ask) => ask();
  return { sent, messages, via: { nextObserver, elicit, turn } };
}

test("the question travels with the observing call, and only accept approves", async () => {
  for (const [action, approved] of [["accept", true], ["decline", false], ["cancel", false]] as const) {
    const { sent, messages, via } = fakes([{ requestId: 7, answered: false }], [
      () => Promise.resolve({ action }),
    ]);
    assert.equal(await askUser(request(), via), approved, action);
    assert.deepEqual([sent, messages], [[7], [approvalQuestion("delete_file", '{"path":"/tmp/a"}', true)]]);
  }
});

test("a question whose call was answered as it was sent is asked again with the next call", async () => {
  const { sent, via } = fakes([{ requestId: 1, answered: true }, { requestId: 2, answered: false }], [
    () => Promise.reject(new Error("No connection established for request ID: 1")),
    () => Promise.resolve({ action: "accept" }),
  ]);
  assert.equal(await askUser(request(), via), true);
  assert.deepEqual(sent, [1, 2]);
});

test("a client's error answer, or a failure while the call is open, fails the approval without asking again", async () => {
  const clientError = new ProtocolError(-32603, "the dialog crashed");
  const cases: [ObservingCall, Error][] = [
    [{ requestId: 1, answered: true }, clientError],
    [{ requestId: 1, answered: false }, new Error("stream closed")],
  ];
  for (const [observer, error] of cases) {
    const { sent, via } = fakes([observer, { requestId: 2, answered: false }], [
      () => Promise.reject(error),
    ]);
    await assert.rejects(askUser(request(), via), error);
    assert.deepEqual(sent, [1]);
  }
});

test("no observing call before the cell ends means no question and no approval", async () => {
  const { sent, via } = fakes([], []);
  assert.equal(await askUser(request(), via), false);
  assert.deepEqual(sent, []);
});

test("questions take turns: each starts once the earlier ones ended, and a withdrawn one lets no later one overtake", async () => {
  const turn = oneAtATime();
  const log: string[] = [];
  let answerFirst!: (answer: string) => void;
  const first = new Promise<string>((resolve) => (answerFirst = resolve));
  const withdrawn = new AbortController();
  const ask = (name: string, answer: Promise<string>) => () => {
    log.push(`ask ${name}`);
    return answer;
  };
  const one = turn(new AbortController().signal, ask("one", first));
  const two = turn(withdrawn.signal, ask("two", Promise.resolve("2")));
  const three = turn(new AbortController().signal, ask("three", Promise.resolve("3")));
  withdrawn.abort();
  assert.equal(await two, undefined);
  // Give a third question that wrongly overtook the first every chance to start before the first is answered.
  await new Promise((resolve) => setImmediate(resolve));
  log.push("one answered");
  answerFirst("1");
  assert.deepEqual([await one, await three], ["1", "3"]);
  assert.deepEqual(log, ["ask one", "one answered", "ask three"]);
});
