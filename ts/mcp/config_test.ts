import { test } from "node:test";
import assert from "node:assert/strict";
import { CodecellError } from "../contract/errors.ts";
import { parseMcpConfig } from "./config.ts";

test("a config keeps the known keys of stdio and HTTP servers and drops the keys of other clients", () => {
  const config = parseMcpConfig(
    JSON.stringify({
      mcpServers: {
        everything: { command: "npx", args: ["-y", "server"], env: { TOKEN: "t" }, type: "stdio", disabled: false },
        docs: { url: "https://example.com/mcp", headers: { Authorization: "Bearer x" }, type: "http" },
        github: { command: "gh-mcp", needsApproval: ["delete_*"] },
        admin: { url: "https://example.com/admin", needsApproval: true },
      },
      otherClientSetting: true,
    }),
    "codecell.json",
  );
  assert.deepEqual(config, {
    mcpServers: {
      everything: { command: "npx", args: ["-y", "server"], env: { TOKEN: "t" } },
      docs: { url: "https://example.com/mcp", headers: { Authorization: "Bearer x" } },
      github: { command: "gh-mcp", needsApproval: ["delete_*"] },
      admin: { url: "https://example.com/admin", needsApproval: true },
    },
  });
});

test("an invalid config throws one line naming the file and the first problem", () => {
  const cases: [unknown, string][] = [
    [[], 'expected a JSON object with an "mcpServers" object'],
    [
      { mcpServers: { a: "npx" } },
      'mcpServers.a: expected an object with "command" (stdio) or "url" (streamable HTTP)',
    ],
    [
      { mcpServers: { a: { command: "x", url: "http://y" } } },
      'mcpServers.a: expected exactly one of "command" (stdio) or "url" (streamable HTTP)',
    ],
    [{ mcpServers: { a: { command: "" } } }, "mcpServers.a.command: must not be empty"],
    [{ mcpServers: { a: { command: "x", env: { A: 1 } } } }, "mcpServers.a.env.A: expected a string"],
    [{ mcpServers: { a: { url: "not a url" } } }, "mcpServers.a.url: expected an http(s) URL"],
    [
      { mcpServers: { a: { command: "x", needsApproval: "delete_*" } } },
      "mcpServers.a.needsApproval: expected true, false or an array of tool name patterns",
    ],
    [
      { mcpServers: { a: { url: "http://y", needsApproval: [""] } } },
      "mcpServers.a.needsApproval.0: a tool name pattern must not be empty",
    ],
  ];
  for (const [json, problem] of cases) {
    assert.throws(() => parseMcpConfig(JSON.stringify(json), "c.json"), (error: unknown) => {
      assert.ok(error instanceof CodecellError);
      assert.deepEqual([error.code, error.message], ["invalid_options", `invalid config file c.json: ${problem}`]);
      return true;
    });
  }
});
