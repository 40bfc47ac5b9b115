/**
 * The fixed reason text sent with each close code ([CM3]). Kept apart from the codes so
 * browser bundles that only branch on codes do not carry the texts.
 */
import { CloseCode } from './close-codes.js';

/** The fixed reason text sent with each close code. */
export const CLOSE_REASONS: Readonly<Record<CloseCode, string>> = {
  [CloseCode.Normal]: 'session closed',
  [CloseCode.GoingAway]: 'server going away',
  [CloseCode.ServiceRestart]: 'server restarting',
  [CloseCode.BadMessage]: 'malformed message',
  [CloseCode.Unauthorized]: 'not authenticated',
  [CloseCode.Forbidden]: 'not allowed',
  [CloseCode.NoSession]: 'no such session',
  [CloseCode.TooSlow]: 'client too slow',
  [CloseCode.DuplicateKey]: 'session key in use',
  [CloseCode.SessionEnded]: 'session ended',
  [CloseCode.Superseded]: 'replaced by another connection',
  [CloseCode.TooLarge]: 'message too large',
  [CloseCode.VersionMismatch]: 'protocol version mismatch',
  [CloseCode.RateLimited]: 'rate limit exceeded',
  [CloseCode.HandshakeTimeout]: 'handshake timeout',
  [CloseCode.InternalError]: 'internal error',
};
