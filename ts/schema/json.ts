/**
 * Small readers of JSON values and JSON Pointers, shared by the validators, the TypeScript generator and the tools.
 *
 * @module
 */

/** Whether `value` is a plain JSON object (not `null`, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The segments of a JSON Pointer (`/a/b~1c` → `["a", "b/c"]`), also written as a URI fragment (`#/a/b`), whose
 * segments may be percent-encoded. `""` and `"#"` are the empty pointer; anything else that does not start with
 * `/` (after the `#`) is not a pointer: `undefined`.
 */
export function pointerSegments(pointer: string): string[] | undefined {
  const fragment = pointer.startsWith("#");
  const path = fragment ? pointer.slice(1) : pointer;
  if (path === "") return [];
  if (!path.startsWith("/")) return undefined;
  return path.slice(1).split("/").map((segment) =>
    (fragment ? percentDecoded(segment) : segment).replaceAll("~1", "/").replaceAll("~0", "~")
  );
}

function percentDecoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not percent-encoded after all: keep it as written
  }
}

/** The value a pointer's segments lead to inside `root`; `found: false` when a segment does not exist. */
export type Resolved = { found: true; value: unknown } | { found: false };

/** Follows `segments` (from {@linkcode pointerSegments}) from `root`; array indexes are decimal segments. */
export function resolveSegments(root: unknown, segments: readonly string[]): Resolved {
  let value = root;
  for (const segment of segments) {
    if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(segment) && Number(segment) < value.length) {
      value = value[Number(segment)];
    } else if (isRecord(value) && Object.hasOwn(value, segment)) {
      value = value[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value };
}
