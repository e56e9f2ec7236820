/**
 * The helpers a cell gets beside the ECMAScript built-ins (docs/contract.md §4), in one table. Everything that
 * lists them reads it: the sandbox installs exactly these globals, the helper modules export the names of their
 * `modules`, the `.d.ts` of a session declares each `declaration` under its `doc`, the `exec` description lists
 * each `summary`, and the lock-down test checks the globals against it.
 *
 * Adding a helper: a row here and its implementation in `ext/`.
 *
 * Import-free apart from the content items: the sandbox loads it.
 *
 * @module
 */
import { IMAGE_DETAILS } from "./items.ts";

/** A module a cell can import a helper from, besides using the global. */
export type HelperModule = "helpers" | "tools";

/** One helper global. */
export interface HelperSpec {
  /** The global's name. */
  readonly name: string;
  /** Its JSDoc in the `.d.ts` (may span lines). */
  readonly doc: string;
  /** Its TypeScript declaration without `declare`/`export declare` (a session renders `tools` from its tools). */
  readonly declaration: string;
  /**
   * Its line in the `exec` description, after `- `. Absent when the previous helper's line describes it too
   * (`load` with `store`, `clearTimeout` with `setTimeout`).
   */
  readonly summary?: string;
  /** The modules that export it besides the global (`codecell/helpers`, `codecell/tools`). */
  readonly modules: readonly HelperModule[];
}

/** ECMAScript (ECMA-262 and ECMA-402) globals a cell keeps: all of them but `Atomics`, `SharedArrayBuffer`, `WebAssembly`. */
export const ECMASCRIPT_GLOBALS: readonly string[] = [
  "globalThis", "Infinity", "NaN", "undefined", "eval", "isFinite", "isNaN", "parseFloat", "parseInt",
  "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "unescape",
  "Object", "Function", "Boolean", "Symbol", "Error", "AggregateError", "EvalError", "RangeError", "ReferenceError",
  "SyntaxError", "TypeError", "URIError", "SuppressedError", "Number", "BigInt", "Math", "Date", "String", "RegExp",
  "Array", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Map", "Set", "WeakMap",
  "WeakSet", "ArrayBuffer", "DataView", "JSON", "WeakRef", "FinalizationRegistry", "Iterator", "Promise", "Reflect",
  "Proxy", "Intl", "DisposableStack", "AsyncDisposableStack",
]; // deno-fmt-ignore

const DETAIL = IMAGE_DETAILS.map((detail) => JSON.stringify(detail)).join(" | ");

/** Every helper global, in the order the `.d.ts` declares them and the `exec` description lists them. */
export const HELPERS: readonly HelperSpec[] = [
  {
    name: "text",
    doc:
      "Appends a text item. Strings, numbers, booleans, bigints, `null` and `undefined` go through `String(value)`;\n" +
      "anything else through `JSON.stringify` (its errors are thrown).",
    declaration: "function text(value?: unknown): void;",
    summary: "`text(value)`: appends a text item (non-strings as JSON).",
    modules: ["helpers"],
  },
  {
    name: "image",
    doc:
      "Appends an image item from a base64 `data:` URL, an `{ image_url, detail? }` object or an MCP image block.\n" +
      '`detail` overrides the one in the first argument; the default is `"high"`. Remote http(s) URLs throw.',
    declaration: [
      "function image(",
      "  urlOrItem:",
      "    | string",
      `    | { image_url: string; detail?: ${DETAIL} }`,
      '    | { type: "image"; data: string; mimeType: string; _meta?: { [key: string]: unknown } },',
      `  detail?: ${DETAIL},`,
      "): void;",
    ].join("\n"),
    summary: "`image(urlOrItem, detail?)`: appends an image from a base64 `data:` URL, `{image_url, detail?}` or an " +
      "MCP image block; detail `auto`, `low`, `high` (default) or `original`. http(s) URLs are refused.",
    modules: ["helpers"],
  },
  {
    name: "generatedImage",
    doc: "Appends an image generation result as an image item, then its `output_hint` (if any) as a text item.",
    declaration: "function generatedImage(result: { image_url: string; output_hint?: string }): void;",
    summary: "`generatedImage({image_url, output_hint?})`: appends an image generation result, then its hint.",
    modules: ["helpers"],
  },
  {
    name: "console",
    doc: "Each call appends one text item: its values joined by spaces.",
    declaration: [
      "const console: {",
      ...["log", "info", "warn", "error", "debug", "dir", "trace"].map((name) => `  ${name}(...values: unknown[]): void;`),
      "};",
    ].join("\n"),
    summary: "`console.log(...)` (also info, warn, error, debug): appends a text item.",
    modules: [],
  },
  {
    name: "store",
    doc: "Keeps a JSON copy of `value` under `key` for later cells of this session (merged when this cell ends).\n" +
      "Throws for values JSON cannot hold (`undefined`, functions, symbols, BigInts, cycles).",
    declaration: "function store(key: string, value: unknown): void;",
    summary: "`store(key, value)`, `load(key)`: JSON values shared by this session's cells; `load` returns a copy " +
      "or `undefined`. Other cells see a cell's writes once it ends; a terminated cell's writes are dropped.",
    modules: ["helpers"],
  },
  {
    name: "load",
    doc: "A fresh copy of the value stored under `key`, or `undefined`.",
    declaration: "function load(key: string): unknown;",
    modules: ["helpers"],
  },
  {
    name: "notify",
    doc: "Sends a non-empty message (stringified like `text`) to the host at once; the cell keeps running.",
    declaration: "function notify(value: unknown): void;",
    summary: "`notify(value)`: sends a message to the user right away, while the cell runs.",
    modules: ["helpers"],
  },
  {
    name: "yield_control",
    doc: "Lets a waiting `exec`/`wait` return now with the output so far; the cell keeps running.",
    declaration: "function yield_control(): void;",
    summary: "`yield_control()`: returns the output so far now; the cell keeps running.",
    modules: ["helpers"],
  },
  {
    name: "exit",
    doc: "Ends the cell successfully at once with the output so far; `try`/`finally` cannot intercept it.",
    declaration: "function exit(): never;",
    summary: "`exit()`: ends the cell successfully at once.",
    modules: ["helpers"],
  },
  {
    name: "setTimeout",
    doc:
      "Calls `callback` once after `delayMs` (default 0) and returns the timer id. Pending timers do not keep the\n" +
      "cell alive; an exception in `callback` fails the cell.",
    declaration: "function setTimeout(callback: () => void, delayMs?: number): number;",
    summary: "`setTimeout(callback, ms?)`, `clearTimeout(id)`: one-shot timers; pending timers do not keep a cell alive.",
    modules: ["helpers"],
  },
  {
    name: "clearTimeout",
    doc: "Cancels a pending timer; unknown ids are ignored.",
    declaration: "function clearTimeout(id?: number): void;",
    modules: ["helpers"],
  },
  {
    name: "tools",
    doc: "The nested tools. A call starts at once, awaited or not; its promise resolves with the tool's JSON result\n" +
      "and rejects with the tool's error.",
    declaration: "const tools: Readonly<Record<string, (args?: unknown) => Promise<unknown>>>;",
    summary: "`tools.<name>(args)`: calls a nested tool (listed below). It returns a promise of the tool's JSON " +
      "result that rejects with the tool's error; calls start at once, awaited or not, and may run concurrently.",
    modules: ["helpers", "tools"],
  },
  {
    name: "ALL_TOOLS",
    doc: "Name and description (with its TypeScript declaration) of every nested tool.",
    declaration: "const ALL_TOOLS: ReadonlyArray<{ readonly name: string; readonly description: string }>;",
    summary: "`ALL_TOOLS`: `{name, description}` of every nested tool, its TypeScript declaration included.",
    modules: ["helpers", "tools"],
  },
];

/** The helper names a module exports, in table order. */
export function helperNames(module?: HelperModule): string[] {
  return HELPERS.filter((helper) => module === undefined || helper.modules.includes(module)).map((h) => h.name);
}
