/**
 * The arguments of `exec` and `wait` as zod schemas, for SDKs that take zod (docs/contract.md §1): the same
 * fields and descriptions as `toolSpecs`, in a plain form and in the strict form of OpenAI's structured outputs
 * (every field required, the optional ones nullable).
 *
 * @module
 */
import { z } from "zod";
import { ARGUMENT_DESCRIPTIONS } from "../contract/messages.ts";
import { unfenced } from "../model/exec_args.ts";

/** The arguments of `exec`. */
export interface ExecInput {
  /** The cell's source, with an optional first-line pragma. */
  code: string;
}

/** The arguments of `wait`. */
export interface WaitInput {
  /** The id from `Script running with cell ID <id>`. */
  cell_id: string;
  /** Return after this long if the cell is still running. */
  yield_time_ms?: number | undefined;
  /** Output budget of this response, in tokens. */
  max_tokens?: number | undefined;
  /** Stop the cell. */
  terminate?: boolean | undefined;
}

/** The arguments of `wait` in strict mode: absent optional fields are `null`. */
export interface StrictWaitInput {
  /** The id from `Script running with cell ID <id>`. */
  cell_id: string;
  /** Return after this long if the cell is still running. */
  yield_time_ms: number | null;
  /** Output budget of this response, in tokens. */
  max_tokens: number | null;
  /** Stop the cell. */
  terminate: boolean | null;
}

/** `exec`'s schema. */
export const execInput: z.ZodType<ExecInput> = z.object({ code: z.string().describe(ARGUMENT_DESCRIPTIONS.code) });

/** `wait`'s schema. */
export const waitInput: z.ZodType<WaitInput> = z.object({
  cell_id: z.string().describe(ARGUMENT_DESCRIPTIONS.cell_id),
  yield_time_ms: z.number().optional().describe(ARGUMENT_DESCRIPTIONS.yield_time_ms),
  max_tokens: z.number().optional().describe(ARGUMENT_DESCRIPTIONS.max_tokens),
  terminate: z.boolean().optional().describe(ARGUMENT_DESCRIPTIONS.terminate),
});

/** `wait`'s schema in strict mode. */
export const strictWaitInput: z.ZodObject<{
  cell_id: z.ZodString;
  yield_time_ms: z.ZodNullable<z.ZodNumber>;
  max_tokens: z.ZodNullable<z.ZodNumber>;
  terminate: z.ZodNullable<z.ZodBoolean>;
}> = z.object({
  cell_id: z.string().describe(ARGUMENT_DESCRIPTIONS.cell_id),
  yield_time_ms: z.number().nullable().describe(ARGUMENT_DESCRIPTIONS.yield_time_ms),
  max_tokens: z.number().nullable().describe(ARGUMENT_DESCRIPTIONS.max_tokens),
  terminate: z.boolean().nullable().describe(ARGUMENT_DESCRIPTIONS.terminate),
});

/** `exec`'s schema in strict mode (its one field is required anyway). */
export const strictExecInput: z.ZodObject<{ code: z.ZodString }> = z.object({
  code: z.string().describe(ARGUMENT_DESCRIPTIONS.code),
});

/**
 * The raw `exec` input of `{code}`: a code string that is exactly one markdown fence gives its body
 * (docs/contract.md §7).
 *
 * @example
 * ```ts
 * execSource({ code: "```ts\ntext(1)\n```" }); // "text(1)"
 * ```
 */
export function execSource(input: ExecInput): string {
  return unfenced(input.code);
}

/**
 * `wait`'s arguments without the fields a strict-mode model sent as `null` (absent: their defaults apply).
 *
 * @example
 * ```ts
 * waitArguments({ cell_id: "1", yield_time_ms: null, max_tokens: null, terminate: true }); // { cell_id: "1", terminate: true }
 * ```
 */
export function waitArguments(input: StrictWaitInput | WaitInput): WaitInput {
  const args: WaitInput = { cell_id: input.cell_id };
  if (input.yield_time_ms !== null && input.yield_time_ms !== undefined) args.yield_time_ms = input.yield_time_ms;
  if (input.max_tokens !== null && input.max_tokens !== undefined) args.max_tokens = input.max_tokens;
  if (input.terminate !== null && input.terminate !== undefined) args.terminate = input.terminate;
  return args;
}
