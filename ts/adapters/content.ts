/**
 * What every adapter needs from a tool response: an image item's media type and base64 data (SDKs take them
 * apart), and the text of a response as one string (for SDKs whose error results are text only).
 *
 * @module
 */
import type { ContentItem, ImageItem } from "../contract/items.ts";
import { IMAGE_CONTENT_OMITTED } from "../contract/messages.ts";

/** An image as base64 data and its media type. */
export interface ImageData {
  /** The IANA media type, e.g. `image/png`. */
  mediaType: string;
  /** The image bytes, base64-encoded. */
  data: string;
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/**
 * The media type and data of an image item. Image items always hold a base64 `data:` URL (docs/contract.md §2);
 * anything else gives `undefined`.
 *
 * @example
 * ```ts
 * imageData({ type: "input_image", image_url: "data:image/png;base64,iVBOR", detail: "auto" });
 * // { mediaType: "image/png", data: "iVBOR" }
 * ```
 */
export function imageData(item: ImageItem): ImageData | undefined {
  const match = DATA_URL.exec(item.image_url);
  return match === null ? undefined : { mediaType: match[1], data: match[2] };
}

/**
 * The items' text, one item per line; an image becomes the contract's omitted-image text.
 *
 * @example
 * ```ts
 * itemsText([{ type: "input_text", text: "Script failed" }, { type: "input_text", text: "boom" }]); // "Script failed\nboom"
 * ```
 */
export function itemsText(items: readonly ContentItem[]): string {
  return items.map((item) => item.type === "input_text" ? item.text : IMAGE_CONTENT_OMITTED).join("\n");
}
