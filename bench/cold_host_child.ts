/**
 * The first cell of a default session in a fresh host process: `node --import tsx bench/cold_host_child.ts [none]`
 * imports codecell (timed apart), then times `new CodeModeSession()` through its first `execTool('text("bench")')`.
 * With `none`, the session has `osSandbox: "none"` (no bubblewrap), to show what the OS layer costs.
 * Prints one JSON line `{ importMs, firstCellMs, constructorMs }`; the constructor starts the host's first sandbox
 * synchronously (choosing the OS layer and spawning), so its time is how long that blocks the host.
 *
 * @module
 */
import process from "node:process";

const began = performance.now();
const { CodeModeSession } = await import("../ts/mod.ts");
const importMs = performance.now() - began;

const start = performance.now();
const session = new CodeModeSession(process.argv[2] === "none" ? { osSandbox: "none" } : {});
const constructorMs = performance.now() - start;
const response = await session.execTool('text("bench")');
const firstCellMs = performance.now() - start;
await session.close();
const texts = response.items.slice(1).map((item) => (item.type === "input_text" ? item.text : ""));
if (!response.success || texts.join() !== "bench") {
  console.error(`cold host: the cell failed: ${JSON.stringify(response.items).slice(0, 300)}`);
  process.exit(1);
}
console.log(JSON.stringify({ importMs, firstCellMs, constructorMs }));
process.exit(0);
