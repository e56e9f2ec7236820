/**
 * Output helpers: `text`, `image`, `generatedImage` (docs/contract.md §4). Each item goes to the host the moment
 * it is made; the host buffers it for the model.
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
import { type ImageDetail, isImageDataUrl } from "../ts/contract/items.ts";
import {
  ErrorCtor,
  JSONStringify,
  ObjectHasOwn,
  StringCtor,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
  StringPrototypeToLowerCase,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { Op } from "./bridge.ts";
import { host } from "./state.ts";

/** The contract's conversion of a value to text (`text`, `notify`): `String` for primitives, else JSON. */
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
  host(Op.text, toText(value));
}

function readDetail(detail: unknown): ImageDetail | undefined {
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

/** Sends an image item, or the "omitted" text item for anything but a decodable image data URL. */
function emitImage(url: string, detail: ImageDetail): void {
  if (isRemoteUrl(url)) throw new ErrorCtor(IMAGE_REMOTE_URL_UNSUPPORTED);
  if (isImageDataUrl(url)) host(Op.image, url, detail);
  else host(Op.text, IMAGE_CONTENT_OMITTED);
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
  if (typeof hint === "string") host(Op.text, hint);
}
