import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeFrame, FrameDecoder, FrameTooLargeError, MAX_FRAME_BYTES } from "./codec.ts";
import { SandboxToHost } from "./wire.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

test("a frame is one JSON text and a newline, with newlines inside strings escaped", () => {
  assert.equal(encodeFrame({ type: "output/text", text: "a\nb" }), '{"type":"output/text","text":"a\\nb"}\n');
});

test("the decoder returns each complete frame of a chunk in order", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(bytes('{"a":1}\n{"b":2}\n')), ['{"a":1}', '{"b":2}']);
  assert.equal(decoder.pendingBytes, 0);
});

test("a partial frame is held until its newline arrives, across any number of chunks", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(bytes('{"te')), []);
  assert.deepEqual(decoder.push(bytes('xt":')), []);
  assert.equal(decoder.pendingBytes, 8);
  assert.deepEqual(decoder.push(bytes('"x"}\n{"n')), ['{"text":"x"}']);
  assert.equal(decoder.pendingBytes, 3);
});

test("a UTF-8 character cut between chunks decodes whole", () => {
  const decoder = new FrameDecoder();
  const all = bytes('"€"\n');
  assert.deepEqual(decoder.push(all.subarray(0, 2)), []);
  assert.deepEqual(decoder.push(all.subarray(2)), ['"€"']);
});

test("clean end of stream leaves nothing pending", () => {
  const decoder = new FrameDecoder();
  decoder.push(bytes("{}\n"));
  assert.equal(decoder.pendingBytes, 0);
});

test("invalid UTF-8 in a frame is an error, not replacement characters", () => {
  const decoder = new FrameDecoder();
  assert.throws(() => decoder.push(new Uint8Array([0x22, 0xff, 0x22, 0x0a])), TypeError);
});

test("a frame over MAX_FRAME_BYTES is refused before it is buffered", () => {
  const decoder = new FrameDecoder();
  const chunk = new Uint8Array(1024 * 1024).fill(0x61);
  let error: unknown;
  try {
    for (let sent = 0; sent <= MAX_FRAME_BYTES; sent += chunk.length) decoder.push(chunk);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof FrameTooLargeError);
  assert.equal(error.code, "frame_too_large");
  assert.ok(decoder.pendingBytes <= MAX_FRAME_BYTES);
});

test("a frame of exactly MAX_FRAME_BYTES is accepted", () => {
  const decoder = new FrameDecoder();
  const frame = new Uint8Array(MAX_FRAME_BYTES + 1).fill(0x61);
  frame[MAX_FRAME_BYTES] = 0x0a;
  assert.equal(decoder.push(frame)[0].length, MAX_FRAME_BYTES);
});

test("malformed JSON and unknown message shapes are rejected by the message schema", () => {
  assert.throws(() => JSON.parse("{nope"), SyntaxError);
  assert.equal(SandboxToHost.safeParse({ type: "output/text" }).success, false);
  assert.equal(SandboxToHost.safeParse({ type: "output/text", text: "x", extra: 1 }).success, false);
  assert.equal(SandboxToHost.safeParse({ type: "tool/run", callId: "1" }).success, false);
  assert.deepEqual(SandboxToHost.parse({ type: "cell/done", ok: false, error: "E" }), {
    type: "cell/done",
    ok: false,
    error: "E",
  });
});
