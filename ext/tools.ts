/**
 * Nested tools: the global `tools` object and `ALL_TOOLS` (docs/contract.md §5). A call goes to the host as soon
 * as it is made, awaited or not, so calls run concurrently; its promise settles when the host answers. A result
 * arrives as JSON text and is parsed here, in the cell's own realm.
 *
 * @module
 */
import type { KernelSetup } from "./bridge.ts";
import { Op } from "./bridge.ts";
import { toolExpectsJsonObject, toolExpectsString } from "../ts/contract/messages.ts";
import {
  ArrayIsArray,
  ErrorCtor,
  JSONParse,
  JSONStringify,
  MapPrototypeClear,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  ObjectCreate,
  ObjectDefineProperty,
  ObjectFreeze,
  PromiseCtor,
  PromiseReject,
  SafeMap,
  StringCtor,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { hasEnded, host } from "./state.ts";

type SetupTool = KernelSetup["tools"][number];

const pending = new SafeMap<string, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
let nextCallId = 1;

/** Serializes the input the way the tool's kind requires; throws the contract's error otherwise. */
function encodeInput(tool: SetupTool, input: unknown): string {
  if (tool.kind === "freeform") {
    if (typeof input !== "string") throw new TypeErrorCtor(toolExpectsString(tool.name));
    return JSONStringify(input);
  }
  const args = input === undefined ? {} : input;
  if (typeof args !== "object" || args === null || ArrayIsArray(args)) {
    throw new TypeErrorCtor(toolExpectsJsonObject(tool.name));
  }
  const json: string | undefined = JSONStringify(args);
  if (json === undefined) throw new TypeErrorCtor(toolExpectsJsonObject(tool.name));
  return json;
}

function call(tool: SetupTool, input: unknown): Promise<unknown> {
  let json: string;
  try {
    json = encodeInput(tool, input);
  } catch (error) {
    return PromiseReject(error);
  }
  const callId = StringCtor(nextCallId++);
  return new PromiseCtor((resolve, reject) => {
    if (hasEnded()) return; // the cell is over: the call never settles
    MapPrototypeSet(pending, callId, { resolve, reject });
    host(Op.toolCall, callId, tool.name, json);
  });
}

/** Settles a pending call with the host's answer; unknown ids (a cell that already moved on) are ignored. */
export function settleToolCall(callId: string, ok: boolean, text: string): void {
  const waiting = MapPrototypeGet(pending, callId);
  if (waiting === undefined) return;
  MapPrototypeDelete(pending, callId);
  if (!ok) return waiting.reject(new ErrorCtor(text));
  let value: unknown;
  try {
    value = JSONParse(text);
  } catch (error) {
    return waiting.reject(error);
  }
  waiting.resolve(value);
}

/** Forgets every pending call (the cell is over). */
export function dropToolCalls(): void {
  MapPrototypeClear(pending);
}

/** `tools` and `ALL_TOOLS` for the session's tools. */
export function makeTools(list: readonly SetupTool[]): {
  tools: Readonly<Record<string, (input?: unknown) => Promise<unknown>>>;
  ALL_TOOLS: readonly { readonly name: string; readonly description: string }[];
} {
  const tools: Record<string, (input?: unknown) => Promise<unknown>> = ObjectCreate(null);
  const all: { readonly name: string; readonly description: string }[] = [];
  for (let i = 0; i < list.length; i++) {
    const tool: SetupTool = ObjectFreeze({ name: list[i].name, kind: list[i].kind, description: list[i].description });
    const fn = (input?: unknown) => call(tool, input);
    ObjectDefineProperty(fn, "name", { value: tool.name });
    ObjectDefineProperty(tools, tool.name, { value: fn, enumerable: true });
    all[i] = ObjectFreeze({ name: tool.name, description: tool.description });
  }
  return { tools: ObjectFreeze(tools), ALL_TOOLS: ObjectFreeze(all) };
}
