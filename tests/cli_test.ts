// The `codecell` command, run through its npm bin under Node: help, usage errors (one line on
// stderr, exit 2), `codecell exec` and `codecell types`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EVERYTHING, ROOT, runCodecell, tempDir, writeConfig } from "./mcp_helpers.ts";
import { SETTING_FLAGS } from "../ts/mcp/settings.ts";

const TOOLS_MODULE = join(ROOT, "tests/fixtures/mcp_cli_tools.ts");
const WALL_TIME = /Wall time \d+\.\d seconds/g;

/** A config file with `text` as its content, in a fresh directory removed afterwards. */
async function withConfigText(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    const path = join(dir.path, "codecell.json");
    writeFileSync(path, text);
    await fn(path);
  } finally {
    dir.cleanup();
  }
}

test("codecell --help and <command> --help print usage on stdout and exit 0", async () => {
  const global = await runCodecell(["--help"]);
  assert.deepEqual([global.code, global.stderr], [0, ""]);
  assert.match(global.stdout, /^codecell: run model-written TypeScript cells/);
  assert.ok(global.stdout.includes("\n  codecell exec  <file|-> [--config <file>] [--tools <module>] [log flags]\n"));
  for (const command of ["mcp", "exec", "types"]) {
    const help = await runCodecell([command, "--help"]);
    assert.deepEqual([help.code, help.stderr], [0, ""]);
    assert.match(help.stdout, new RegExp(`^Usage: codecell ${command} `));
  }
  const mcp = (await runCodecell(["mcp", "--help"])).stdout;
  const flags = [...mcp.matchAll(/^ {2}(--[a-z-]+)/gm)].map((match) => match[1]);
  assert.deepEqual(flags, [
    "--config",
    "--tools",
    "--http",
    "--auth-token",
    "--allowed-origins",
    "--max-sessions",
    "--session-idle",
    "--log-level",
    "--log-format",
    ...SETTING_FLAGS.map((spec) => spec.flag),
    "--help",
  ]);
  assert.ok(
    mcp.includes(
      "  --heap-mib <n>                      V8 heap per cell in MiB (default 512) (config: limits.heapMiB)\n",
    ),
  );
});

test("a bad flag, a missing argument or an unknown command is one line on stderr and exit 2", async () => {
  const cases: [string[], string][] = [
    [["exec", "-", "--bogus"], "codecell: unknown flag --bogus for codecell exec (see codecell exec --help)\n"],
    [["exec"], "codecell: missing the cell: a file, or - for stdin (see codecell exec --help)\n"],
    [["types", "--config"], "codecell: --config needs a value (see codecell types --help)\n"],
    [
      ["mcp", "--http", "localhost"],
      'codecell: --http expects <host>:<port> (e.g. 127.0.0.1:8080), got "localhost" (see codecell mcp --help)\n',
    ],
    [["serve"], 'codecell: unknown command "serve" (expected mcp, exec or types) (see codecell --help)\n'],
    [
      ["mcp", "--heap-mib", "32"],
      "codecell: --heap-mib: Too small: expected number to be >=64 (see codecell mcp --help)\n",
    ],
    [["mcp", "--pool", "two"], 'codecell: --pool expects a whole number, got "two" (see codecell mcp --help)\n'],
    [
      ["mcp", "--typecheck=maybe"],
      'codecell: --typecheck expects true or false, got "maybe" (see codecell mcp --help)\n',
    ],
    [
      ["mcp", "--isolation", "thread"],
      'codecell: --isolation expects one of context, process, got "thread" (see codecell mcp --help)\n',
    ],
    [["mcp", "--max-sessions", "3"], "codecell: --max-sessions applies only with --http (see codecell mcp --help)\n"],
    [
      ["mcp", "--http", "127.0.0.1:0", "--session-idle", "0"],
      'codecell: --session-idle expects a whole number from 1 to 2147483, got "0" (see codecell mcp --help)\n',
    ],
    [
      ["mcp", "--http", "127.0.0.1:0", "--allowed-origins", "localhost"],
      "codecell: --allowed-origins expects comma-separated origins like https://app.example.com, got " +
      '"localhost" (see codecell mcp --help)\n',
    ],
    [
      ["mcp", "--http", "0.0.0.0:0"],
      "codecell: refusing to serve MCP on 0.0.0.0 without an auth token: anyone who reaches it could run code with " +
      "your tools; set --auth-token or CODECELL_AUTH_TOKEN, or listen on 127.0.0.1\n",
    ],
    [
      ["exec", "-", "--log-level", "verbose"],
      'codecell: --log-level expects one of error, warn, info, debug, got "verbose" (see codecell exec --help)\n',
    ],
    [
      ["mcp", "--log-format", "xml"],
      'codecell: --log-format expects text or json, got "xml" (see codecell mcp --help)\n',
    ],
    [
      ["types", "--log-level", "debug"],
      "codecell: unknown flag --log-level for codecell types (see codecell types --help)\n",
    ],
  ];
  for (const [args, stderr] of cases) {
    assert.deepEqual(await runCodecell(args), { code: 2, stdout: "", stderr }, args.join(" "));
  }
  assert.deepEqual(await runCodecell(["exec", "-"], "text(1)", { CODECELL_LOG: "loud" }), {
    code: 2,
    stdout: "",
    stderr: 'codecell: CODECELL_LOG expects one of error, warn, info, debug, got "loud"\n',
  });
});

test("an unreadable config file is one line on stderr and exit 2", async () => {
  const missing = join(ROOT, "tests/fixtures/no_such_config.json");
  const out = await runCodecell(["types", "--config", missing]);
  assert.deepEqual([out.code, out.stdout], [2, ""]);
  assert.match(out.stderr, new RegExp(`^codecell: cannot read config file ${missing}: ENOENT[^\\n]*\\n$`));
});

test("an invalid config file is one line on stderr naming the problem, and exit 2", async () => {
  const cases: [string, string][] = [
    ["{ not json", "not valid JSON: "],
    ['{"servers": {}}', "mcpServers: expected an object mapping server names to servers"],
    [
      '{"mcpServers": {"a": {"args": ["x"]}}}',
      'mcpServers.a: expected exactly one of "command" (stdio) or "url" (streamable HTTP)',
    ],
    ['{"mcpServers": {"a": {"command": "x", "args": "y"}}}', "mcpServers.a.args: expected an array of strings"],
    ['{"mcpServers": {"a": {"url": "ftp://example.com"}}}', "mcpServers.a.url: expected an http(s) URL"],
    ['{"mcpServers": {"a": {"command": "x", "shared": "yes"}}}', "mcpServers.a.shared: expected true or false"],
    [
      '{"mcpServers": {}, "codecell": {"limits": {"heapMiB": 1}}}',
      "codecell.limits.heapMiB: Too small: expected number to be >=64",
    ],
    ['{"mcpServers": {}, "codecell": {"pol": 1}}', 'codecell: Unrecognized key: "pol"'],
  ];
  for (const [text, problem] of cases) {
    await withConfigText(text, async (path) => {
      const out = await runCodecell(["types", "--config", path]);
      assert.deepEqual([out.code, out.stdout], [2, ""], text);
      assert.ok(out.stderr.startsWith(`codecell: invalid config file ${path}: ${problem}`), out.stderr);
      assert.equal(out.stderr.split("\n").length, 2, `one line: ${out.stderr}`);
    });
  }
});

test("codecell exec - runs the cell from stdin and prints what the model sees", async () => {
  const out = await runCodecell(
    ["exec", "-"],
    'text("hello"); image("data:image/png;base64,iVBORw0KGgo="); notify("on stderr");',
  );
  assert.deepEqual({ ...out, stdout: out.stdout.replace(WALL_TIME, "Wall time T") }, {
    code: 0,
    stdout: "Script completed\nWall time T\nOutput:\nhello\n[image image/png, 8 bytes, detail high]\n",
    stderr: "notify: on stderr\n",
  });
});

test("codecell exec waits on a cell that yields and exits 1 when the cell fails", async () => {
  const out = await runCodecell(["exec", "-"], 'text("a"); yield_control(); text("b"); throw new Error("boom");');
  assert.equal(out.code, 1);
  assert.match(
    out.stdout.replace(WALL_TIME, "Wall time T"),
    /^Script running with cell ID 1\nWall time T\nOutput:\na\nScript failed\nWall time T\nOutput:\nb\nScript error:\nError: boom\n/,
  );
});

test("codecell exec --log-level debug --log-format json logs each cell and tool call as JSON lines on stderr", async () => {
  const out = await runCodecell(
    ["exec", "-", "--tools", TOOLS_MODULE, "--log-level", "debug", "--log-format", "json"],
    'text(await tools.shout("hi"));',
  );
  assert.deepEqual([out.code, out.stdout.replace(WALL_TIME, "Wall time T")], [
    0,
    "Script completed\nWall time T\nOutput:\nHI\n",
  ]);
  const entries = out.stderr.trimEnd().split("\n").map((line): unknown => JSON.parse(line));
  const shapes = entries.map((entry) => {
    assert.ok(typeof entry === "object" && entry !== null);
    const { time, ...rest } = Object.fromEntries(Object.entries(entry).filter(([key]) => !key.endsWith("Ms")));
    assert.match(String(time), /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    return rest;
  });
  // The session closes its sandbox as idle (recycle) or, when it has not reported ready yet, as busy (kill).
  const last = shapes.pop();
  assert.ok(last?.msg === "sandbox.recycle" || last?.msg === "sandbox.kill", JSON.stringify(last));
  assert.deepEqual([last.sandboxId, last.reason], [1, "session_closed"]);
  assert.deepEqual(shapes, [
    { level: "debug", msg: "cell.start", cellId: "1", sourceBytes: 30, typecheck: false },
    { level: "debug", msg: "sandbox.spawn", sandboxId: 1, cellId: "1", warm: false },
    { level: "debug", msg: "tool.start", cellId: "1", callId: "1", tool: "shout", argumentBytes: 4 },
    { level: "debug", msg: "tool.end", cellId: "1", callId: "1", tool: "shout", ok: true, resultBytes: 4 },
    { level: "debug", msg: "cell.end", cellId: "1", status: "completed", outputBytes: 2, toolCalls: 1 },
  ]);
});

test("codecell exec shows notify() escaped as one line, or as a log entry with --log-format json", async () => {
  const cell = 'notify("two\\nlines \\u001b[2J"); text("ok");';
  const text = await runCodecell(["exec", "-", "--log-level", "error"], cell);
  assert.deepEqual([text.code, text.stderr], [0, "notify: two\\u000alines \\u001b[2J\n"]);
  const json = await runCodecell(["exec", "-", "--log-format", "json"], cell);
  const entry: unknown = JSON.parse(json.stderr);
  assert.ok(typeof entry === "object" && entry !== null);
  const { time: _time, ...rest } = Object.fromEntries(Object.entries(entry));
  assert.deepEqual([json.code, rest], [0, { level: "info", msg: "notify", cellId: "1", text: "two\nlines \u001b[2J" }]);
});

test("codecell exec calls the tools of a --tools module", async () => {
  const out = await runCodecell(
    ["exec", "-", "--tools", TOOLS_MODULE],
    'text(await tools.lookup_order({ order_id: "42" })); text(await tools.shout("hi"));',
  );
  assert.deepEqual([out.code, out.stdout.replace(WALL_TIME, "Wall time T"), out.stderr], [
    0,
    'Script completed\nWall time T\nOutput:\n{"ok":true}\nHI\n',
    "",
  ]);
});

test("codecell types prints the declarations of the --tools module and the config's MCP servers", async () => {
  const dir = tempDir();
  try {
    const config = writeConfig(dir.path, { everything: EVERYTHING });
    const out = await runCodecell(["types", "--tools", TOOLS_MODULE, "--config", config]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /\n {2}lookup_order\(args: \{ order_id: string; \}\): Promise<\{ ok: boolean; \}>;\n/);
    assert.match(out.stdout, /\n {2}shout\(input: string\): Promise<unknown>;\n/);
    assert.match(
      out.stdout,
      /\n {2}mcp__everything__get_sum\(args: \{\n {4}\/\/ First number\n {4}a: number;\n {4}\/\/ Second number\n {4}b: number;\n {2}\}\): Promise<CallToolResult>;\n/,
    );
    assert.match(out.stdout, /CallToolResult<T = /);
  } finally {
    dir.cleanup();
  }
});

test("a tools module that cannot be loaded or exports no tool is one line on stderr and exit 2", async () => {
  const missing = await runCodecell(["types", "--tools", join(ROOT, "tests/fixtures/no_such_module.ts")]);
  assert.deepEqual([missing.code, missing.stdout], [2, ""]);
  assert.match(missing.stderr, /^codecell: cannot load tools module [^\n]*no_such_module\.ts: [^\n]+\n$/);
  const empty = await runCodecell(["types", "--tools", join(ROOT, "tests/mcp_helpers.ts")]);
  assert.deepEqual(empty, {
    code: 2,
    stdout: "",
    stderr: `codecell: tools module ${join(ROOT, "tests/mcp_helpers.ts")} exports no tools (export defineTool() ` +
      "results, or a default array of them)\n",
  });
});
