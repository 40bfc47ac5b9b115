/**
 * REST routes of groups, their API keys, settings and login keys (docs/rest-api.md).
 */
import {
  issuesText,
  loginKeyRequestSchema,
  parseInput,
  siteSchema,
  siteSettingsPatchSchema,
  groupPatchSchema,
  newGroupSchema,
} from '../../auth/account-schemas.js';
import { AccountError } from '../../auth/accounts.js';
import type { Site } from '../../store/store.js';
import { viewerUrl } from '../pages.js';
import { groupJson, invalidInput } from './json.js';
import { bodyOf, ok, paramOf, type ApiContext, type ApiRoute } from './route.js';

function siteOf(context: ApiContext): Site {
  const result = parseInput(siteSchema, paramOf(context, 'site'));
  if (!result.ok)
    throw new AccountError(
      'not-found',
      `no site "${paramOf(context, 'site')}": ${issuesText(result.issues)}`,
    );
  return result.value;
}

/** The group routes. */
export const GROUP_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/groups',
    async handler({ deps, actor }) {
      const groups = await deps.accounts.listGroups(actor);
      return ok({ groups: groups.map(groupJson) });
    },
  },
  {
    method: 'POST',
    url: '/api/v1/groups',
    async handler(context) {
      const input = bodyOf(context, newGroupSchema);
      const { group, apiKey } = await context.deps.accounts.createGroup(context.actor, input);
      return ok({ group: groupJson(group), apiKey }, 201);
    },
  },
  {
    method: 'GET',
    url: '/api/v1/groups/:groupId',
    async handler(context) {
      const group = await context.deps.accounts.group(context.actor, paramOf(context, 'groupId'));
      return ok(groupJson(group));
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/groups/:groupId',
    async handler(context) {
      const patch = bodyOf(context, groupPatchSchema);
      const group = await context.deps.accounts.updateGroup(
        context.actor,
        paramOf(context, 'groupId'),
        patch,
      );
      return ok(groupJson(group));
    },
  },
  {
    method: 'POST',
    url: '/api/v1/groups/:groupId/api-key',
    async handler(context) {
      const { group, apiKey } = await context.deps.accounts.rotateApiKey(
        context.actor,
        paramOf(context, 'groupId'),
      );
      return ok({ group: groupJson(group), apiKey });
    },
  },
  {
    method: 'GET',
    url: '/api/v1/groups/:groupId/settings/:site',
    async handler(context) {
      const settings = await context.deps.accounts.settings(
        context.actor,
        paramOf(context, 'groupId'),
        siteOf(context),
      );
      return ok(settings);
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/groups/:groupId/settings/:site',
    async handler(context) {
      const site = siteOf(context);
      const patch = bodyOf(context, siteSettingsPatchSchema);
      if (Object.keys(patch).length === 0)
        throw invalidInput([{ field: '', message: 'give at least one setting to change' }]);
      const settings = await context.deps.accounts.putSettings(
        context.actor,
        paramOf(context, 'groupId'),
        site,
        patch,
      );
      return ok(settings);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/groups/:groupId/login-keys',
    async handler(context) {
      const groupId = paramOf(context, 'groupId');
      const input = bodyOf(context, loginKeyRequestSchema);
      const issued = await context.deps.accounts.issueLoginKey(
        context.actor,
        groupId,
        input.partnerUserId,
        input.expiresIn,
      );
      const base = `${context.request.protocol}://${context.request.host}`;
      const login = new URLSearchParams({
        partnerid: groupId,
        partneruserid: input.partnerUserId,
        loginkey: issued.loginKey,
      });
      const viewer =
        input.sessionKey !== undefined
          ? `${base}${viewerUrl(input.sessionKey, true)}&${login.toString()}`
          : undefined;
      return ok(
        {
          loginKey: issued.loginKey,
          expires: issued.expires,
          expiresAt: new Date(issued.expires * 1000).toISOString(),
          partnerId: groupId,
          partnerUserId: input.partnerUserId,
          agentId: issued.agent.id,
          ...(viewer ? { viewerUrl: viewer } : {}),
        },
        201,
      );
    },
  },
];
