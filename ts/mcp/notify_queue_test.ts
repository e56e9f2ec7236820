import { test } from "node:test";
import assert from "node:assert/strict";
import { NotifyQueue } from "./notify_queue.ts";

/** A receiver that takes one notification each time `release()` is called, like a client that reads slowly. */
function slowReceiver() {
  const received: string[] = [];
  const gates: (() => void)[] = [];
  const arrived: (() => void)[] = [];
  return {
    received,
    send: (text: string) => () =>
      new Promise<void>((resolve) => {
        gates.push(() => {
          received.push(text);
          resolve();
        });
        arrived.shift()?.();
      }),
    /** Resolves once a send is waiting at the gate. */
    waiting: () => (gates.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => arrived.push(resolve))),
    release: () => gates.shift()?.(),
  };
}

test("a queue holds at most its capacity for a slow receiver and replaces the rest by one marker", async () => {
  const receiver = slowReceiver();
  const queue = new NotifyQueue({
    capacity: 3,
    sendDropped: (count) => Promise.resolve(void receiver.received.push(`dropped ${count}`)),
  });
  for (let index = 1; index <= 10; index++) queue.push(receiver.send(`n${index}`));
  // n1 is being sent; n2..n4 wait; n5..n10 were dropped.
  assert.equal(queue.size, 3);
  queue.push(receiver.send("n11")); // still full: dropped too
  for (let index = 0; index < 4; index++) {
    await receiver.waiting();
    receiver.release();
  }
  await queue.idle();
  assert.deepEqual(receiver.received, ["n1", "n2", "n3", "n4", "dropped 7"]);
});

test("a queue that never fills sends everything in order and no marker", async () => {
  const sent: string[] = [];
  const queue = new NotifyQueue({ capacity: 2, sendDropped: () => Promise.resolve(void sent.push("marker")) });
  for (const text of ["a", "b"]) queue.push(() => Promise.resolve(void sent.push(text)));
  await queue.idle();
  queue.push(() => Promise.resolve(void sent.push("c")));
  await queue.idle();
  assert.deepEqual(sent, ["a", "b", "c"]);
});
