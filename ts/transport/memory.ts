/**
 * An in-memory sandbox link: the host side behaves like a real sandbox process, and the test plays the sandbox.
 * Lets cell and session logic be tested without spawning anything.
 *
 * @module
 */
import type { HostToSandbox, ProtocolViolation, SandboxToHost } from "../contract/wire.ts";
import type { LinkListener, SandboxExit, SandboxLink } from "./link.ts";

/** The sandbox end of a memory link, driven by a test. */
export interface MemorySandbox {
  /** Every message the host sent, in order (each frame decoded as JSON). */
  readonly received: HostToSandbox[];
  /** Resolves with the next message the host sends (or the oldest unread one). */
  next(): Promise<HostToSandbox>;
  /** Sends a message to the host, as the sandbox. */
  send(message: SandboxToHost): void;
  /** Ends the sandbox, as if its process exited. */
  exit(exit?: Partial<SandboxExit>): void;
}

/** Creates a connected pair: `link` for the host code under test, `sandbox` for the test. */
export function createMemoryPair(): { link: SandboxLink; sandbox: MemorySandbox } {
  let listener: LinkListener | undefined;
  const inbox: SandboxToHost[] = [];
  const received: HostToSandbox[] = [];
  let read = 0;
  const readers: ((m: HostToSandbox) => void)[] = [];
  let exitInfo: SandboxExit | undefined;
  let resolveClosed!: (exit: SandboxExit) => void;
  const closed = new Promise<SandboxExit>((resolve) => (resolveClosed = resolve));

  const end = (exit: Partial<SandboxExit>) => {
    if (exitInfo !== undefined) return;
    exitInfo = { code: 0, signal: null, outOfMemory: false, stderrTail: "", ...exit };
    resolveClosed(exitInfo);
    listener?.exit(exitInfo);
  };

  const link: SandboxLink = {
    send(frame) {
      if (exitInfo !== undefined) return;
      const message: HostToSandbox = JSON.parse(frame);
      received.push(message);
      const reader = readers.shift();
      if (reader !== undefined) {
        read++;
        reader(message);
      }
    },
    keepAlive() {},
    listen(next) {
      listener = next;
      for (const message of inbox.splice(0)) next.message(message);
      if (exitInfo !== undefined) next.exit(exitInfo);
    },
    get exited() {
      return exitInfo !== undefined;
    },
    closed,
    kill(protocolError?: ProtocolViolation) {
      end({ code: null, signal: "SIGKILL", ...(protocolError === undefined ? {} : { protocolError }) });
      return closed;
    },
    close() {
      end({ code: 0 });
      return closed;
    },
  };

  const sandbox: MemorySandbox = {
    received,
    next() {
      if (read < received.length) return Promise.resolve(received[read++]);
      return new Promise((resolve) => readers.push(resolve));
    },
    send(message) {
      if (exitInfo !== undefined) return;
      if (listener === undefined) inbox.push(message);
      else listener.message(message);
    },
    exit(exit = {}) {
      end(exit);
    },
  };
  return { link, sandbox };
}
