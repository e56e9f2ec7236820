/**
 * `--tools <module>`: nested tools from a TypeScript or JavaScript module that exports `defineTool()` results.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CodecellError } from "../ts/contract/errors.ts";
import { isToolDefinition, type ToolDefinition } from "../ts/tools/define.ts";

/**
 * Imports `path` and collects its tools: the default export (an array of definitions, or one definition) and
 * every named export that is a definition, each once, default first. Throws `CodecellError("invalid_options")`
 * with one line when the module cannot be imported or exports no tool.
 *
 * @example
 * ```ts
 * // tools.ts: export default [defineTool({ name: "lookup_order", ... })];
 * const tools = await loadToolModule("tools.ts");
 * ```
 */
export async function loadToolModule(path: string): Promise<ToolDefinition[]> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CodecellError("invalid_options", `cannot load tools module ${path}: ${reason.split("\n")[0]}`);
  }
  const found = new Set<ToolDefinition>();
  const { default: defaultExport, ...named } = module;
  const defaults = Array.isArray(defaultExport) ? defaultExport : [defaultExport];
  for (const candidate of [...defaults, ...Object.values(named)]) {
    if (isToolDefinition(candidate)) found.add(candidate);
  }
  if (Array.isArray(defaultExport) && defaultExport.some((item) => !isToolDefinition(item))) {
    throw new CodecellError(
      "invalid_options",
      `tools module ${path}: its default export must be an array of defineTool() results`,
    );
  }
  if (found.size === 0) {
    throw new CodecellError(
      "invalid_options",
      `tools module ${path} exports no tools (export defineTool() results, or a default array of them)`,
    );
  }
  return [...found];
}
