/**
 * The typed result of the programmatic layer (`session.exec`, `session.wait`, `session.terminate`).
 *
 * @module
 */
import type { ContentItem } from "../contract/items.ts";

/** Where a cell stands, as its latest result reports it. */
export type CellStatus = "completed" | "failed" | "terminated" | "running";

/**
 * Why a result is not a success.
 * - `script`: the cell threw (or did not parse, or imported something unsupported).
 * - `memory_limit`, `timeout` (the lifetime limit), `output_limit`: a limit stopped the cell.
 * - `terminated`: the cell was terminated on request.
 * - `protocol`: the sandbox broke the ops protocol; `runtime`: the sandbox died for another reason.
 * - `not_found`: no live cell has that id.
 * - `rejected`: the request itself was refused and nothing happened (session shutting down, another observer,
 *   already terminating, the active-cell cap, invalid arguments). Model tools show these without a header.
 */
export type CellErrorKind =
  | "script"
  | "memory_limit"
  | "timeout"
  | "output_limit"
  | "terminated"
  | "protocol"
  | "runtime"
  | "not_found"
  | "rejected";

/** An error with its kind; `message` is the text the model sees. */
export interface CellError {
  /** Why the result is not a success. */
  kind: CellErrorKind;
  /** The text the model sees. */
  message: string;
}

/** What `exec`, `wait` and `terminate` resolve with. */
export interface CellResult {
  /** Where the cell stands: `running` when the call yielded before the cell finished. */
  status: CellStatus;
  /** The cell's id; empty when the request was rejected before a cell existed. */
  cellId: string;
  /** Output items emitted since the previous result for this cell (never the header). */
  items: ContentItem[];
  /** Present when `status` is `failed` or `terminated`. */
  error?: CellError;
}

/** A refused request (`kind: "rejected"`). */
export function rejected(message: string, cellId = ""): CellResult {
  return { status: "failed", cellId, items: [], error: { kind: "rejected", message } };
}
