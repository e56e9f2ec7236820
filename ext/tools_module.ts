/**
 * What `import ... from "codecell/tools"` gives a module cell. The runtime's import map points the specifier here.
 *
 * @module
 */
export { ALL_TOOLS, tools } from "./tools.ts";
