/**
 * Shared helpers of the behaviour tests: a session with test tools, and readers for tool responses.
 *
 * @module
 */
import assert from "node:assert/strict";
import process from "node:process";
import { z } from "zod";
import { CodeModeSession, defineTool, type SessionOptions, type ToolResponse } from "../ts/mod.ts";

/** Header item pattern (docs/contract.md §2). */
export const HEADER =
  /^Script (completed|failed|terminated|running with cell ID \d+)\nWall time \d+\.\d seconds\nOutput:\n$/;

/** A 1×1 PNG as a data URL. */
export const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/** The status line of a response, after checking the header's shape. */
export function statusOf(out: ToolResponse): string {
  const head = out.items[0];
  assert.ok(head?.type === "input_text", `no header item: ${JSON.stringify(out)}`);
  assert.match(head.text, HEADER);
  return head.text.split("\n")[0];
}

/** The texts of the items after the header (images as `<image>`). */
export function textsOf(out: ToolResponse): string[] {
  return out.items.slice(1).map((item) => (item.type === "input_text" ? item.text : "<image>"));
}

/** A promise with its resolver, for gating tool handlers on the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Named gates a cell waits on through the `gate` tool. */
export class Gates {
  #gates = new Map<string, ReturnType<typeof deferred<void>>>();
  #get(name: string) {
    let gate = this.#gates.get(name);
    if (gate === undefined) this.#gates.set(name, gate = deferred());
    return gate;
  }
  wait(name: string): Promise<void> {
    return this.#get(name).promise;
  }
  open(name: string): void {
    this.#get(name).resolve();
  }
}

/** Events the test tools record, with a way to wait for one. */
export class Events {
  readonly seen: string[] = [];
  #waiters: { event: string; resolve: () => void }[] = [];
  add(event: string): void {
    this.seen.push(event);
    for (const waiter of this.#waiters.filter((w) => w.event === event)) waiter.resolve();
  }
  /** Resolves when `event` has happened (at once if it already has). */
  when(event: string): Promise<void> {
    if (this.seen.includes(event)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ event, resolve }));
  }
}

/** Tools for behaviour tests: echo, a gate, a handler that blocks until aborted, one that fails. */
export function testTools(gates: Gates, events: Events) {
  return [
    defineTool({
      name: "echo",
      description: "Echo the message back.",
      input: z.object({ message: z.string() }),
      output: z.object({ echo: z.string() }),
      run: ({ message }) => ({ echo: message }),
    }),
    defineTool({
      name: "gate",
      description: "Wait until the test opens the named gate.",
      input: z.object({ name: z.string() }),
      run: async ({ name }) => {
        events.add(`gate-waiting:${name}`);
        await gates.wait(name);
        return "open";
      },
    }),
    defineTool({
      name: "block",
      description: "Never finishes unless cancelled.",
      input: z.object({ tag: z.string() }),
      run: ({ tag }, { signal }) =>
        new Promise((_resolve, reject) => {
          events.add(`block-start:${tag}`);
          const aborted = () => {
            events.add(`block-aborted:${tag}`);
            reject(new Error("aborted"));
          };
          if (signal.aborted) aborted();
          else signal.addEventListener("abort", aborted, { once: true });
        }),
    }),
    defineTool({
      name: "fail",
      description: "Always fails.",
      input: z.object({}),
      run: () => {
        throw new Error("handler exploded");
      },
    }),
  ];
}

/** Runs `fn` with a fresh session over the test tools and always closes it. */
export async function withSession(
  fn: (session: CodeModeSession, ctx: { gates: Gates; events: Events }) => Promise<void>,
  options: SessionOptions = {},
): Promise<void> {
  const gates = new Gates();
  const events = new Events();
  const session = new CodeModeSession({ tools: testTools(gates, events), ...testIsolation(), ...options });
  try {
    await fn(session, { gates, events });
  } finally {
    await session.close();
  }
}

/**
 * The isolation mode behaviour tests run in: the default (`"context"`), or `"process"` when `CODECELL_TEST_ISOLATION`
 * says so (the test runner's Node pass), so the contract is checked in both modes.
 */
export function testIsolation(): { isolation?: "context" | "process" } {
  const mode = process.env.CODECELL_TEST_ISOLATION;
  if (mode === undefined || mode === "") return {};
  if (mode !== "context" && mode !== "process") {
    throw new Error(`CODECELL_TEST_ISOLATION must be context or process, not ${mode}`);
  }
  return { isolation: mode };
}
