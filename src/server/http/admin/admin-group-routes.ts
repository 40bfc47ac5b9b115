/**
 * Admin routes of groups: list and create, rename, replace the API key, and save the
 * settings of each site. A form with mistakes comes back with the values as typed and
 * each mistake next to its field (400); a saved form redirects (303) to a page that says so.
 */
import type { FastifyInstance } from 'fastify';
import {
  groupPatchSchema,
  newGroupSchema,
  parseInput,
  siteSchema,
  siteSettingsPatchSchema,
} from '../../auth/account-schemas.js';
import { AccountError } from '../../auth/accounts.js';
import type { SignedIn } from '../../auth/web-sessions.js';
import type { Group, Site } from '../../store/store.js';
import {
  apiKeyShownPage,
  groupListPage,
  groupPage,
  settingsFormValues,
  type SettingsFormValues,
} from './admin-group-pages.js';
import { fieldErrors, type FieldErrors } from './admin-html.js';
import {
  actorOf,
  formField,
  issuesOf,
  sendHtml,
  sendMessage,
  viewerOf,
  type AdminContext,
} from './admin-context.js';

/** Confirmations after a redirect, by `?notice=` code (never text from the URL). */
const NOTICES: Readonly<Record<string, string>> = {
  renamed: 'The group was renamed.',
  'settings-staging': 'Staging settings saved. They apply to sessions that start from now on.',
  'settings-production':
    'Production settings saved. They apply to sessions that start from now on.',
};

/** One entry per non-empty line. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** A whole number as a number; anything else as typed, so validation names the field. */
function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d{1,9}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The settings form, as typed. */
function settingsFormOf(body: unknown): SettingsFormValues {
  return {
    maskedSelectors: formField(body, 'maskedSelectors'),
    trustedDomains: formField(body, 'trustedDomains'),
    randomKeyLength: formField(body, 'randomKeyLength'),
    sessionCodeExpiryMinutes: formField(body, 'sessionCodeExpiryMinutes'),
    // Unticked checkboxes send nothing: the form always has both, so absent means off.
    allowDuplicateKeys: formField(body, 'allowDuplicateKeys') === 'on',
    allowRemoteControl: formField(body, 'allowRemoteControl') === 'on',
    termsText: formField(body, 'termsText'),
    termsUrl: formField(body, 'termsUrl').trim(),
  };
}

/** Registers the group routes of the admin UI. */
export function registerAdminGroupRoutes(app: FastifyInstance, context: AdminContext): void {
  const { deps } = context;

  const listPage = async (
    signedIn: SignedIn,
    form?: { id: string; name: string; errors: FieldErrors },
  ) => {
    const [groups, agents] = await Promise.all([deps.store.listGroups(), deps.store.listAgents()]);
    const agentCounts = new Map<string, number>();
    for (const agent of agents)
      agentCounts.set(agent.groupId, (agentCounts.get(agent.groupId) ?? 0) + 1);
    return groupListPage({
      viewer: viewerOf(signedIn),
      groups,
      agentCounts,
      ...(form ? { form } : {}),
    });
  };

  /** The group page; `submitted` re-shows one form as typed, with its errors. */
  const detailPage = async (
    signedIn: SignedIn,
    group: Group,
    options: {
      notice?: string;
      submitted?: {
        form: 'name' | Site;
        errors: FieldErrors;
        values?: SettingsFormValues;
        name?: string;
      };
    } = {},
  ) => {
    const [staging, production] = await Promise.all([
      deps.store.getSettings(group.id, 'staging'),
      deps.store.getSettings(group.id, 'production'),
    ]);
    const settings = {
      staging: settingsFormValues(staging),
      production: settingsFormValues(production),
    };
    const submitted = options.submitted;
    if (submitted?.values && submitted.form !== 'name') settings[submitted.form] = submitted.values;
    return groupPage({
      viewer: viewerOf(signedIn),
      group,
      settings,
      ...(submitted ? { errors: { form: submitted.form, errors: submitted.errors } } : {}),
      ...(submitted?.name !== undefined ? { name: submitted.name } : {}),
      ...(options.notice ? { notice: options.notice } : {}),
    });
  };

  const groupOr404 = async (groupId: string, reply: Parameters<typeof sendHtml>[0]) => {
    const group = await deps.store.getGroup(groupId);
    if (!group) void sendMessage(reply, 404, 'No such group', `There is no group ${groupId}.`);
    return group;
  };

  app.get('/admin/groups', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    return sendHtml(reply, 200, await listPage(signedIn));
  });

  app.post('/admin/groups', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const id = formField(request.body, 'id').trim();
    const name = formField(request.body, 'name');
    const parsed = parseInput(newGroupSchema, { id, name });
    if (!parsed.ok)
      return sendHtml(
        reply,
        400,
        await listPage(signedIn, { id, name, errors: fieldErrors(parsed.issues) }),
      );
    try {
      const { group, apiKey } = await deps.accounts.createGroup(actorOf(signedIn), parsed.value);
      return sendHtml(
        reply,
        201,
        apiKeyShownPage({ viewer: viewerOf(signedIn), group, apiKey, created: true }),
      );
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      const status = error.code === 'conflict' ? 409 : 400;
      return sendHtml(
        reply,
        status,
        await listPage(signedIn, { id, name, errors: fieldErrors(issuesOf(error)) }),
      );
    }
  });

  app.get('/admin/groups/:groupId', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const group = await groupOr404((request.params as { groupId: string }).groupId, reply);
    if (!group) return reply;
    const notice = NOTICES[formField(request.query, 'notice')];
    return sendHtml(reply, 200, await detailPage(signedIn, group, notice ? { notice } : {}));
  });

  app.post('/admin/groups/:groupId', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const group = await groupOr404((request.params as { groupId: string }).groupId, reply);
    if (!group) return reply;
    const name = formField(request.body, 'name');
    const parsed = parseInput(groupPatchSchema, { name });
    if (!parsed.ok) {
      const submitted = { form: 'name' as const, errors: fieldErrors(parsed.issues), name };
      return sendHtml(reply, 400, await detailPage(signedIn, group, { submitted }));
    }
    await deps.accounts.updateGroup(actorOf(signedIn), group.id, parsed.value);
    return reply.redirect(`/admin/groups/${encodeURIComponent(group.id)}?notice=renamed`, 303);
  });

  app.post('/admin/groups/:groupId/api-key', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const group = await groupOr404((request.params as { groupId: string }).groupId, reply);
    if (!group) return reply;
    const rotated = await deps.accounts.rotateApiKey(actorOf(signedIn), group.id);
    return sendHtml(
      reply,
      200,
      apiKeyShownPage({ viewer: viewerOf(signedIn), ...rotated, created: false }),
    );
  });

  app.post('/admin/groups/:groupId/settings/:site', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const params = request.params as { groupId: string; site: string };
    const group = await groupOr404(params.groupId, reply);
    if (!group) return reply;
    const site = parseInput(siteSchema, params.site);
    if (!site.ok)
      return sendMessage(
        reply,
        404,
        'No such site',
        'Settings exist for the staging and production sites only.',
      );
    const values = settingsFormOf(request.body);
    const parsed = parseInput(siteSettingsPatchSchema, {
      maskedSelectors: lines(values.maskedSelectors),
      trustedDomains: lines(values.trustedDomains),
      randomKeyLength: numberOrText(values.randomKeyLength),
      sessionCodeExpiryMinutes: numberOrText(values.sessionCodeExpiryMinutes),
      allowDuplicateKeys: values.allowDuplicateKeys,
      allowRemoteControl: values.allowRemoteControl,
      termsText: values.termsText,
      termsUrl: values.termsUrl,
    });
    if (!parsed.ok) {
      const submitted = { form: site.value, errors: fieldErrors(parsed.issues), values };
      return sendHtml(reply, 400, await detailPage(signedIn, group, { submitted }));
    }
    await deps.accounts.putSettings(actorOf(signedIn), group.id, site.value, parsed.value);
    return reply.redirect(
      `/admin/groups/${encodeURIComponent(group.id)}?notice=settings-${site.value}#settings-${site.value}`,
      303,
    );
  });
}
