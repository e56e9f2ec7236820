/**
 * Type-checks a cell against a session's declarations before anything runs (docs/contract.md §8), in the host's
 * checker process (`./checker_process.ts`): an in-memory TypeScript that can read no file.
 *
 * @module
 */
import { helperModuleSource, toolsModuleSource } from "../typegen/declarations.ts";
import { checker } from "./checker_process.ts";

/** The outcome of {@link typecheckCell}: `error` is what the model reads (the diagnostics, or why none came). */
export type TypecheckResult = { ok: true } | { ok: false; error: string };

/** Options of {@link typecheckCell}. */
export interface TypecheckOptions {
  /** The session the check is for: its checks stop when {@linkcode releaseTypechecks} is called for it. */
  owner?: object;
  /** Stops the check (it then fails with a message saying so). */
  signal?: AbortSignal;
  /** The longest the check may take (default 10 s). */
  timeoutMs?: number;
}

const anonymous = {};

/**
 * Type-checks `source` as a module cell against `declarations` (a `.d.ts` from `typeDeclarations()`), with
 * `strict` and `lib: ["esnext"]`; `codecell/helpers` and `codecell/tools` resolve to the declared globals.
 * Resolves `{ ok: false, error }` with the diagnostics for type and syntax errors, and with the reason when the
 * check could not run (TypeScript 6 not installed, the time or memory limit, a closed session). Never rejects.
 *
 * @example
 * ```ts
 * const result = await typecheckCell('await tools.lookup_order({ order_id: 1 });', session.typeDeclarations());
 * if (!result.ok) console.log(result.error); // "TS2322 [ERROR]: ... at cell.ts:1:28"
 * ```
 */
export function typecheckCell(
  source: string,
  declarations: string,
  options: TypecheckOptions = {},
): Promise<TypecheckResult> {
  const request = { cell: source, declarations, helpers: helperModuleSource(), tools: toolsModuleSource() };
  return checker.check(request, options.owner ?? anonymous, options.signal, options.timeoutMs);
}

/** Stops the checks of `owner` (a closing session); the checker process ends with its last owner. */
export function releaseTypechecks(owner: object): void {
  checker.release(owner);
}
