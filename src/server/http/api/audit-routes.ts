/**
 * The REST route of the audit log (docs/rest-api.md): filtered, newest first, paged with a
 * cursor (`next` of one page is `before` of the next).
 */
import { auditCursor, parseAuditFilters } from '../audit-filters.js';
import { DEFAULT_AUDIT_LIMIT } from '../../store/sql-store.js';
import { auditEntryJson, invalidInput } from './json.js';
import { ok, type ApiRoute } from './route.js';

/** The audit route. */
export const AUDIT_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/audit',
    async handler(context) {
      const parsed = parseAuditFilters(context.query);
      if (!parsed.ok) throw invalidInput(parsed.issues);
      const limit = parsed.query.limit ?? DEFAULT_AUDIT_LIMIT;
      const entries = await context.deps.accounts.listAudit(context.actor, {
        ...parsed.query,
        limit,
      });
      const last = entries[entries.length - 1];
      return ok({
        entries: entries.map(auditEntryJson),
        next: entries.length === limit && last ? auditCursor(last) : null,
      });
    },
  },
];
