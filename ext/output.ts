/**
 * Output helpers: `text`, `image`, `generatedImage` (docs/contract.md §4). Each item is sent to the host the moment it is
 * made; the host buffers it for the model.
 *
 * @module
 */
import {
  GENERATED_IMAGE_EXPECTS_RESULT,
  GENERATED_IMAGE_HINT_NOT_STRING,
  IMAGE_CONTENT_OMITTED,
  IMAGE_DETAIL_NOT_STRING,
  IMAGE_DETAIL_UNSUPPORTED,
  IMAGE_EXPECTED_MCP_DATA,
  IMAGE_EXPECTS_IMAGE,
  IMAGE_REMOTE_URL_UNSUPPORTED,
  imageOnlyAcceptsMcpImageBlocks,
} from "../ts/contract/messages.ts";
import {
  ErrorCtor,
  JSONStringify,
  ObjectHasOwn,
  StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypeEndsWith,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
  StringPrototypeToLowerCase,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { send } from "./state.ts";

type Detail = "auto" | "low" | "high" | "original";

/**
 * The text form of a value, as `text()` and `notify()` define it: primitives through `String`, anything else
 * through `JSON.stringify` (its errors propagate), falling back to `String` when JSON has no form for the value.
 */
export function toText(value: unknown): string {
  const kind = typeof value;
  if (value === undefined || value === null || kind === "boolean" || kind === "number" || kind === "bigint") {
    return StringCtor(value);
  }
  if (kind === "string") return value as string;
  const json: string | undefined = JSONStringify(value);
  return json === undefined ? StringCtor(value) : json;
}

/** Appends a text item. */
export function text(value?: unknown): void {
  send({ type: "output/text", text: toText(value) });
}

function readDetail(detail: unknown): Detail | undefined {
  if (detail === undefined || detail === null) return undefined;
  if (typeof detail !== "string") throw new TypeErrorCtor(IMAGE_DETAIL_NOT_STRING);
  const lower = StringPrototypeToLowerCase(detail);
  if (lower === "auto" || lower === "low" || lower === "high" || lower === "original") return lower;
  throw new TypeErrorCtor(IMAGE_DETAIL_UNSUPPORTED);
}

function get(object: object, key: string): unknown {
  return (object as Record<string, unknown>)[key];
}

/** Reads the URL and embedded detail out of `image()`'s first argument, validating its shape. */
function readImageSource(source: unknown): { url: string; detail: unknown } {
  if (typeof source === "string") {
    if (source === "") throw new TypeErrorCtor(IMAGE_EXPECTS_IMAGE);
    return { url: source, detail: undefined };
  }
  if (typeof source !== "object" || source === null) throw new TypeErrorCtor(IMAGE_EXPECTS_IMAGE);
  if (ObjectHasOwn(source, "type")) {
    const type = get(source, "type");
    if (type !== "image") throw new TypeErrorCtor(imageOnlyAcceptsMcpImageBlocks(StringCtor(type)));
    const data = get(source, "data");
    if (typeof data !== "string" || data === "") throw new TypeErrorCtor(IMAGE_EXPECTED_MCP_DATA);
    const mimeType = get(source, "mimeType");
    const meta = get(source, "_meta");
    const detail = typeof meta === "object" && meta !== null ? get(meta, "codex/imageDetail") : undefined;
    return { url: `data:${typeof mimeType === "string" ? mimeType : "image/png"};base64,${data}`, detail };
  }
  const url = get(source, "image_url");
  if (typeof url !== "string" || url === "") throw new TypeErrorCtor(IMAGE_EXPECTS_IMAGE);
  return { url, detail: get(source, "detail") };
}

/** Whether `url` starts with `http:` or `https:` in any letter case. */
function isRemoteUrl(url: string): boolean {
  const scheme = StringPrototypeToLowerCase(StringPrototypeSlice(url, 0, 8));
  return StringPrototypeStartsWith(scheme, "http:") || StringPrototypeStartsWith(scheme, "https:");
}

/** Whether a `data:` URL has a base64 payload that decodes (the image bytes themselves are not parsed). */
function decodableDataUrl(url: string): boolean {
  if (!StringPrototypeStartsWith(StringPrototypeToLowerCase(StringPrototypeSlice(url, 0, 5)), "data:")) return false;
  const comma = StringPrototypeIndexOf(url, ",");
  if (comma === -1) return false;
  const header = StringPrototypeToLowerCase(StringPrototypeSlice(url, 5, comma));
  if (!StringPrototypeEndsWith(header, ";base64")) return false;
  return isBase64(url, comma + 1);
}

/** Checks standard base64 (ASCII whitespace ignored, `=` padding only at the end) by character codes. */
function isBase64(s: string, from: number): boolean {
  let symbols = 0;
  let padding = 0;
  for (let i = from; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (c === 0x3d) {
      padding++;
      continue;
    }
    const alphabet = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b ||
      c === 0x2f;
    if (!alphabet || padding > 0) return false;
    symbols++;
  }
  if (symbols === 0 || padding > 2) return false;
  const total = symbols + padding;
  return padding > 0 ? total % 4 === 0 : symbols % 4 !== 1;
}

/** Sends an image item, or the "omitted" text item for a payload that does not decode. */
function emitImage(url: string, detail: Detail): void {
  if (isRemoteUrl(url)) throw new ErrorCtor(IMAGE_REMOTE_URL_UNSUPPORTED);
  if (decodableDataUrl(url)) send({ type: "output/image", image_url: url, detail });
  else send({ type: "output/text", text: IMAGE_CONTENT_OMITTED });
}

/** Appends an image item from a `data:` URL, an `{image_url, detail?}` object or an MCP image block. */
export function image(urlOrItem: unknown, detail?: unknown): void {
  const source = readImageSource(urlOrItem);
  const chosen = readDetail(detail) ?? readDetail(source.detail) ?? "high";
  emitImage(source.url, chosen);
}

/** Appends an image generation result, then its `output_hint` as a text item when there is one. */
export function generatedImage(result: unknown): void {
  if (typeof result !== "object" || result === null) throw new TypeErrorCtor(GENERATED_IMAGE_EXPECTS_RESULT);
  const url = get(result, "image_url");
  if (typeof url !== "string" || url === "") throw new TypeErrorCtor(GENERATED_IMAGE_EXPECTS_RESULT);
  const hint = get(result, "output_hint");
  if (hint !== undefined && hint !== null && typeof hint !== "string") {
    throw new TypeErrorCtor(GENERATED_IMAGE_HINT_NOT_STRING);
  }
  emitImage(url, "high");
  if (typeof hint === "string") send({ type: "output/text", text: hint });
}
