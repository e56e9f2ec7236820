// The strings codecell mcp shows to clients, models and operators, byte for byte (docs/contract.md §7, README
// "HTTP deployment").
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  approvalQuestion,
  HTTP_MISSING_SESSION,
  HTTP_NOT_FOUND,
  HTTP_SHUTTING_DOWN,
  HTTP_UNAUTHORIZED,
  HTTP_UNKNOWN_SESSION,
  httpOriginNotAllowed,
  MCP_CLIENT_CANNOT_APPROVE,
  mcpServerUnavailable,
  nestedCallProgress,
  notificationsDroppedSlowClient,
  remoteBindWarning,
  tooManySessions,
  unauthenticatedRemote,
} from "../contract/messages.ts";

test("the stand-in of an unreachable server and forwarded progress read as the contract says", () => {
  assert.equal(
    mcpServerUnavailable("github", "spawn npx ENOENT"),
    "MCP server `github` is unavailable (spawn npx ENOENT); codecell keeps trying to connect, and its tools appear " +
      "in a later cell once it is back",
  );
  assert.equal(nestedCallProgress("mcp__a__b", 2, 5, "copying"), "mcp__a__b: 2/5 copying");
  assert.equal(nestedCallProgress("mcp__a__b", 0.5, undefined), "mcp__a__b: 0.5");
  assert.equal(nestedCallProgress("mcp__a__b", 1, 3, ""), "mcp__a__b: 1/3");
  assert.equal(
    notificationsDroppedSlowClient(7),
    "codecell: 7 notifications were dropped because the MCP client did not read them fast enough",
  );
});

test("the HTTP endpoint's answers and notices", () => {
  assert.deepEqual(
    [HTTP_NOT_FOUND, HTTP_SHUTTING_DOWN, HTTP_UNKNOWN_SESSION, HTTP_MISSING_SESSION, HTTP_UNAUTHORIZED],
    [
      "not found: codecell serves MCP at /mcp",
      "the server is shutting down",
      "unknown or closed MCP session (it may have expired after being idle); initialize a new one",
      "missing Mcp-Session-Id header",
      "missing or invalid bearer token (send Authorization: Bearer <token>)",
    ],
  );
  assert.equal(
    httpOriginNotAllowed("https://evil.example"),
    "origin https://evil.example is not allowed (codecell mcp --allowed-origins lists the allowed ones)",
  );
  assert.equal(
    tooManySessions(4),
    "codecell is serving its maximum of 4 MCP sessions (--max-sessions); end one (HTTP DELETE with its " +
      "Mcp-Session-Id) or retry once an idle one has expired",
  );
  assert.equal(
    unauthenticatedRemote("0.0.0.0"),
    "refusing to serve MCP on 0.0.0.0 without an auth token: anyone who reaches it could run code with your tools; " +
      "set --auth-token or CODECELL_AUTH_TOKEN, or listen on 127.0.0.1",
  );
  assert.equal(
    remoteBindWarning("10.0.0.5"),
    "WARNING: serving MCP on 10.0.0.5, reachable from other machines; every request needs the bearer token, and " +
      "plain HTTP sends it in clear: put TLS in front of codecell",
  );
});

test("the approval question and the refusal for a client without elicitation read as the contract says", () => {
  assert.equal(
    approvalQuestion("mcp__github__delete_repo", '{"repo":"x"}', true),
    'Code written by the model wants to call the tool mcp__github__delete_repo with these arguments:\n{"repo":"x"}\n' +
      "Accept to run this call once; decline to refuse it.",
  );
  assert.equal(
    approvalQuestion("t", '{"a":"xx...(+5 characters)"}', false),
    'Code written by the model wants to call the tool t with these arguments:\n{"a":"xx...(+5 characters)"}\n' +
      "Some arguments are cut short above; decline unless you can check them another way.\n" +
      "Accept to run this call once; decline to refuse it.",
  );
  assert.equal(
    MCP_CLIENT_CANNOT_APPROVE,
    "this MCP client does not support elicitation, so codecell cannot ask the user to approve the call. Do not " +
      "retry it; continue without it or ask the user",
  );
});
