/**
 * What a valid group, agent and site-settings input is, in one place (valibot), for every
 * door that writes them: the REST API, the admin forms, the CLI and the config file. A
 * failed check names the field and says what is expected, in words for people.
 */
import * as v from 'valibot';
import type { AgentPrivileges, AgentRole, Site } from '../store/store.js';

/** The sites a group has settings for. */
export const SITES: readonly Site[] = Object.freeze(['staging', 'production']);
/** The roles an agent can have (docs/admin.md). */
export const ROLES: readonly AgentRole[] = Object.freeze(['admin', 'agent', 'viewer']);
/** The privileges, in the order forms show them. */
export const PRIVILEGES: readonly (keyof AgentPrivileges)[] = Object.freeze([
  'view',
  'remoteControl',
  'navigate',
  'screenShare',
]);

/** Shortest password an administrator may set, characters. */
export const MIN_PASSWORD_LENGTH = 10;
/** Shortest API key accepted when one is chosen rather than generated, characters. */
export const MIN_API_KEY_LENGTH = 16;

/** A group id: 4–6 digits, as in Glance. */
export const groupIdSchema = v.pipe(v.string(), v.regex(/^[0-9]{4,6}$/, 'must be 4 to 6 digits'));
/** A group's name: 1–200 characters, trimmed. */
export const groupNameSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(200, 'must be at most 200 characters'),
);
/** A chosen API key: 16–256 printable ASCII characters without spaces. */
export const apiKeySchema = v.pipe(
  v.string(),
  v.minLength(MIN_API_KEY_LENGTH, `must be at least ${MIN_API_KEY_LENGTH} characters`),
  v.maxLength(256, 'must be at most 256 characters'),
  v.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
);
/** `staging` or `production`. */
export const siteSchema = v.picklist(SITES, 'must be staging or production');

/** A CSS selector to mask: one line, not empty. Bad selectors mask the whole page ([MK6]). */
const selectorSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(1000, 'must be at most 1000 characters'),
  v.regex(/^[^\n\r{}]*$/, 'must be one CSS selector without braces or line breaks'),
);
/** A host (`shop.example.com`, `*.example.com`, optionally with `:port`). */
const HOST_PATTERN =
  /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/;
/**
 * A cross-domain helper page ([XD2]): an absolute http(s) URL of a page on a trusted
 * domain that carries the `script=XDOM` tag. It trusts its host like a host entry does.
 * No wildcard host, no user name or password, no fragment, at most 2000 characters, and a
 * path naming the page: a bare `https://shop.example.com/` is refused (write the host).
 */
function isHelperPageUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text) || text.length > 2000 || text.includes('#')) return false;
  try {
    const url = new URL(text);
    return (
      !url.username &&
      !url.password &&
      url.pathname !== '/' &&
      HOST_PATTERN.test(url.host) &&
      !url.hostname.startsWith('*')
    );
  } catch {
    return false;
  }
}
const domainSchema = v.pipe(
  v.string(),
  v.trim(),
  v.check(
    (text) => HOST_PATTERN.test(text) || isHelperPageUrl(text),
    // The message predates helper URLs; clients and tests match it (docs/configuration.md has both forms).
    'must be a host like shop.example.com or *.example.com',
  ),
);

/** A patch of a site's settings: every field optional, unknown fields refused. */
export const siteSettingsPatchSchema = v.strictObject({
  maskedSelectors: v.optional(
    v.pipe(v.array(selectorSchema), v.maxLength(500, 'must list at most 500 selectors')),
  ),
  trustedDomains: v.optional(
    v.pipe(v.array(domainSchema), v.maxLength(500, 'must list at most 500 domains')),
  ),
  randomKeyLength: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number'),
      v.minValue(4, 'must be at least 4'),
      v.maxValue(9, 'must be at most 9'),
    ),
  ),
  allowDuplicateKeys: v.optional(v.boolean('must be true or false')),
  allowRemoteControl: v.optional(v.boolean('must be true or false')),
  termsText: v.optional(
    v.pipe(v.string(), v.maxLength(10_000, 'must be at most 10000 characters')),
  ),
  termsUrl: v.optional(
    v.union(
      [
        v.literal(''),
        v.pipe(
          v.string(),
          v.url('must be an absolute URL'),
          v.regex(/^https?:\/\//i, 'must be an http or https URL'),
        ),
      ],
      'must be an absolute http(s) URL, or empty',
    ),
  ),
  sessionCodeExpiryMinutes: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number'),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(24 * 60, 'must be at most 1440'),
    ),
  ),
});

/** A sign-in name: letters, digits and `. _ @ + -`, 1–100 characters. */
export const usernameSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(100, 'must be at most 100 characters'),
  v.regex(/^[A-Za-z0-9._@+-]+$/, 'may only contain letters, digits and . _ @ + -'),
);
/** The CRM's id of an agent: up to 200 characters, no spaces or `~`; empty for none. */
export const partnerUserIdSchema = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(200, 'must be at most 200 characters'),
  // `~` separates the user from a login key in Glance's `partneruserid=PUID~KEY` form.
  v.regex(/^[^\s~]*$/, 'must not contain spaces or ~'),
);
/** A password an administrator sets: 10–1000 characters. */
export const passwordSchema = v.pipe(
  v.string(),
  v.minLength(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`),
  v.maxLength(1000, 'must be at most 1000 characters'),
);
const textField = (max: number) =>
  v.pipe(v.string(), v.trim(), v.maxLength(max, `must be at most ${max} characters`));
const emailSchema = v.union(
  [
    v.literal(''),
    v.pipe(v.string(), v.trim(), v.email('must be an email address'), v.maxLength(254)),
  ],
  'must be an email address, or empty',
);
/** `admin`, `agent` or `viewer`. */
export const roleSchema = v.picklist(ROLES, 'must be admin, agent or viewer');
const privilegesPatchSchema = v.strictObject({
  view: v.optional(v.boolean('must be true or false')),
  remoteControl: v.optional(v.boolean('must be true or false')),
  navigate: v.optional(v.boolean('must be true or false')),
  screenShare: v.optional(v.boolean('must be true or false')),
});

/** A new agent. Leaving out the password makes an agent who signs in by SSO only. */
export const newAgentSchema = v.strictObject({
  username: usernameSchema,
  displayName: v.optional(textField(100), ''),
  email: v.optional(emailSchema, ''),
  title: v.optional(textField(100), ''),
  partnerUserId: v.optional(partnerUserIdSchema, ''),
  password: v.optional(v.nullable(passwordSchema)),
  role: v.optional(roleSchema, 'agent'),
  /** Default: every privilege for admins and agents, view only for viewers. */
  privileges: v.optional(privilegesPatchSchema),
  disabled: v.optional(v.boolean('must be true or false'), false),
});

/** Changes to an agent; `password: null` removes the password (SSO only). */
export const agentPatchSchema = v.strictObject({
  username: v.optional(usernameSchema),
  displayName: v.optional(textField(100)),
  email: v.optional(emailSchema),
  title: v.optional(textField(100)),
  partnerUserId: v.optional(partnerUserIdSchema),
  password: v.optional(v.nullable(passwordSchema)),
  role: v.optional(roleSchema),
  privileges: v.optional(privilegesPatchSchema),
  disabled: v.optional(v.boolean('must be true or false')),
});

/** A new group; its API key is generated unless given. */
export const newGroupSchema = v.strictObject({
  id: groupIdSchema,
  name: groupNameSchema,
  /** Default: a generated one (32 random bytes). */
  apiKey: v.optional(apiKeySchema),
});

/** Changes to a group (its name). */
export const groupPatchSchema = v.strictObject({ name: v.optional(groupNameSchema) });

/** A request for a login key (REST, CLI). */
export const loginKeyRequestSchema = v.strictObject({
  partnerUserId: v.pipe(partnerUserIdSchema, v.minLength(1, 'must not be empty')),
  /** Lifetime, s. Default 3600; at most one day. */
  expiresIn: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number'),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(86_400, 'must be at most 86400 (one day)'),
    ),
    3600,
  ),
  /** When given, the answer includes the viewer URL for this session key. */
  sessionKey: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,50}$/, 'must be 1 to 50 letters, digits, - or _')),
  ),
});

/** A validated new agent. */
export type NewAgentInput = v.InferOutput<typeof newAgentSchema>;
/** Validated changes to an agent. */
export type AgentPatchInput = v.InferOutput<typeof agentPatchSchema>;
/** A validated new group. */
export type NewGroupInput = v.InferOutput<typeof newGroupSchema>;
/** Validated changes to a group. */
export type GroupPatchInput = v.InferOutput<typeof groupPatchSchema>;
/** A validated patch of a site's settings. */
export type SiteSettingsPatchInput = v.InferOutput<typeof siteSettingsPatchSchema>;
/** A validated login-key request. */
export type LoginKeyRequestInput = v.InferOutput<typeof loginKeyRequestSchema>;

/** One thing wrong with an input. */
export interface InputIssue {
  /** Dotted path of the field (`privileges.view`, `maskedSelectors[2]`); '' for the whole input. */
  field: string;
  message: string;
}

/** The field path of a valibot issue. */
function issueField(issue: v.BaseIssue<unknown>): string {
  let text = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') text += `[${key}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text;
}

const EXPECTED_WORDS: Readonly<Record<string, string>> = {
  Object: 'an object',
  Array: 'a list',
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
};

/** Readable issues of a failed parse (unknown keys named as such). */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): InputIssue[] {
  return issues.map((issue) => {
    const field = issueField(issue);
    if (issue.type === 'strict_object' && issue.expected === 'never')
      return { field, message: 'is not a known field' };
    // valibot's own type messages read "Invalid type: Expected string but received 5".
    if (/^Invalid type/.test(issue.message)) {
      const expected = issue.expected ?? '';
      return { field, message: `must be ${EXPECTED_WORDS[expected] ?? expected}` };
    }
    return { field, message: issue.message };
  });
}

/** Parses untrusted input with `schema`: the typed value, or the issues in words. */
export function parseInput<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): { ok: true; value: v.InferOutput<S> } | { ok: false; issues: InputIssue[] } {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, issues: describeIssues(result.issues) };
}

/** One line naming every issue (`username: must not be empty; role: …`). */
export function issuesText(issues: readonly InputIssue[]): string {
  return issues
    .map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message))
    .join('; ');
}

/** The privileges a role gets when none are given. */
export function defaultPrivileges(role: AgentRole): AgentPrivileges {
  const all = role !== 'viewer';
  return { view: true, remoteControl: all, navigate: all, screenShare: all };
}
