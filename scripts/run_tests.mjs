#!/usr/bin/env node
// Runs the test suite under each host runtime codecell supports, and ends with one line
// `N passed, N failed` (the sum) for CI:
// 1. everything under `deno test`, type-checked, with the op and resource sanitizers on (a test that leaks a
//    sandbox process or a timer fails);
// 2. the host behaviour tests (real sandboxes driven from the host) under Node with tsx, the runtime most hosts use,
//    twice: with `isolation: "context"` (the default) and `"process"` (a process per cell), so the contract is
//    checked in both isolation modes; the first time also the SDK adapters' tests and the packed package used
//    from a fresh project (tests/package/, Node only: deno.json excludes it from the first pass).
// Arguments are passed to `deno test` (e.g. a file or `--filter`); with arguments, the Node pass is skipped.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";

const require = createRequire(import.meta.url);
const platform =
  { "linux-x64": "linux-x64-glibc", "linux-arm64": "linux-arm64-glibc" }[`${process.platform}-${process.arch}`] ??
    `${process.platform}-${process.arch}`;
const deno = join(
  dirname(require.resolve(`@deno/${platform}/package.json`)),
  process.platform === "win32" ? "deno.exe" : "deno",
);

const NODE_FILES = [
  "tests/session_test.ts",
  "tests/helpers_test.ts",
  "tests/lockdown_test.ts",
  "tests/limits_test.ts",
  "tests/typed_test.ts",
  "tests/call_options_test.ts",
  "tests/events_test.ts",
  "tests/approval_test.ts",
  "tests/tracing_test.ts",
  "tests/mcp_approval_test.ts",
  "ts/cell/actor_test.ts",
  "ts/transport/pool_test.ts",
  "ts/transport/sandbox_test.ts",
  "ts/contract/codec_test.ts",
];

/** Node-only tests that do not depend on the isolation mode: run once. */
const NODE_ONCE_FILES = [
  "tests/ai_sdk_test.ts",
  "tests/openai_agents_test.ts",
  "tests/sdk_clients_test.ts",
  "tests/package/consumer_test.ts",
];

const env = { ...process.env, NO_COLOR: "1" };
delete env.RUST_BACKTRACE; // it appends a Rust backtrace to Deno's own errors

/** Runs a command, echoing its stdout, and resolves with its exit code and the tail of its output. */
function run(command, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["inherit", "pipe", "inherit"], env: { ...env, ...extraEnv } });
    let tail = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-4096);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, tail }));
  });
}

const extra = process.argv.slice(2);
const totals = { passed: 0, failed: 0 };
let exitCode = 0;

const denoRun = await run(deno, ["test", "--allow-all", "--sanitize-ops", "--sanitize-resources", ...extra]);
const denoSummary = /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/.exec(denoRun.tail);
if (denoSummary) {
  totals.passed += Number(denoSummary[1]);
  totals.failed += Number(denoSummary[3]);
} else totals.failed += 1; // ended without a summary: count the run itself as a failure
if (denoRun.code !== 0) exitCode = denoRun.code;

if (extra.length === 0) {
  for (const isolation of ["context", "process"]) {
    console.log(`\n# the host behaviour tests again, under Node, with isolation "${isolation}"`);
    const files = isolation === "context" ? [...NODE_FILES, ...NODE_ONCE_FILES] : NODE_FILES;
    const nodeRun = await run(process.execPath, ["--import", "tsx", "--test", ...files], {
      CODECELL_TEST_ISOLATION: isolation,
    });
    const passed = /^# pass (\d+)$/m.exec(nodeRun.tail);
    const failed = /^# fail (\d+)$/m.exec(nodeRun.tail);
    // A test cut off (its file's event loop ended first) is cancelled, not failed: it counts as failed here.
    const cancelled = /^# cancelled (\d+)$/m.exec(nodeRun.tail);
    if (passed && failed) {
      totals.passed += Number(passed[1]);
      totals.failed += Number(failed[1]) + Number(cancelled?.[1] ?? 0);
    } else totals.failed += 1;
    if (nodeRun.code !== 0) exitCode = nodeRun.code;
  }
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(exitCode);
