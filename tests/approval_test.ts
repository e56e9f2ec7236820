// Approvals through the public API and real sandboxes (docs/contract.md §5): a tool declared with
// `needsApproval` waits for the session's `approve` before its handler runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import {
  APPROVAL_WITHDRAWN,
  type ApprovalRequest,
  CodeModeSession,
  defineTool,
  type SessionOptions,
  withApproval,
} from "../ts/mod.ts";
import { deferred, statusOf, testIsolation, textsOf } from "./util.ts";

/** A session with `delete_file` (always needs approval) and `write_file` (only outside /tmp); records handler runs. */
async function withApprovals(
  fn: (session: CodeModeSession, ran: string[]) => Promise<void>,
  options: SessionOptions = {},
): Promise<void> {
  const ran: string[] = [];
  const session = new CodeModeSession({
    tools: [
      defineTool({
        name: "delete_file",
        input: z.object({ path: z.string() }),
        needsApproval: true,
        run: ({ path }) => {
          ran.push(`delete ${path}`);
          return `deleted ${path}`;
        },
      }),
      defineTool({
        name: "write_file",
        input: z.object({ path: z.string() }),
        needsApproval: ({ path }) => !path.startsWith("/tmp/"),
        run: ({ path }) => {
          ran.push(`write ${path}`);
          return `wrote ${path}`;
        },
      }),
    ],
    ...options,
  });
  try {
    await fn(session, ran);
  } finally {
    await session.close();
  }
}

test("an approved call runs, and the approver sees the cell, the call, the tool and the parsed arguments", async () => {
  const requests: Omit<ApprovalRequest, "signal">[] = [];
  await withApprovals(async (s, ran) => {
    const out = await s.execTool('text(await tools.delete_file({ path: "/tmp/a" }));');
    assert.deepEqual(textsOf(out), ["deleted /tmp/a"]);
    assert.deepEqual(ran, ["delete /tmp/a"]);
  }, {
    approve: ({ signal, ...request }) => {
      assert.equal(signal.aborted, false);
      requests.push(request);
      return true;
    },
  });
  assert.deepEqual(requests, [{ cellId: "1", callId: "1", tool: "delete_file", args: { path: "/tmp/a" } }]);
});

test("a denied call rejects inside the cell with a message the model can act on, and its handler never runs", async () => {
  await withApprovals(async (s, ran) => {
    const out = await s.execTool(
      'try { await tools.delete_file({ path: "/etc/passwd" }); } catch (e) { text(e.message); }',
    );
    assert.deepEqual(textsOf(out), [
      "tool `delete_file` was not run: the host denied this call. Do not retry it unchanged; continue without it " +
      "or ask the user",
    ]);
    assert.deepEqual(ran, []);
  }, { approve: async () => await Promise.resolve(false) });
});

test("without an approver, a call that needs approval is refused and says why", async () => {
  await withApprovals(async (s, ran) => {
    const out = await s.execTool('await tools.delete_file({ path: "/tmp/a" });');
    assert.equal(statusOf(out), "Script failed");
    assert.deepEqual(textsOf(out), [
      "Script error:\nError: tool `delete_file` was not run: it needs the host's approval, and this host cannot " +
      "give any. Do not retry it; continue without it or ask the user",
    ]);
    assert.deepEqual(ran, []);
  });
});

test("a predicate asks only for the calls it names; the others run at once", async () => {
  const asked: unknown[] = [];
  await withApprovals(async (s, ran) => {
    const out = await s.execTool(
      'text(await tools.write_file({ path: "/tmp/a" }));\n' +
        'text(await tools.write_file({ path: "/home/b" }).catch((e) => "refused"));',
    );
    assert.deepEqual(textsOf(out), ["wrote /tmp/a", "refused"]);
    assert.deepEqual(ran, ["write /tmp/a"]);
  }, {
    approve: ({ args }) => {
      asked.push(args);
      return false;
    },
  });
  assert.deepEqual(asked, [{ path: "/home/b" }]);
});

test("terminating a cell that waits for approval aborts the request's signal and never runs the handler", async () => {
  const asked = deferred<AbortSignal>();
  await withApprovals(async (s, ran) => {
    const running = s.exec('await tools.delete_file({ path: "/tmp/a" });', { yieldTimeMs: 60_000 });
    const signal = await asked.promise;
    const terminated = await s.terminate("1");
    assert.deepEqual([terminated.status, terminated.error?.kind], ["terminated", "terminated"]);
    assert.equal(signal.aborted, true);
    assert.equal((await running).status, "terminated");
    assert.deepEqual(ran, []);
  }, {
    // Never answers: the cell's end must free the call anyway.
    approve: ({ signal }) => {
      asked.resolve(signal);
      return new Promise<boolean>(() => {});
    },
  });
});

test("a cell waiting for approval still runs against its lifetime limit", async () => {
  await withApprovals(async (s, ran) => {
    const out = await s.exec('await tools.delete_file({ path: "/tmp/a" });', { yieldTimeMs: 60_000 });
    assert.deepEqual(out.error?.kind, "timeout");
    assert.deepEqual(ran, []);
  }, { limits: { lifetimeMs: 300 }, approve: () => new Promise<boolean>(() => {}) });
});

test("withApproval makes an existing tool ask, and the session reports each decision as an event", async () => {
  const echo = defineTool({ name: "echo", kind: "freeform", run: (input) => input });
  const decisions: unknown[] = [];
  const session = new CodeModeSession({
    tools: [withApproval(echo, (input) => input !== "safe")],
    approve: ({ args }) => args === "ok to say",
    onEvent: (event) => {
      if (event.type === "tool.approval") decisions.push({ ...event, durationMs: 0 });
    },
  });
  try {
    const out = await session.execTool(
      'text(await tools.echo("safe"));\ntext(await tools.echo("ok to say"));\n' +
        'text(await tools.echo("secret").catch(() => "denied"));',
    );
    assert.deepEqual(textsOf(out), ["safe", "ok to say", "denied"]);
  } finally {
    await session.close();
  }
  assert.deepEqual(decisions, [
    { type: "tool.approval", cellId: "1", callId: "2", tool: "echo", approved: true, durationMs: 0 },
    { type: "tool.approval", cellId: "1", callId: "3", tool: "echo", approved: false, durationMs: 0 },
  ]);
});

test("an approval that fails, or is withdrawn because its cell ended, is reported too, with why", async () => {
  const echo = withApproval(defineTool({ name: "echo", kind: "freeform", run: (input) => input }), true);
  const decisions: unknown[] = [];
  const hanging = deferred();
  const session = new CodeModeSession({
    ...testIsolation(),
    tools: [echo],
    approve: ({ args }) => {
      if (args === "fail") throw new Error("the approval service is down");
      hanging.resolve();
      return new Promise<boolean>(() => {}); // never answers
    },
    onEvent: (event) => {
      if (event.type === "tool.approval") decisions.push({ ...event, durationMs: 0 });
    },
  });
  try {
    const cell = session.exec('text(await tools.echo("fail").catch((e) => e.message)); await tools.echo("hang");', {
      yieldTimeMs: 60_000,
    });
    await hanging.promise;
    assert.equal((await session.terminate("1")).status, "terminated");
    assert.equal((await cell).status, "terminated");
  } finally {
    await session.close();
  }
  const event = { type: "tool.approval", cellId: "1", tool: "echo", approved: false, durationMs: 0 };
  assert.deepEqual(decisions, [
    { ...event, callId: "1", error: "the approval service is down" },
    { ...event, callId: "2", error: APPROVAL_WITHDRAWN },
  ]);
});
