/**
 * Dynamic `import()` in a cell. The host rewrites each `import(` in cell source to a call of this guard (under a
 * name of the same length, so positions do not move): only `codecell/helpers` and `codecell/tools` resolve, and
 * anything else rejects with `Unsupported import in exec: <specifier>` that the cell may catch.
 *
 * @module
 */
import * as helpersModule from "./helpers_module.ts";
import * as toolsModule from "./tools_module.ts";
import { unsupportedImport } from "../ts/contract/messages.ts";
import { ErrorCtor, PromiseCtor, StringCtor } from "./intrinsics.ts";
import { HELPERS_SPECIFIER, TOOLS_SPECIFIER } from "../ts/contract/cell_source.ts";

/** Resolves the two helper modules; rejects every other specifier. */
export function guardedImport(specifier: unknown): Promise<unknown> {
  if (specifier === HELPERS_SPECIFIER) return PromiseCtor.resolve(helpersModule);
  if (specifier === TOOLS_SPECIFIER) return PromiseCtor.resolve(toolsModule);
  let name: string;
  try {
    name = StringCtor(specifier);
  } catch {
    name = "<unprintable specifier>";
  }
  return PromiseCtor.reject(new ErrorCtor(unsupportedImport(name)));
}
