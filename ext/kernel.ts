/**
 * The helper kernel: evaluated inside each fresh context, before the cell's code, it captures the context's
 * intrinsics, installs the helpers as the context's globals, and hands the outer realm the few functions it calls
 * (`KernelHandle`). Everything it needs from the outer realm goes through the one `post` function, with
 * primitives only (see `./bridge.ts`).
 *
 * @module
 */
import type { KernelHandle, KernelSetup, Post } from "./bridge.ts";
import { ErrorCtor, JSONParse, ObjectFreeze, PromisePrototypeThen, ReflectApply, SafeMap } from "./intrinsics.ts";
import { closeCell, connect, finish, hasEnded } from "./state.ts";
import { errorText } from "./errors.ts";
import { generatedImage, image, text } from "./output.ts";
import { configureStore, load, store } from "./store.ts";
import { exit, notify, yield_control } from "./control.ts";
import { clearTimeout, clearTimers, fireTimer, setTimeout } from "./timers.ts";
import { dropToolCalls, makeTools, settleToolCall } from "./tools.ts";
import { makeConsole } from "./console.ts";
import { helperModules, importGuard } from "./imports.ts";
import { installGlobals } from "./install.ts";

/** Installs the helpers for one cell; `setupJson` is the session's setup (tools, console) as JSON text. */
export function install(post: Post, setupJson: string): KernelHandle {
  connect(post);
  const setup: KernelSetup = JSONParse(setupJson);
  configureStore(setup.limits);
  const { tools, ALL_TOOLS } = makeTools(setup.tools);
  const helpers = new SafeMap<string, unknown>([
    ["text", text],
    ["image", image],
    ["generatedImage", generatedImage],
    ["console", makeConsole(setup.console)],
    ["store", store],
    ["load", load],
    ["notify", notify],
    ["yield_control", yield_control],
    ["exit", exit],
    ["setTimeout", setTimeout],
    ["clearTimeout", clearTimeout],
    ["tools", tools],
    ["ALL_TOOLS", ALL_TOOLS],
  ]);
  installGlobals(helpers, () => !hasEnded());
  const modules = helperModules(helpers);
  const guard = importGuard(modules);
  return ObjectFreeze({
    run(cell: unknown): void {
      if (typeof cell !== "function") return finish(false, new ErrorCtor("codecell: no cell to run").stack ?? "");
      let done: unknown;
      try {
        done = ReflectApply(cell, undefined, [guard, modules]);
      } catch (error) {
        return finish(false, errorText(error));
      }
      PromisePrototypeThen(
        done as Promise<unknown>,
        () => finish(true, ""),
        (error) => finish(false, errorText(error)),
      );
    },
    settle: settleToolCall,
    fire: fireTimer,
    close(): void {
      closeCell();
      clearTimers();
      dropToolCalls();
    },
  });
}
