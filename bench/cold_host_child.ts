/**
 * The first cell of a default session in a fresh host process: `node --import tsx bench/cold_host_child.ts`
 * imports codecell (timed apart), then times `new CodeModeSession()` through its first `execTool('text("bench")')`.
 * Prints one JSON line `{ importMs, firstCellMs }`.
 *
 * @module
 */
import process from "node:process";

const began = performance.now();
const { CodeModeSession } = await import("../ts/mod.ts");
const importMs = performance.now() - began;

const start = performance.now();
const session = new CodeModeSession();
const response = await session.execTool('text("bench")');
const firstCellMs = performance.now() - start;
await session.close();
const texts = response.items.slice(1).map((item) => (item.type === "input_text" ? item.text : ""));
if (!response.success || texts.join() !== "bench") {
  console.error(`cold host: the cell failed: ${JSON.stringify(response.items).slice(0, 300)}`);
  process.exit(1);
}
console.log(JSON.stringify({ importMs, firstCellMs }));
process.exit(0);
