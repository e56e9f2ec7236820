// Idle sandboxes, the warm pool and the type checker never keep the host process alive (docs/architecture.md
// "The warm pool"): a script that forgets to close its session still exits when its own work is done.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const fixture = fileURLToPath(new URL("./fixtures/unclosed_session.ts", import.meta.url));

test("a host that never closes its session exits by itself once its work is done", async () => {
  // The same runtime as this test's host: Deno runs the fixture directly, Node through tsx.
  const args = "Deno" in globalThis ? ["run", "-A", fixture] : ["--import", "tsx", fixture];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
  );
  clearTimeout(timer);
  assert.deepEqual([code, signal, stdout], [0, null, '[{"type":"input_text","text":"done"}]\n']);
});
