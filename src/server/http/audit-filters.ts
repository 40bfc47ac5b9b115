/**
 * Audit-log filters as they arrive in a URL (the admin UI's filter form and the REST API's
 * query string) turned into an `AuditQuery`, with a message naming any field that is wrong.
 */
import { AUDIT_EVENTS, type AuditEvent, type AuditQuery } from '../store/store.js';
import type { InputIssue } from '../auth/account-schemas.js';

/** The filter fields, by their URL names. */
export interface AuditFilterInput {
  groupId?: string;
  agentId?: string;
  sessionKey?: string;
  event?: string;
  /** `YYYY-MM-DD` (start of that day, UTC), an ISO 8601 time, or ms since the epoch. */
  from?: string;
  /** `YYYY-MM-DD` (end of that day, UTC), an ISO 8601 time, or ms since the epoch. */
  to?: string;
  /** Cursor from a previous page (`<at>.<id>`). */
  before?: string;
  limit?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A time from a filter field; `endOfDay` makes a bare date inclusive of its whole day. */
function parseTime(text: string, endOfDay: boolean): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(start)) return undefined;
    return endOfDay ? start + DAY_MS - 1 : start;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** The cursor of an entry, for `before`. */
export function auditCursor(entry: { at: number; id?: number }): string {
  return `${entry.at}.${entry.id ?? 0}`;
}

/** Parses the filters; empty fields are no filter. */
export function parseAuditFilters(
  input: AuditFilterInput,
): { ok: true; query: AuditQuery } | { ok: false; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const query: AuditQuery = {};
  const value = (name: keyof AuditFilterInput) => {
    const text = input[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };

  const groupId = value('groupId');
  if (groupId !== undefined) {
    if (/^[0-9]{4,6}$/.test(groupId)) query.groupId = groupId;
    else issues.push({ field: 'groupId', message: 'must be 4 to 6 digits' });
  }
  const agentId = value('agentId');
  if (agentId !== undefined) {
    if (/^[1-9][0-9]{0,14}$/.test(agentId)) query.agentId = Number(agentId);
    else
      issues.push({ field: 'agentId', message: 'must be an agent id (a positive whole number)' });
  }
  const sessionKey = value('sessionKey');
  if (sessionKey !== undefined) {
    if (/^[A-Za-z0-9_-]{1,50}$/.test(sessionKey)) query.sessionKey = sessionKey;
    else issues.push({ field: 'sessionKey', message: 'must be 1 to 50 letters, digits, - or _' });
  }
  const event = value('event');
  if (event !== undefined) {
    if ((AUDIT_EVENTS as readonly string[]).includes(event)) query.event = event as AuditEvent;
    else issues.push({ field: 'event', message: `must be one of ${AUDIT_EVENTS.join(', ')}` });
  }
  for (const name of ['from', 'to'] as const) {
    const text = value(name);
    if (text === undefined) continue;
    const time = parseTime(text, name === 'to');
    if (time === undefined)
      issues.push({
        field: name,
        message: 'must be a date (YYYY-MM-DD), an ISO 8601 time or milliseconds since 1970',
      });
    else query[name] = time;
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to)
    issues.push({ field: 'to', message: 'must not be before from' });
  const before = value('before');
  if (before !== undefined) {
    const match = /^(\d{1,15})\.(\d{1,15})$/.exec(before);
    if (match) query.before = { at: Number(match[1]), id: Number(match[2]) };
    else issues.push({ field: 'before', message: 'must be the "next" cursor of a previous page' });
  }
  const limit = value('limit');
  if (limit !== undefined) {
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (n >= 1 && n <= 1000) query.limit = n;
    else issues.push({ field: 'limit', message: 'must be a whole number from 1 to 1000' });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, query };
}
