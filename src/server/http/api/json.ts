/**
 * The REST API's JSON shapes (documented in `openapi.ts`) and its error answers. Secrets
 * never leave through these: an agent has `hasPassword`, a group `hasApiKey`; an API key
 * is only in the answer that created it.
 */
import type { InputIssue } from '../../auth/account-schemas.js';
import { AccountError } from '../../auth/accounts.js';
import type { Agent, AgentPrivileges, AuditEntry, Group } from '../../store/store.js';

/** A group as the API shows it. */
export interface GroupJson {
  id: string;
  name: string;
  hasApiKey: boolean;
  createdAt: string;
}

/** An agent as the API shows it. */
export interface AgentJson {
  id: number;
  groupId: string;
  username: string;
  displayName: string;
  email: string;
  title: string;
  partnerUserId: string;
  role: Agent['role'];
  privileges: AgentPrivileges;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
}

/** An audit entry as the API shows it. */
export interface AuditEntryJson {
  id: number;
  at: string;
  groupId: string;
  event: string;
  sessionId: string | null;
  sessionKey: string | null;
  agentId: number | null;
  detail: Record<string, unknown>;
}

/** An error answer: a machine-readable code and a sentence for people. */
export interface ErrorJson {
  error: string;
  message: string;
  /** The field at fault, when there is one. */
  field?: string;
  /** Every field at fault (validation errors). */
  issues?: InputIssue[];
}

/** A group as the API shows it (no key). */
export function groupJson(group: Group): GroupJson {
  return {
    id: group.id,
    name: group.name,
    hasApiKey: group.apiKey !== null,
    createdAt: new Date(group.createdAt).toISOString(),
  };
}

/** An agent as the API shows it (no password hash). */
export function agentJson(agent: Agent): AgentJson {
  return {
    id: agent.id,
    groupId: agent.groupId,
    username: agent.username,
    displayName: agent.displayName,
    email: agent.email,
    title: agent.title,
    partnerUserId: agent.partnerUserId,
    role: agent.role,
    privileges: { ...agent.privileges },
    disabled: agent.disabled,
    hasPassword: agent.passwordHash !== null,
    createdAt: new Date(agent.createdAt).toISOString(),
  };
}

/** An audit entry as the API shows it (ISO time). */
export function auditEntryJson(entry: AuditEntry): AuditEntryJson {
  return {
    id: entry.id ?? 0,
    at: new Date(entry.at).toISOString(),
    groupId: entry.groupId,
    event: entry.event,
    sessionId: entry.sessionId,
    sessionKey: entry.sessionKey,
    agentId: entry.agentId,
    detail: entry.detail,
  };
}

/** An answer the route handlers return or throw. */
export class ApiAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorJson,
  ) {
    super(body.message);
    this.name = 'ApiAnswer';
  }
}

/** 400 for input that failed validation, naming each field. */
export function invalidInput(issues: InputIssue[]): ApiAnswer {
  const message = issues
    .map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message))
    .join('; ');
  const first = issues[0]?.field;
  return new ApiAnswer(400, {
    error: 'invalid',
    message,
    ...(first ? { field: first } : {}),
    issues,
  });
}

const ACCOUNT_STATUS: Readonly<Record<AccountError['code'], number>> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
};

/** The answer for an error thrown by a handler, or undefined for unexpected ones (500). */
export function answerFor(error: unknown): ApiAnswer | undefined {
  if (error instanceof ApiAnswer) return error;
  if (error instanceof AccountError) {
    return new ApiAnswer(ACCOUNT_STATUS[error.code], {
      error: error.code,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
    });
  }
  return undefined;
}
