/**
 * Viewer tickets: the proof a viewer page's WebSocket presents in its `hello` ([JN1]) that
 * a signed-in agent loaded it. A ticket is `<payload>.<signature>`, both base64url: the
 * payload is JSON `{v, a, g, e}` (version, agent id, group id, expiry in ms), the signature
 * HMAC-SHA256 of the payload text under the installation's ticket secret.
 *
 * A valid ticket proves identity only; `agent-authenticator.ts` re-reads the agent so a
 * disabled or deleted agent is refused even with an unexpired ticket.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.js';

/** How long a ticket stays valid, ms (the length of a working day's viewer tab). */
export const TICKET_TTL_MS = 12 * 60 * 60 * 1000;
/** Meta key of the ticket secret in the store. */
export const TICKET_SECRET_META_KEY = 'ticket_secret';

const TICKET_VERSION = 1;
/** Longest ticket we try to verify (the protocol caps it at 2048 characters). */
const MAX_TICKET_LENGTH = 2048;

/** Who a ticket was issued to. */
export interface TicketIdentity {
  agentId: number;
  groupId: string;
}

/** What a verified ticket says. */
export interface TicketClaims extends TicketIdentity {
  /** When the ticket stops being valid, ms since the epoch. */
  expiresAt: number;
}

/** Options of a `TicketSigner`. */
export interface TicketSignerOptions {
  /** Lifetime of issued tickets, ms. Default `TICKET_TTL_MS` (12 h). */
  ttlMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Issues and verifies viewer tickets under one secret. */
export class TicketSigner {
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly secret: Buffer,
    options: TicketSignerOptions = {},
  ) {
    if (secret.length < 32) throw new Error('ticket secret must be at least 32 bytes');
    this.ttlMs = options.ttlMs ?? TICKET_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A ticket for `identity`, valid for the signer's lifetime from now. */
  issueTicket(identity: TicketIdentity): string {
    const payload = Buffer.from(
      JSON.stringify({
        v: TICKET_VERSION,
        a: identity.agentId,
        g: identity.groupId,
        e: this.now() + this.ttlMs,
      }),
    ).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The claims of a genuine, unexpired ticket; null for anything else. */
  verifyTicket(ticket: string): TicketClaims | null {
    if (typeof ticket !== 'string' || ticket.length > MAX_TICKET_LENGTH) return null;
    const dot = ticket.indexOf('.');
    if (dot <= 0) return null;
    const payload = ticket.slice(0, dot);
    const given = Buffer.from(ticket.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const { v, a, g, e } = (claims ?? {}) as Record<string, unknown>;
    if (
      v !== TICKET_VERSION ||
      !Number.isSafeInteger(a) ||
      typeof g !== 'string' ||
      typeof e !== 'number'
    )
      return null;
    if (e <= this.now()) return null;
    return { agentId: a as number, groupId: g, expiresAt: e };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

/**
 * The installation's secret for `name` from the store's meta table, created with 32 random
 * bytes the first time. Every node of a cluster reads the same one: when two nodes start
 * together on an empty database, the store keeps the first value written and both use it.
 */
export async function loadOrCreateSecret(store: Store, name: string): Promise<Buffer> {
  const existing = await store.getMeta(name);
  if (existing !== undefined) return Buffer.from(existing, 'base64url');
  const stored = await store.setMetaIfAbsent(name, randomBytes(32).toString('base64url'));
  return Buffer.from(stored, 'base64url');
}
