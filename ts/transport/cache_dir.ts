/**
 * codecell's own folder on the host: the sandbox bundle (when run from source), the import map, Deno's cache for
 * sandboxes and their empty working directory.
 *
 * Everything in it is trusted by the sandboxes (a swapped bundle would run in them), so it must be the user's own:
 * the per-user cache folder of the OS by default, created with mode 0700; a folder that exists but belongs to
 * another user, is not a real directory, or can be written by group or others is refused with a clear error.
 * Files are written under a fresh name with `O_EXCL` (so a planted symlink is never followed) and renamed into
 * place (so a concurrent reader never sees half a file).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CodecellError } from "../contract/errors.ts";

/** The folder: `$CODECELL_CACHE_DIR`, else the OS's per-user cache folder, else one in the temporary folder. */
export function cacheRoot(): string {
  const configured = process.env.CODECELL_CACHE_DIR;
  if (configured) return configured;
  const home = safeHomedir();
  if (process.platform === "win32" && process.env.LOCALAPPDATA) return join(process.env.LOCALAPPDATA, "codecell");
  if (process.platform === "darwin" && home) return join(home, "Library", "Caches", "codecell");
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, "codecell");
  if (home) return join(home, ".cache", "codecell");
  const user = typeof process.getuid === "function" ? process.getuid() : "user";
  return join(tmpdir(), `codecell-${user}`);
}

function safeHomedir(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}

const ensured = new Set<string>();

/**
 * Creates `dir` (and its parents) if needed and checks it is a private folder of the current user; returns it.
 * Throws `CodecellError("unsafe_cache_dir")` otherwise.
 */
export function privateDir(dir: string): string {
  if (ensured.has(dir)) return dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivate(dir);
  ensured.add(dir);
  return dir;
}

/** Checks that `dir` is a real directory owned by this user and closed to group and others. */
function checkPrivate(dir: string): void {
  const stat = lstatSync(dir);
  const refuse = (why: string): never => {
    throw new CodecellError(
      "unsafe_cache_dir",
      `refusing codecell's cache folder ${dir}: ${why}; remove it, or set CODECELL_CACHE_DIR to a folder of your own`,
    );
  };
  if (!stat.isDirectory()) refuse("it is not a directory (a symbolic link, or a file)");
  if (process.platform === "win32") return; // permissions are ACLs there, and per-user folders are private
  const uid = typeof process.getuid === "function" ? process.getuid() : stat.uid;
  if (stat.uid !== uid) refuse(`it belongs to user ${stat.uid}, not to you (${uid})`);
  if ((stat.mode & 0o022) !== 0) refuse(`group or others can write to it (mode ${(stat.mode & 0o777).toString(8)})`);
  // Readable by others is no attack on the sandboxes, but cell data never lands here either way: close it.
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Writes `path` atomically and without following links: a temporary file created exclusively (mode 0600), then
 * renamed over `path`.
 */
export function writePrivateFile(path: string, data: string): void {
  const partial = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(partial, data, { flag: "wx", mode: 0o600 });
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
