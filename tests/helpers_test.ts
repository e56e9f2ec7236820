// Every helper of docs/contract.md §4 through a real sandbox: happy paths and every error string, verbatim.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PNG, statusOf, textsOf, withSession } from "./util.ts";
import { notifyTooLong } from "../ts/contract/messages.ts";

/** Runs `calls` (expressions) in one cell, each in try/catch, and returns what each threw (or "ok"). */
function errorsOf(calls: string[]): string {
  return calls
    .map((call) =>
      `try { ${call}; text("ok"); } catch (e) { text((e instanceof TypeError ? "TypeError: " : e instanceof Error ? "Error: " : "raw: ") + (e?.message ?? String(e))); }`
    )
    .join("\n");
}

test("text converts primitives with String and everything else with JSON", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'text("s"); text(1.5); text(true); text(null); text(undefined); text(); text(10n); text({ a: [1, "x"] }); ' +
        'text([1, 2]); text(() => 1); text(Symbol("q")); text(new Date(0));',
    );
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), [
      "s",
      "1.5",
      "true",
      "null",
      "undefined",
      "undefined",
      "10",
      '{"a":[1,"x"]}',
      "[1,2]",
      "() => 1",
      "Symbol(q)",
      '"1970-01-01T00:00:00.000Z"',
    ]); // deno-fmt-ignore
  });
});

test("text throws the JSON error for values JSON cannot encode", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(errorsOf(["const a = {}; a.self = a; text(a)", "text({ big: 1n })"]));
    const [circular, bigint] = textsOf(out);
    assert.match(circular, /^TypeError: Converting circular structure to JSON/);
    assert.equal(bigint, "TypeError: Do not know how to serialize a BigInt");
  });
});

test("image accepts data URLs, image_url objects and MCP image blocks with detail rules", async () => {
  await withSession(async (s) => {
    const data = PNG.split(",")[1];
    const out = await s.execTool(
      `image(${JSON.stringify(PNG)}); image({ image_url: ${JSON.stringify(PNG)}, detail: "LOW" }); ` +
        `image({ image_url: ${JSON.stringify(PNG)}, detail: "low" }, "auto"); ` +
        `image({ type: "image", data: ${JSON.stringify(data)}, mimeType: "image/png" }); ` +
        `image({ type: "image", data: ${
          JSON.stringify(data)
        }, mimeType: "image/png", _meta: { "codex/imageDetail": "original" } });`,
    );
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(out.items.slice(1), [
      { type: "input_image", image_url: PNG, detail: "high" },
      { type: "input_image", image_url: PNG, detail: "low" },
      { type: "input_image", image_url: PNG, detail: "auto" },
      { type: "input_image", image_url: PNG, detail: "high" },
      { type: "input_image", image_url: PNG, detail: "original" },
    ]);
  });
});

test("image rejects bad arguments with the contract's messages", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(errorsOf([
      "image()",
      'image("")',
      "image(42)",
      "image({})",
      'image({ type: "text", text: "x" })',
      'image({ type: "image" })',
      `image(${JSON.stringify(PNG)}, 5)`,
      `image(${JSON.stringify(PNG)}, "medium")`,
      'image("https://example.com/a.png")',
      'image("HTTP://example.com/a.png")',
    ]));
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), [
      "TypeError: image expects a non-empty image URL string, an object with image_url and optional detail, or a raw MCP image block",
      "TypeError: image expects a non-empty image URL string, an object with image_url and optional detail, or a raw MCP image block",
      "TypeError: image expects a non-empty image URL string, an object with image_url and optional detail, or a raw MCP image block",
      "TypeError: image expects a non-empty image URL string, an object with image_url and optional detail, or a raw MCP image block",
      'TypeError: image only accepts MCP image blocks, got "text"',
      "TypeError: image expected MCP image data",
      "TypeError: image detail must be a string when provided",
      "TypeError: image detail must be one of: auto, low, high, original",
      "Error: Tool call failed: remote image URLs are not supported in tool outputs. Pass a base64 data URI instead",
      "Error: Tool call failed: remote image URLs are not supported in tool outputs. Pass a base64 data URI instead",
    ]);
  });
});

test("an image whose payload does not decode becomes the omitted-content text item", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'image("data:image/png;base64,!!not*base64!!"); image("data:image/png,raw"); image("data:image/png;base64,A");',
    );
    assert.deepEqual(out.items.slice(1), [
      { type: "input_text", text: "image content omitted because it could not be processed" },
      { type: "input_text", text: "image content omitted because it could not be processed" },
      { type: "input_text", text: "image content omitted because it could not be processed" },
    ]);
  });
});

test("generatedImage emits the image then its hint, and validates its argument", async () => {
  await withSession(async (s) => {
    const ok = await s.execTool(
      `generatedImage({ image_url: ${JSON.stringify(PNG)}, output_hint: "a red dot" }); generatedImage({ image_url: ${
        JSON.stringify(PNG)
      } });`,
    );
    assert.deepEqual(ok.items.slice(1), [
      { type: "input_image", image_url: PNG, detail: "high" },
      { type: "input_text", text: "a red dot" },
      { type: "input_image", image_url: PNG, detail: "high" },
    ]);
    const bad = await s.execTool(errorsOf([
      "generatedImage()",
      'generatedImage("x")',
      "generatedImage({})",
      `generatedImage({ image_url: ${JSON.stringify(PNG)}, output_hint: 3 })`,
    ]));
    assert.deepEqual(textsOf(bad), [
      "TypeError: generatedImage expects an image generation result object",
      "TypeError: generatedImage expects an image generation result object",
      "TypeError: generatedImage expects an image generation result object",
      "TypeError: generatedImage output_hint must be a string when provided",
    ]);
  });
});

test("store and load keep JSON copies and report unstorable values", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'store("d", { when: new Date(0), gone: undefined, n: [1] }); const v = load("d"); v.n.push(2); ' +
        'text(load("d")); store(7, "seven"); text(load("7")); text(load(7)); text(load("missing"));\n' +
        errorsOf(['store("u", undefined)', 'store("f", () => 1)', 'store(Symbol("k"), 1)', 'store("b", 1n)']),
    );
    assert.deepEqual(textsOf(out), [
      '{"when":"1970-01-01T00:00:00.000Z","n":[1]}',
      "seven",
      "seven",
      "undefined",
      'Error: Unable to store "u". Only plain serializable objects can be stored.',
      'Error: Unable to store "f". Only plain serializable objects can be stored.',
      "TypeError: store key must be a string",
      "TypeError: Do not know how to serialize a BigInt",
    ]);
  });
});

test("notify reaches the host at once and rejects blank text", async () => {
  const seen: { cellId: string; text: string }[] = [];
  await withSession(async (s) => {
    const out = await s.execTool('notify("hello"); notify({ a: 1 });\n' + errorsOf(['notify("  \\n")', "notify()"]));
    // `notify()` stringifies like `text()`: no argument is the text "undefined".
    assert.deepEqual(seen, [
      { cellId: "1", text: "hello" },
      { cellId: "1", text: '{"a":1}' },
      { cellId: "1", text: "undefined" },
    ]);
    assert.deepEqual(textsOf(out), ["Error: notify expects non-empty text", "ok"]);
  }, { onNotify: (n) => seen.push(n) });
});

test("notify refuses text longer than a notification holds, and sends nothing", async () => {
  const seen: string[] = [];
  await withSession(async (s) => {
    const out = await s.execTool(
      'try { notify("x".repeat(16385)); } catch (e) { text(e.message); }\nnotify("x".repeat(16384));',
    );
    assert.deepEqual([textsOf(out), seen.map((text) => text.length)], [[notifyTooLong(16_385)], [16_384]]);
  }, { onNotify: (n) => seen.push(n.text) });
});

test("setTimeout and clearTimeout follow the contract's argument rules", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      "const ids = [setTimeout(() => {}), setTimeout(() => {}, -5), setTimeout(() => {}, NaN)]; text(ids);\n" +
        "clearTimeout(); clearTimeout(0); clearTimeout(-1); clearTimeout(null);\n" +
        errorsOf(["setTimeout(1)", 'setTimeout("text(1)")', 'clearTimeout("1")']) +
        '\nlet order = []; setTimeout(() => order.push("b"), 30); setTimeout(() => order.push("a"), 0);' +
        "\nawait new Promise((r) => setTimeout(r, 60)); text(order); text(typeof setInterval);",
    );
    assert.deepEqual(textsOf(out), [
      "[1,2,3]",
      "TypeError: setTimeout expects a function callback",
      "TypeError: setTimeout expects a function callback",
      "TypeError: clearTimeout expects a numeric timeout id",
      '["a","b"]',
      "undefined",
    ]);
  });
});

test("an exception thrown in a timer callback fails the cell with that error", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'text("before"); setTimeout(() => { throw new RangeError("tick"); }, 1); await new Promise(() => {});',
    );
    assert.equal(statusOf(out), "Script failed");
    const [before, error] = textsOf(out);
    assert.equal(before, "before");
    assert.match(error, /^Script error:\nRangeError: tick\n {4}at cell\.ts:1:\d+$/);
  });
});

test("yield_control without a waiting observer changes nothing", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('text("a"); yield_control(); text("b");');
    // exec was observing, so the first yield returns early; the rest arrives with wait.
    assert.equal(statusOf(out), "Script running with cell ID 1");
    assert.deepEqual(textsOf(out), ["a"]);
    const rest = await s.waitTool({ cell_id: "1" });
    assert.equal(statusOf(rest), "Script completed");
    assert.deepEqual(textsOf(rest), ["b"]);
  });
});

test("exit ends the cell at once, even inside try/finally", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('try { text("in"); exit(); } finally { text("finally"); } text("after");');
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), ["in"]);
  });
});

test("ALL_TOOLS and tools are frozen lists of the session's tools", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      "text(ALL_TOOLS.map((t) => t.name)); text(Object.isFrozen(ALL_TOOLS) && Object.isFrozen(tools)); " +
        "text(Object.keys(tools));",
    );
    assert.deepEqual(textsOf(out), ['["echo","gate","block","fail"]', "true", '["echo","gate","block","fail"]']);
  });
});

test("console methods write text items in inspect style", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'console.log("a", 1, { b: [2] }); console.error(new Map([[1, 2]])); console.warn("w");',
    );
    assert.deepEqual(textsOf(out), ["a 1 { b: [ 2 ] }", "Map(1) { 1 => 2 }", "w"]);
  });
});

test("console capture can be turned off", async () => {
  await withSession(async (s) => {
    const out = await s.execTool('console.log("hidden"); text("shown");');
    assert.deepEqual(textsOf(out), ["shown"]);
  }, { console: false });
});

test("helpers keep working after the cell replaces the intrinsics they use", async () => {
  await withSession(async (s) => {
    const out = await s.execTool(
      'JSON.stringify = () => "forged"; JSON.parse = () => "forged"; Array.prototype.push = () => 0; ' +
        'String.prototype.trim = () => ""; Map.prototype.get = () => undefined;\n' +
        'const r = await tools.echo({ message: "m" }); text(r.echo);\n' +
        // Deno's own stdin reader uses these, so they are replaced only once no tool result is pending.
        "Function.prototype.call = null; Promise.prototype.then = function () { return this; }; " +
        'Object.prototype.toJSON = function () { return "polluted"; };\n' +
        'text("plain"); store("k", "v"); text(load("k")); notify("still works");',
    );
    assert.equal(statusOf(out), "Script completed");
    assert.deepEqual(textsOf(out), ["m", "plain", "v"]);
  });
});
