/**
 * Imports in a cell. The host turns static imports of the helper modules into bindings taken from
 * {@linkcode helperModules} (see `ts/source/prepare.ts`), and each dynamic `import(` into a call of
 * {@linkcode guardedImport} (under a name of the same length): only `codecell/helpers` and `codecell/tools`
 * resolve, and anything else rejects with `Unsupported import in exec: <specifier>`, which the cell may catch.
 *
 * @module
 */
import { unsupportedImport } from "../ts/contract/messages.ts";
import { helperNames } from "../ts/contract/helpers.ts";
import { HELPERS_SPECIFIER, TOOLS_SPECIFIER } from "../ts/contract/cell_source.ts";
import {
  ErrorCtor,
  ObjectCreate,
  ObjectDefineProperty,
  ObjectFreeze,
  PromiseReject,
  PromiseResolve,
  StringCtor,
} from "./intrinsics.ts";

/** Module objects, by specifier, as a module namespace would look: frozen, no prototype. */
export type HelperModules = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** The two helper modules, exporting the globals their names in the helper table list. */
export function helperModules(globals: ReadonlyMap<string, unknown>): HelperModules {
  const module = (names: readonly string[]) => {
    const namespace: Record<string, unknown> = ObjectCreate(null);
    for (let i = 0; i < names.length; i++) {
      ObjectDefineProperty(namespace, names[i], { value: globals.get(names[i]), enumerable: true });
    }
    return ObjectFreeze(namespace);
  };
  const modules: Record<string, Readonly<Record<string, unknown>>> = ObjectCreate(null);
  modules[HELPERS_SPECIFIER] = module(helperNames("helpers"));
  modules[TOOLS_SPECIFIER] = module(helperNames("tools"));
  return ObjectFreeze(modules);
}

/** The dynamic-import guard for a cell, resolving the two helper modules and rejecting everything else. */
export function importGuard(modules: HelperModules): (specifier: unknown) => Promise<unknown> {
  const guard = (specifier: unknown): Promise<unknown> => {
    if (specifier === HELPERS_SPECIFIER || specifier === TOOLS_SPECIFIER) return PromiseResolve(modules[specifier]);
    let name: string;
    try {
      name = StringCtor(specifier);
    } catch {
      name = "<unprintable specifier>";
    }
    return PromiseReject(new ErrorCtor(unsupportedImport(name)));
  };
  // `import.meta` in a cell reads this (the host rewrites it like a dynamic import).
  ObjectDefineProperty(guard, "meta", { value: ObjectFreeze({ url: "cell.ts" }) });
  return ObjectFreeze(guard);
}
