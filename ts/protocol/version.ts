/** Bumped whenever a message of the ops channel changes shape; host and sandbox compare it in the handshake. */
export const PROTOCOL_VERSION = 1;
