/**
 * The `codecell` command: `codecell mcp`, `codecell exec`, `codecell types` (see `codecell --help`).
 * Runs under Deno (`deno run -A bin/codecell.ts`) or Node 20+ through `bin/codecell.mjs`.
 *
 * Exit codes: 0 success; 1 a failed cell or a runtime failure (e.g. an MCP server that cannot be reached); 2 a
 * usage error (bad flag, unreadable or invalid config or tools module), reported as one line on stderr.
 *
 * @module
 */
import process from "node:process";
import { CodecellError } from "../ts/contract/errors.ts";
import { parseCommandLine } from "./cli_args.ts";

/** Exit code of a usage error (as `USAGE` in ./commands.ts, which is not loaded for help and usage errors). */
const USAGE = 2;

/**
 * Runs the command line and resolves with the exit code; the MCP server resolves when its client has gone.
 *
 * @example
 * ```ts
 * process.exitCode = await main(["types", "--config", "codecell.json"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(args);
  if (!parsed.ok) return fail(parsed.error, USAGE);
  const command = parsed.value;
  if (command.command === "help") {
    process.stdout.write(command.text);
    return 0;
  }
  const { CliFailure, runCommand } = await import("./commands.ts");
  try {
    return await runCommand(command);
  } catch (error) {
    if (error instanceof CliFailure) return fail(error.message, error.exitCode);
    if (error instanceof CodecellError) return fail(error.message, error.code === "invalid_options" ? USAGE : 1);
    return fail(error instanceof Error ? error.message : String(error), 1);
  }
}

function fail(message: string, exitCode: number): number {
  process.stderr.write(`codecell: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  return exitCode;
}

/**
 * Runs {@link main} on the process's arguments, then exits once stdout is flushed: the process must not wait on
 * handles a library left open (stdin, a child's pipe).
 *
 * @example
 * ```ts
 * await runAndExit(); // in the bin entry
 * ```
 */
export async function runAndExit(args: readonly string[] = process.argv.slice(2)): Promise<never> {
  const code = await main(args);
  // Writes to a pipe are asynchronous in Node: an empty write's callback runs after the earlier ones are flushed.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

// `import.meta.main` is set by Deno (`deno run -A bin/codecell.ts`) and Node 24; the compiled package's executable
// is ./main.ts, which every Node runs.
const meta: { url: string; main?: unknown } = import.meta;
if (meta.main === true) await runAndExit();
