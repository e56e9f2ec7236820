/**
 * Who may use codecell's MCP endpoint over HTTP: a bearer token compared in constant time, and an `Origin`
 * allow-list (the MCP specification requires servers to validate `Origin`, against DNS rebinding). The README's
 * "HTTP deployment" section says how to set them.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HTTP_UNAUTHORIZED, httpOriginNotAllowed } from "../contract/messages.ts";

/** Hostnames that name this machine. */
export const LOOPBACK_HOSTNAMES: readonly string[] = Object.freeze(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether `host` (as given to `--http`, with or without brackets for IPv6) is a loopback interface, so only this
 * machine can connect.
 *
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("0.0.0.0"); // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return LOOPBACK_HOSTNAMES.includes(bracketed.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why a request is refused, with its HTTP status; `undefined` when it may go on. */
export type Refusal = { status: 401 | 403; message: string } | undefined;

/** Checks of {@link createHttpGuard}. */
export interface HttpGuardOptions {
  /** Required as `Authorization: Bearer <token>`; no check when absent. */
  authToken?: string;
  /**
   * Origins allowed to call (`https://app.example.com`, compared with the URL's origin). A request without `Origin`
   * (not from a browser) is always allowed. Default: `http(s)` origins of a loopback hostname, any port.
   */
  allowedOrigins?: readonly string[];
}

/**
 * Returns the check run on every request before it reaches an MCP session.
 *
 * @example
 * ```ts
 * const guard = createHttpGuard({ authToken: "s3cret" });
 * const refusal = guard(req); // { status: 401, ... } without the token
 * ```
 */
export function createHttpGuard(options: HttpGuardOptions): (req: IncomingMessage) => Refusal {
  const expected = options.authToken === undefined ? undefined : digest(options.authToken);
  const origins = options.allowedOrigins?.map(originOf);
  return (req) => {
    if (expected !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
      // Digests of equal length make the comparison's time independent of the token's length and content.
      if (match === null || !timingSafeEqual(digest(match[1]), expected)) {
        return { status: 401, message: HTTP_UNAUTHORIZED };
      }
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, origins)) {
      return { status: 403, message: httpOriginNotAllowed(origin) };
    }
    return undefined;
  };
}

function originAllowed(origin: string, allowed: readonly (string | undefined)[] | undefined): boolean {
  const normalized = originOf(origin);
  if (normalized === undefined) return false;
  if (allowed !== undefined) return allowed.includes(normalized);
  const url = new URL(normalized);
  return (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK_HOSTNAMES.includes(url.hostname);
}

/** The serialized origin of a URL, or `undefined` when it is not one (`null`, garbage). */
function originOf(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
