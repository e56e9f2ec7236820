// codecell's cache folder is trusted by every sandbox: a folder another user could have planted or written to is
// refused, and writes never follow a planted link.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { privateDir, writePrivateFile } from "./cache_dir.ts";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "codecell-cache-test-"));
}

test("a new cache folder is created private to the user", () => {
  const root = scratch();
  try {
    const dir = privateDir(join(root, "a", "b"));
    assert.equal(lstatSync(dir).mode & 0o777, 0o700);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a cache folder that group or others can write to is refused with a clear error", () => {
  const root = scratch();
  try {
    const dir = join(root, "open");
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    assert.throws(() => privateDir(dir), {
      name: "CodecellError",
      message:
        `refusing codecell's cache folder ${dir}: group or others can write to it (mode 777); remove it, or set ` +
        "CODECELL_CACHE_DIR to a folder of your own",
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a cache folder that is a symbolic link is refused", () => {
  const root = scratch();
  try {
    mkdirSync(join(root, "elsewhere"), { mode: 0o700 });
    symlinkSync(join(root, "elsewhere"), join(root, "link"));
    assert.throws(() => privateDir(join(root, "link")), {
      message: /it is not a directory \(a symbolic link, or a file\)/,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a cache folder owned by another user is refused", (t) => {
  if (process.getuid?.() !== 0) return t.skip("needs root to create a folder owned by another user");
  const root = scratch();
  try {
    const dir = join(root, "planted");
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    assert.throws(() => privateDir(dir), { message: /it belongs to user 65534, not to you \(0\)/ });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a file written over a planted symbolic link replaces the link and leaves its target alone", () => {
  const root = scratch();
  try {
    const target = join(root, "victim.txt");
    writeFileSync(target, "precious");
    symlinkSync(target, join(root, "bundle.js"));
    writePrivateFile(join(root, "bundle.js"), "runtime");
    assert.deepEqual(
      [
        readFileSync(target, "utf8"),
        readFileSync(join(root, "bundle.js"), "utf8"),
        lstatSync(join(root, "bundle.js")).isFile(),
      ],
      ["precious", "runtime", true],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
