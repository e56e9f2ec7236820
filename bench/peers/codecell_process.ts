/**
 * codecell with `isolation: "process"`: every cell gets a sandbox process of its own, closed after it (see
 * `codecell.ts` for what cold and warm mean).
 *
 * @module
 */
import type { Peer } from "../adapter.ts";
import { codecellPeer } from "./codecell.ts";

export default function create(): Promise<Peer> {
  return codecellPeer("process");
}
