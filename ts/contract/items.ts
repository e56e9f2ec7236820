/**
 * Content items as the model sees them (OpenAI Responses API shapes, docs/contract.md §2), and what an image item
 * may hold.
 *
 * Import-free, and what it calls on strings is captured when the module loads: inside the sandbox that happens in
 * each fresh context before the cell's code runs, so a cell that replaces `String.prototype` methods cannot
 * change these checks.
 *
 * @module
 */

const call = Function.prototype.call;
const charCodeAt: (text: string, index: number) => number = call.bind(String.prototype.charCodeAt);
const toLowerCase: (text: string) => string = call.bind(String.prototype.toLowerCase);
const slice: (text: string, start: number, end?: number) => string = call.bind(String.prototype.slice);
const indexOf: (text: string, search: string) => number = call.bind(String.prototype.indexOf);

/** Image detail levels accepted by `image()`; stored lowercase. */
export const IMAGE_DETAILS = ["auto", "low", "high", "original"] as const;
/** The detail level of an {@linkcode ImageItem}: `"auto"`, `"low"`, `"high"` or `"original"`. */
export type ImageDetail = typeof IMAGE_DETAILS[number];

/** A text item. */
export interface TextItem {
  /** Always `"input_text"`. */
  type: "input_text";
  /** The text. */
  text: string;
}

/** An image item; `image_url` is always a `data:` URL. */
export interface ImageItem {
  /** Always `"input_image"`. */
  type: "input_image";
  /** The image as a `data:` URL. */
  image_url: string;
  /** How closely the model should look at the image. */
  detail: ImageDetail;
}

/** One content item of an `exec`/`wait` response. */
export type ContentItem = TextItem | ImageItem;

/** What `execTool` and `waitTool` resolve with. */
export interface ToolResponse {
  /** `false` when the cell failed or was terminated, or the request was refused. */
  success: boolean;
  /** What to hand to the model: a status header and the cell's output, or only the error text of a refused request. */
  items: ContentItem[];
}

/** Builds a text item. */
export function textItem(text: string): TextItem {
  return { type: "input_text", text };
}

/** The image types an image item may carry. */
export const IMAGE_MEDIA_TYPES: readonly string[] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/**
 * Whether `url` is a `data:` URL of an image type above whose base64 payload decodes
 * (`data:image/png;base64,...`, scheme and type in any letter case). The image bytes themselves are not parsed.
 */
export function isImageDataUrl(url: string): boolean {
  const comma = indexOf(url, ",");
  if (comma === -1) return false;
  const header = toLowerCase(slice(url, 0, comma));
  const semicolon = indexOf(header, ";");
  if (slice(header, 0, 5) !== "data:" || semicolon === -1 || slice(header, semicolon) !== ";base64") return false;
  const mediaType = slice(header, 5, semicolon);
  let known = false;
  for (let i = 0; i < IMAGE_MEDIA_TYPES.length; i++) known = known || IMAGE_MEDIA_TYPES[i] === mediaType;
  return known && isBase64(url, comma + 1);
}

/** Checks standard base64 (ASCII whitespace ignored, `=` padding only at the end) by character codes. */
function isBase64(text: string, from: number): boolean {
  let symbols = 0;
  let padding = 0;
  for (let i = from; i < text.length; i++) {
    const c = charCodeAt(text, i);
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
