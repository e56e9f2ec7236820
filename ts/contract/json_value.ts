/**
 * The JSON value type, apart from the wire schemas so the public API (`JsonValue` in `codecell`) does not reach
 * the zod schemas of `wire.ts` (a published module's exports need explicit types; docs/architecture.md "The
 * published package").
 *
 * @module
 */

/** A value JSON can represent exactly (what crosses as tool input and output). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
