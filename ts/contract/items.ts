/** Content items as the model sees them (OpenAI Responses API shapes, docs/contract.md §2). */

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
