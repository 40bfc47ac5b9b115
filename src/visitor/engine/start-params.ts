/**
 * Reading `startSession`'s argument (glance-reference §2.3): a key, `"GLANCE_KEYTYPE_RANDOM"`,
 * or start params `{sessionKey, groupid, name, email, phone}`, falling back to the params
 * of `setStartParams` and to the tag's `data-visitorid`.
 */
import type { StartParams, VisitorConfig } from '../loader/handoff.js';
import type { SessionRequest, VisitorDetails } from './session.js';

/** The key argument that asks for a server-generated numeric code. */
export const RANDOM_KEY = 'GLANCE_KEYTYPE_RANDOM';

/** Session keys ([SS1]); the same rule as `SESSION_KEY_PATTERN` in protocol/control.ts (not imported: it pulls in valibot). */
const SESSION_KEY = /^[A-Za-z0-9_-]{1,50}$/;

/** Glance's limits of the visitor details, characters (glance-reference §2.2, the server's schema). */
export const DETAIL_LIMITS = { name: 63, email: 127, phone: 31 } as const;

/** A session request, or the console message saying why the argument is refused. */
export type StartResult = { ok: true; request: SessionRequest; warnings: string[] } | { ok: false; error: string };

/**
 * Cuts text to `max` UTF-16 units (the server's measure) without splitting a character.
 * E-mail and phone are Latin-1 in Glance: other characters are dropped from them.
 */
export function fitDetail(field: keyof typeof DETAIL_LIMITS, text: string): string {
  const max = DETAIL_LIMITS[field];
  let value = field === 'name' ? text : Array.from(text).filter((char) => char.charCodeAt(0) <= 0xff).join('');
  if (value.length > max) {
    value = value.slice(0, max);
    const last = value.charCodeAt(max - 1);
    if (last >= 0xd800 && last <= 0xdbff) value = value.slice(0, max - 1);
  }
  return value;
}

/**
 * Turns `startSession`'s argument into a session request.
 *
 * @param preset the params of `setStartParams`, used when the argument is empty
 */
export function readStartArgument(arg: unknown, preset: StartParams | undefined, config: VisitorConfig): StartResult {
  let params: StartParams;
  let key: unknown;
  if (arg === undefined || arg === null || arg === '') {
    params = preset ?? {};
    key = params.sessionKey ?? config.visitorId;
  } else if (typeof arg === 'string' || typeof arg === 'number') {
    params = {};
    key = String(arg);
  } else if (typeof arg === 'object') {
    params = arg as StartParams;
    key = params.sessionKey ?? config.visitorId;
  } else {
    return { ok: false, error: 'startSession takes a session key, "GLANCE_KEYTYPE_RANDOM" or an object like {sessionKey, name, email, phone}' };
  }
  let groupId = config.groupId;
  if (params.groupid !== undefined && params.groupid !== null && params.groupid !== '') {
    groupId = String(params.groupid);
    if (groupId !== config.groupId && !config.additionalGroupIds.includes(groupId)) {
      return { ok: false, error: `startSession: group ${groupId} is not one of this page's groups (data-groupid ${config.groupId}, data-additionalgroupids)` };
    }
  }
  if (typeof key === 'number') key = String(key);
  if (key === RANDOM_KEY || key === '' || key === undefined || key === null) key = undefined;
  else if (typeof key !== 'string' || !SESSION_KEY.test(key)) {
    return { ok: false, error: `startSession: invalid session key ${JSON.stringify(key)}: use 1 to 50 letters, digits, "_" or "-"` };
  }
  const visitor: VisitorDetails = {};
  const warnings: string[] = [];
  for (const field of ['name', 'email', 'phone'] as const) {
    const value = params[field] ?? config[field];
    if (value === undefined || value === null || value === '') continue;
    const text = String(value);
    const fitted = fitDetail(field, text);
    if (fitted !== text) warnings.push(`visitor ${field} cut to ${DETAIL_LIMITS[field]} characters${field === 'name' ? '' : ' of Latin-1'}`);
    if (fitted) visitor[field] = fitted;
  }
  return { ok: true, request: { groupId, key: key as string | undefined, visitor }, warnings };
}
