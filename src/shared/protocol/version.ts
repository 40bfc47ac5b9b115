/**
 * Version of the wire protocol spoken between visitor, server and agent.
 * Checked at the handshake ([HS1] in SPEC.md); bump on any incompatible change
 * to frames or control messages.
 */
export const PROTOCOL_VERSION = 1;
