/**
 * A session's stored values (docs/contract.md §4): one map of JSON texts, each with a version, so that a sandbox
 * bound to the session is sent only the values that changed since it last saw them.
 *
 * @module
 */
import { utf8ByteLength } from "../contract/defaults.ts";
import type { StoredValues } from "../transport/sandbox.ts";
import type { StoredSizes } from "../cell/actor.ts";

/** The stored values of one session. */
export class SessionStore implements StoredValues, StoredSizes {
  readonly #values = new Map<string, { json: string; version: number; bytes: number }>();
  #version = 0;
  #total = 0;
  #pending = 0;

  entries(): IterableIterator<[string, { json: string; version: number }]> {
    return this.#values.entries();
  }

  bytesOf(key: string): number {
    return this.#values.get(key)?.bytes ?? 0;
  }

  get totalBytes(): number {
    return this.#total;
  }

  get pendingBytes(): number {
    return this.#pending;
  }

  reserve(bytes: number): void {
    this.#pending += bytes;
  }

  /**
   * A finished cell's writes join the values key by key (the last cell to finish wins each key). `onVersion`
   * learns each key's new version (the sandbox that ran the cell has these values already).
   */
  merge(writes: ReadonlyMap<string, string>, onVersion?: (key: string, version: number) => void): void {
    for (const [key, json] of writes) {
      const bytes = utf8ByteLength(json);
      const version = ++this.#version;
      this.#total += bytes - this.bytesOf(key);
      this.#values.set(key, { json, version, bytes });
      onVersion?.(key, version);
    }
  }
}
