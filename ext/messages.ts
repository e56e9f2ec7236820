/**
 * Error and notice strings raised inside the sandbox by the cell helpers (contract §4, §5, §7).
 *
 * This module is loaded inside the locked-down Deno sandbox, so it must stay import-free and side-effect-free.
 * The host re-exports it from `ts/model/messages.ts`, so each string has exactly one definition.
 */

/** `image()` got a first argument that is neither a URL string, an `{image_url}` object nor an MCP image block. */
export const IMAGE_EXPECTS_IMAGE =
  "image expects a non-empty image URL string, an object with image_url and optional detail, or a raw MCP image block";

/** `image()` got an object whose `type` is not `"image"`. */
export function imageOnlyAcceptsMcpImageBlocks(type: string): string {
  return `image only accepts MCP image blocks, got "${type}"`;
}

/** `image()` got an MCP image block without a non-empty `data` string. */
export const IMAGE_EXPECTED_MCP_DATA = "image expected MCP image data";

/** `image()` got a `detail` that is not a string. */
export const IMAGE_DETAIL_NOT_STRING = "image detail must be a string when provided";

/** `image()` got a `detail` string outside the supported levels. */
export const IMAGE_DETAIL_UNSUPPORTED = "image detail must be one of: auto, low, high, original";

/** `image()` got an `http(s)` URL; only inline `data:` URLs reach the model. */
export const IMAGE_REMOTE_URL_UNSUPPORTED =
  "Tool call failed: remote image URLs are not supported in tool outputs. Pass a base64 data URI instead";

/** Text item that replaces an image whose `data:` payload does not decode (nothing is thrown). */
export const IMAGE_CONTENT_OMITTED = "image content omitted because it could not be processed";

/** `generatedImage()` got something that is not an `{image_url, output_hint?}` object. */
export const GENERATED_IMAGE_EXPECTS_RESULT = "generatedImage expects an image generation result object";

/** `generatedImage()` got an `output_hint` that is not a string. */
export const GENERATED_IMAGE_HINT_NOT_STRING = "generatedImage output_hint must be a string when provided";

/** `store()` got a key that cannot become a string (a Symbol). */
export const STORE_KEY_NOT_STRING = "store key must be a string";

// Captured when the sandbox boots: a cell may replace `JSON.stringify` before a helper builds this message.
const quote = JSON.stringify;

/** `store()` got a value that JSON cannot represent (`undefined`, a function, a symbol). */
export function storeUnserializable(key: string): string {
  // JSON quoting matches Codex's `{key:?}` for ordinary keys and stays unambiguous for keys holding quotes.
  return `Unable to store ${quote(key)}. Only plain serializable objects can be stored.`;
}

/** `notify()` got text that is blank after trimming. */
export const NOTIFY_EXPECTS_TEXT = "notify expects non-empty text";

/** `setTimeout()` got a callback that is not a function. */
export const SET_TIMEOUT_EXPECTS_FUNCTION = "setTimeout expects a function callback";

/** `clearTimeout()` got an id that is present but not a number. */
export const CLEAR_TIMEOUT_EXPECTS_NUMBER = "clearTimeout expects a numeric timeout id";

/** A function tool was called with something other than a JSON object (or `undefined`). */
export function toolExpectsJsonObject(toolName: string): string {
  return `tool \`${toolName}\` expects a JSON object for arguments`;
}

/** A freeform tool was called with something other than a string. */
export function toolExpectsString(toolName: string): string {
  return `tool \`${toolName}\` expects a string input`;
}

/** A cell imported a module other than `codecell/helpers` or `codecell/tools`. */
export function unsupportedImport(specifier: string): string {
  return `Unsupported import in exec: ${specifier}`;
}
