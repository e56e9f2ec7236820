import { test } from "node:test";
import assert from "node:assert/strict";
import { toCallToolResult } from "./content.ts";

test("text items become text blocks and data-URL images become image blocks", () => {
  assert.deepEqual(
    toCallToolResult({
      success: true,
      items: [
        { type: "input_text", text: "Script completed\nWall time 0.1 seconds\nOutput:\n" },
        { type: "input_image", image_url: "data:image/png;base64,iVBO\nRw==", detail: "high" },
        { type: "input_image", image_url: "DATA:image/jpeg;name=a.jpg;BASE64,/9j/", detail: "low" },
      ],
    }),
    {
      content: [
        { type: "text", text: "Script completed\nWall time 0.1 seconds\nOutput:\n" },
        { type: "image", mimeType: "image/png", data: "iVBORw==" },
        { type: "image", mimeType: "image/jpeg", data: "/9j/" },
      ],
    },
  );
});

test("an unsuccessful response is an isError result", () => {
  assert.deepEqual(toCallToolResult({ success: false, items: [{ type: "input_text", text: "bad" }] }), {
    content: [{ type: "text", text: "bad" }],
    isError: true,
  });
});
