/**
 * Nested tools: the global `tools` object and `ALL_TOOLS` (docs/contract.md §5). A call is sent to the host as soon as it
 * is made, awaited or not, so calls run concurrently; the promise settles when the host answers.
 *
 * @module
 */
import type { SandboxTool } from "../ts/contract/wire.ts";
import { toolExpectsJsonObject, toolExpectsString } from "../ts/contract/messages.ts";
import {
  ArrayIsArray,
  ErrorCtor,
  JSONStringify,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  ObjectCreate,
  ObjectDefineProperty,
  ObjectFreeze,
  PromiseCtor,
  StringCtor,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { cell } from "./state.ts";

/** The functions behind `tools.<name>`, filled once per sandbox by {@linkcode installTools}. */
export const tools: Record<string, (input?: unknown) => Promise<unknown>> = ObjectCreate(null);

/** `{name, description}` of every nested tool. */
export const ALL_TOOLS: { readonly name: string; readonly description: string }[] = [];

/** Serializes the input the way the tool's kind requires; throws the contract's error otherwise. */
function encodeInput(tool: SandboxTool, input: unknown): string {
  if (tool.kind === "freeform") {
    if (typeof input !== "string") throw new TypeErrorCtor(toolExpectsString(tool.name));
    return JSONStringify(input);
  }
  const args = input === undefined ? {} : input;
  if (typeof args !== "object" || args === null || ArrayIsArray(args)) {
    throw new TypeErrorCtor(toolExpectsJsonObject(tool.name));
  }
  return JSONStringify(args);
}

function call(tool: SandboxTool, input: unknown): Promise<unknown> {
  const state = cell();
  let json: string;
  try {
    json = encodeInput(tool, input);
  } catch (error) {
    return PromiseCtor.reject(error);
  }
  const callId = StringCtor(state.nextCallId++);
  return new PromiseCtor((resolve, reject) => {
    MapPrototypeSet(state.calls, callId, { resolve, reject });
    // Built as text: `json` is already encoded, and a frame must not depend on prototypes the cell can change.
    state.port.sendRaw(`{"type":"tool/call","callId":"${callId}","tool":${JSONStringify(tool.name)},"input":${json}}`);
  });
}

/** Settles a pending call with the host's answer; unknown ids (a cell that already moved on) are ignored. */
export function settleToolCall(callId: string, outcome: { ok: true; value: unknown } | { ok: false; error: string }) {
  const calls = cell().calls;
  const pending = MapPrototypeGet(calls, callId);
  if (pending === undefined) return;
  MapPrototypeDelete(calls, callId);
  if (outcome.ok) pending.resolve(outcome.value);
  else pending.reject(new ErrorCtor(outcome.error));
}

/** Installs this session's tools; called once per sandbox, before any cell runs. */
export function installTools(list: readonly SandboxTool[]): void {
  for (let i = 0; i < list.length; i++) {
    const tool = ObjectFreeze({ ...list[i] });
    const fn = (input?: unknown) => call(tool, input);
    ObjectDefineProperty(fn, "name", { value: tool.name });
    ObjectDefineProperty(tools, tool.name, { value: fn, enumerable: true });
    ALL_TOOLS[i] = ObjectFreeze({ name: tool.name, description: tool.description });
  }
  ObjectFreeze(tools);
  ObjectFreeze(ALL_TOOLS);
}
