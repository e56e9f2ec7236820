/** Content items as the model sees them (OpenAI Responses API shapes, contract §2). */

/** Image detail levels accepted by `image()`; stored lowercase. */
export const IMAGE_DETAILS = ["auto", "low", "high", "original"] as const;
export type ImageDetail = typeof IMAGE_DETAILS[number];

/** A text item. */
export interface TextItem {
  type: "input_text";
  text: string;
}

/** An image item; `image_url` is always a `data:` URL. */
export interface ImageItem {
  type: "input_image";
  image_url: string;
  detail: ImageDetail;
}

/** One content item of an `exec`/`wait` response. */
export type ContentItem = TextItem | ImageItem;

/** What `execTool` and `waitTool` resolve with. */
export interface ToolResponse {
  success: boolean;
  items: ContentItem[];
}

/** Builds a text item. */
export function textItem(text: string): TextItem {
  return { type: "input_text", text };
}
