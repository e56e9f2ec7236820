// The README's "Observe" example type-checks and prints exactly what the README says it prints, and its config
// files are valid configs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseMcpConfig } from "../ts/mcp/config.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const run = promisify(execFile);

/** The fenced blocks of one README section, in order, with their language. */
function blocksOf(section: string): { lang: string; text: string }[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${section}\n`);
  assert.ok(start >= 0, `README has no "## ${section}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  const body = readme.slice(start, end < 0 ? undefined : end);
  // A block inside a list item is indented: its lines lose that indentation.
  return [...body.matchAll(/^( *)```(\w+)\n([\s\S]*?)\n *```/gm)].map(([, indent, lang, text]) => ({
    lang,
    text: text.split("\n").map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line)).join("\n"),
  }));
}

test("the Observe example type-checks and prints what the README shows", async () => {
  const [program, printed] = blocksOf("Observe");
  assert.deepEqual([program.lang, printed.lang], ["ts", "text"]);
  // In this repository the package is `ts/mod.ts`; everything else resolves from node_modules as for a user.
  const file = join(ROOT, "tests", `.readme_observe_${process.pid}.ts`);
  writeFileSync(file, program.text.replace('from "codecell"', 'from "../ts/mod.ts"'));
  try {
    // Under `deno test` the host binary is Deno; under Node the checker is the npm package's.
    const deno = process.versions.deno === undefined ? join(ROOT, "node_modules", ".bin", "deno") : process.execPath;
    const env = { ...process.env, NO_COLOR: "1" };
    await run(deno, ["check", "--quiet", file], { cwd: ROOT, env });
    const { stdout } = await run("node", ["--import", "tsx", file], { cwd: ROOT, env });
    assert.equal(stdout, `${printed.text}\n`);
  } finally {
    rmSync(file, { force: true });
  }
});

test("every config file the README shows for codecell mcp is valid", () => {
  const configs = blocksOf("Put codecell in front of your MCP servers").filter(({ lang }) => lang === "json");
  assert.equal(configs.length, 4);
  for (const { text } of configs) assert.doesNotThrow(() => parseMcpConfig(text, "README"), text);
});
