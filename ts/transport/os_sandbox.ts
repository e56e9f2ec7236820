/**
 * The OS layer around a sandbox, beneath Deno's permissions (docs/architecture.md "Defense in depth").
 *
 * With bubblewrap (`bwrap`), a sandbox runs in its own user, network, pid, ipc, uts and cgroup namespaces: no
 * network at all (not even loopback of the host), a read-only root holding only the Deno binary, the libraries it
 * links, the bundle, the import map and its `DENO_DIR`, and `--die-with-parent`. Without it, on Linux, the
 * sandbox still gets a parent-death signal through `setpriv`, so that no sandbox outlives a host that was killed.
 *
 * `osSandbox: "auto"` (the default) uses bwrap when a probe shows it works here, and says once when it does not.
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { cacheRoot, privateDir, writePrivateFile } from "./cache_dir.ts";
import process from "node:process";
import { CodecellError } from "../contract/errors.ts";

/** How sandboxes are isolated by the OS, beside Deno's permissions. */
export type OsSandboxMode = "auto" | "bwrap" | "none";

/** A command line that runs `deno` with `args`, the files it reads made visible, in the chosen OS layer. */
export interface OsLaunch {
  command: string;
  args: string[];
  /** Whether bwrap is in between: a signal death then shows as exit code 128 + signal. */
  bwrap: boolean;
  /** Paths to give Deno in place of the host's (inside bwrap, files appear at fixed places). */
  paths: { bundle: string; importMap: string; denoDir: string };
}

/** What a sandbox launch needs to see. */
export interface LaunchFiles {
  deno: string;
  bundle: string;
  /** The import map for the bundle at `path` as Deno sees it. */
  importMap(path: string): string;
  denoDir: string;
}

const BWRAP_PATHS = ["/usr/bin/bwrap", "/bin/bwrap"];
const SETPRIV_PATHS = ["/usr/bin/setpriv", "/bin/setpriv"];

/** Inside bwrap, where the sandbox's files are (the bundle keeps its file name: Deno reads its extension). */
function inside(files: LaunchFiles): OsLaunch["paths"] & { deno: string } {
  return {
    deno: "/sandbox/deno",
    bundle: `/sandbox/${basename(files.bundle)}`,
    importMap: "/sandbox/import_map.json",
    denoDir: "/deno-dir",
  };
}

let probed: { bwrap: string | null; reason: string } | undefined;
let warned = false;

/**
 * Decides the OS layer for `mode`: bwrap, or none. `"bwrap"` throws `CodecellError("invalid_options")` when bwrap
 * does not work here; `"auto"` falls back to none and calls `warn` once per process with the reason.
 */
export function chooseOsLayer(
  mode: OsSandboxMode,
  files: LaunchFiles,
  warn: (message: string) => void,
): "bwrap" | "none" {
  if (mode === "none" || process.platform !== "linux") {
    if (mode === "bwrap") throw new CodecellError("invalid_options", 'osSandbox "bwrap" needs Linux');
    return "none";
  }
  probed ??= cachedProbe(files) ?? probeBwrap(files);
  if (probed.bwrap !== null) return "bwrap";
  if (mode === "bwrap") {
    throw new CodecellError("invalid_options", `osSandbox "bwrap" is not usable here: ${probed.reason}`);
  }
  if (!warned) {
    warned = true;
    warn(`sandboxes run without the bubblewrap OS layer (${probed.reason}); install bubblewrap to add it`);
  }
  return "none";
}

/** Whether bwrap runs the Deno binary here with the flags codecell uses (one run of `deno --version`). */
function probeBwrap(files: LaunchFiles): { bwrap: string | null; reason: string } {
  const bwrap = BWRAP_PATHS.find((path) => existsSync(path));
  if (bwrap === undefined) return { bwrap: null, reason: "bwrap is not installed" };
  let args: string[];
  try {
    args = bwrapArgs(files, ["--version"]);
  } catch (error) {
    return { bwrap: null, reason: `cannot list the libraries Deno needs: ${messageOf(error)}` };
  }
  const run = spawnSync(bwrap, args, { encoding: "utf8", timeout: 10_000, env: {} });
  if (run.status === 0 && run.stdout.startsWith("deno ")) {
    rememberProbe(files.deno, bwrap);
    return { bwrap, reason: "" };
  }
  const why = (run.stderr || run.error?.message || `exit code ${run.status}`).trim().split("\n")[0];
  return { bwrap: null, reason: `a probe run failed: ${why}` };
}

/** The launch for `denoArgs` (which name files by `paths`) in the chosen layer, under `prefix` (resource caps). */
export function osLaunch(
  layer: "bwrap" | "none",
  files: LaunchFiles,
  denoArgs: (paths: OsLaunch["paths"]) => string[],
): OsLaunch {
  if (layer === "bwrap") {
    const paths = inside(files);
    return { command: probed!.bwrap!, args: bwrapArgs(files, denoArgs(paths)), bwrap: true, paths };
  }
  const paths = { bundle: files.bundle, importMap: files.importMap(files.bundle), denoDir: files.denoDir };
  return { ...withParentDeathSignal(files.deno, denoArgs(paths)), bwrap: false, paths };
}

/**
 * `command args` under a parent-death signal (`setpriv --pdeathsig`, on Linux where it is installed): a host that
 * is killed outright takes the process with it.
 */
export function withParentDeathSignal(command: string, args: string[]): { command: string; args: string[] } {
  const setpriv = process.platform === "linux" ? SETPRIV_PATHS.find((path) => existsSync(path)) : undefined;
  return setpriv === undefined
    ? { command, args }
    : { command: setpriv, args: ["--pdeathsig", "SIGKILL", "--", command, ...args] };
}

let libraries: [string, string][] | undefined;

/**
 * A probe that worked, remembered in the private cache folder: it blocks the host for a `ldd` and a bwrap run
 * (about 170 ms here), which every new host process would otherwise pay before its first cell. The record holds
 * the size and modification time of every file it depends on (Deno, bwrap, each library), and counts only while
 * they are unchanged. Failures are not remembered: installing bubblewrap takes effect at the next start.
 */
const ProbeRecord = z.strictObject({
  bwrap: z.string(),
  stamps: z.record(z.string(), z.string()),
  libraries: z.array(z.tuple([z.string(), z.string()])),
});

function probeRecordPath(): string {
  return join(privateDir(cacheRoot()), "os-layer.json");
}

/** Size and modification time of `path`, or `undefined` when it is gone. */
function stampOf(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** The remembered probe for `files`, when every file it depends on is unchanged. */
export function cachedProbe(files: LaunchFiles): { bwrap: string; reason: string } | undefined {
  let record: z.infer<typeof ProbeRecord>;
  try {
    record = ProbeRecord.parse(JSON.parse(readFileSync(probeRecordPath(), "utf8")));
  } catch {
    return undefined; // none yet, or unreadable: probe again
  }
  const expected = { ...record.stamps };
  if (expected[files.deno] === undefined || expected[record.bwrap] === undefined) return undefined;
  for (const [path, stamp] of Object.entries(expected)) if (stampOf(path) !== stamp) return undefined;
  libraries = record.libraries;
  return { bwrap: record.bwrap, reason: "" };
}

/** Remembers that bwrap runs `deno` here. */
export function rememberProbe(deno: string, bwrap: string): void {
  const stamps: Record<string, string> = {};
  for (const path of [deno, bwrap, ...denoLibraries(deno).map(([host]) => host)]) {
    const stamp = stampOf(path);
    if (stamp === undefined) return;
    stamps[path] = stamp;
  }
  try {
    writePrivateFile(probeRecordPath(), JSON.stringify({ bwrap, stamps, libraries: denoLibraries(deno) }));
  } catch {
    // an unwritable cache only costs the next host its probe
  }
}

/** The shared libraries Deno links, as [host path, path the loader asks for] (read once with `ldd`). */
function denoLibraries(deno: string): [string, string][] {
  if (libraries !== undefined) return libraries;
  const listing = execFileSync("ldd", [deno], { encoding: "utf8", timeout: 10_000 });
  libraries = [];
  for (const line of listing.split("\n")) {
    const path = /(\/\S+\.so\S*)/.exec(line)?.[1];
    if (path !== undefined) libraries.push([realpathSync(path), path]);
  }
  return libraries;
}

function bwrapArgs(files: LaunchFiles, denoArgs: string[]): string[] {
  const at = inside(files);
  return [
    "--unshare-user",
    "--uid",
    "65534",
    "--gid",
    "65534",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--unshare-pid",
    "--as-pid-1",
    "--die-with-parent",
    "--new-session",
    "--ro-bind",
    files.deno,
    at.deno,
    ...denoLibraries(files.deno).flatMap(([host, inside]) => ["--ro-bind", host, inside]),
    "--proc",
    "/proc",
    "--bind",
    files.denoDir,
    at.denoDir,
    "--ro-bind",
    files.bundle,
    at.bundle,
    "--ro-bind",
    files.importMap(at.bundle),
    at.importMap,
    "--dir",
    "/work",
    "--chdir",
    "/work",
    "--remount-ro",
    "/",
    "--",
    at.deno,
    ...denoArgs,
  ]; // deno-fmt-ignore
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
