/**
 * WebSocket close codes for fatal connection errors ([ER1] in SPEC.md).
 * Each code has one fixed reason text; clients branch on the code.
 */
export const CloseCode = {
  /** The session ended normally (visitor stop, agent leave); no reconnect. */
  Normal: 1000,
  /** The server is shutting down; clients reconnect with backoff. */
  GoingAway: 1001,
  /**
   * The server is restarting and keeps the sessions ([RS2]); clients reconnect with backoff
   * and resume.
   */
  ServiceRestart: 1012,
  /** A message could not be parsed or broke the protocol. */
  BadMessage: 4400,
  /** No or invalid credentials. */
  Unauthorized: 4401,
  /** Credentials valid, but not allowed to do this. */
  Forbidden: 4403,
  /** No session with this key is visible to this agent (also used for other groups' keys). */
  NoSession: 4404,
  /** The client stopped reading and its buffer overflowed; it may reconnect and resume. */
  TooSlow: 4408,
  /** The key is already in use and the group forbids duplicate keys. */
  DuplicateKey: 4409,
  /** The session has ended; do not reconnect to it. */
  SessionEnded: 4410,
  /** Another connection (a newer page or tab of the visitor) took over the session; do not reconnect. */
  Superseded: 4411,
  /** A frame or message was larger than the configured cap. */
  TooLarge: 4413,
  /** The peer speaks another protocol version. */
  VersionMismatch: 4426,
  /** The peer sent more than its rate allows. */
  RateLimited: 4429,
  /** The handshake did not arrive in time. */
  HandshakeTimeout: 4430,
  /** An internal error on the server; clients may retry. */
  InternalError: 4500,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which a client must not reconnect. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set<number>([
  CloseCode.Normal,
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
  CloseCode.DuplicateKey,
  CloseCode.SessionEnded,
  CloseCode.Superseded,
  CloseCode.VersionMismatch,
  CloseCode.NoSession,
]);
