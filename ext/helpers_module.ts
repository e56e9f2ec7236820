/**
 * What `import ... from "codecell/helpers"` gives a module cell: the same functions as the globals.
 * The runtime's import map points the specifier here.
 *
 * @module
 */
export { clearTimeout, setTimeout } from "./timers.ts";
export { exit, notify, yield_control } from "./control.ts";
export { generatedImage, image, text } from "./output.ts";
export { load, store } from "./store.ts";
export { ALL_TOOLS, tools } from "./tools.ts";
