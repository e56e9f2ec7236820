import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { once } from "node:events";
import { Buffer } from "node:buffer";
import { prefixLines } from "./stderr_lines.ts";

test("each stderr line gets the server's name in front, split chunks and a last unterminated line included", async () => {
  const stream = new PassThrough();
  const lines: string[] = [];
  prefixLines(stream, "github", (line) => lines.push(line));
  stream.write("start");
  stream.write("ing up\r\nready\n\nbye ");
  stream.write(Buffer.from([0xe2, 0x82])); // "€" split across chunks
  stream.end(Buffer.from([0xac]));
  await once(stream, "end");
  assert.deepEqual(lines, ["[github] starting up\n", "[github] ready\n", "[github] \n", "[github] bye €\n"]);
});
