/**
 * Installs the peers' packages into bench/peers/node_modules on first run (their own package.json, so codecell's
 * users never download them). A failed install is not fatal: the peers that need it are skipped with a note.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PEERS_DIR = fileURLToPath(new URL("./peers/", import.meta.url));

/**
 * Files an install script must have built. npm 11 runs a dependency's install script only when package.json's
 * `allowScripts` approves it (bench/peers/package.json approves isolated-vm's); without it the package is there but
 * its native addon is not.
 */
const BUILT: Record<string, string> = { "isolated-vm": "out/isolated_vm.node" };

/** Whether every dependency of bench/peers/package.json is installed at its pinned version, and built. */
function installed(): boolean {
  const pkg = JSON.parse(readFileSync(`${PEERS_DIR}package.json`, "utf8")) as { dependencies: Record<string, string> };
  return Object.entries(pkg.dependencies).every(([name, version]) => {
    const dir = `${PEERS_DIR}node_modules/${name}/`;
    const file = `${dir}package.json`;
    const built = BUILT[name] === undefined || existsSync(`${dir}${BUILT[name]}`);
    return existsSync(file) && built &&
      (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version === version;
  });
}

/** Returns a note when the install failed (the output's tail), else undefined. */
export function ensurePeersInstalled(log: (line: string) => void): string | undefined {
  if (installed()) return undefined;
  log("installing peers into bench/peers (first run; isolated-vm compiles a native addon, ~2 min on 2 cores)...");
  const result = spawnSync("npm", ["install", "--prefix", PEERS_DIR, "--no-audit", "--no-fund"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.status === 0 && installed()) return undefined;
  const tail = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error?.message ?? ""}`.trim().split("\n").slice(
    -5,
  );
  return `npm install --prefix bench/peers failed (status ${result.status}): ${tail.join(" | ")}`;
}
