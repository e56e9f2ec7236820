#!/usr/bin/env node
// Runs the whole test suite under `deno test` (type-checked, with the op and resource sanitizers on, so a test
// that leaks a sandbox process or a timer fails) and ends with one line `N passed, N failed` for CI.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";

const require = createRequire(import.meta.url);
const platform = { "linux-x64": "linux-x64-glibc", "linux-arm64": "linux-arm64-glibc" }[`${process.platform}-${process.arch}`] ??
  `${process.platform}-${process.arch}`;
const deno = join(dirname(require.resolve(`@deno/${platform}/package.json`)), process.platform === "win32" ? "deno.exe" : "deno");

const args = ["test", "--allow-all", "--sanitize-ops", "--sanitize-resources", ...process.argv.slice(2)];
const env = { ...process.env, NO_COLOR: "1" };
delete env.RUST_BACKTRACE; // it appends a Rust backtrace to Deno's own errors
const child = spawn(deno, args, { stdio: ["inherit", "pipe", "inherit"], env });
let tail = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString("utf8")).slice(-4096);
});
child.on("close", (code) => {
  const summary = /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/.exec(tail);
  if (summary) console.log(`\n${summary[1]} passed, ${summary[3]} failed`);
  else console.log("\n0 passed, 1 failed (the test run ended without a summary)");
  process.exit(code ?? 1);
});
