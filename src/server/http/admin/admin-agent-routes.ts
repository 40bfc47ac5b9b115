/**
 * Admin routes of agents: list (all or one group), add, change (details, role, privileges,
 * password, disabled), and delete after a confirmation page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  agentPatchSchema,
  defaultPrivileges,
  newAgentSchema,
  parseInput,
  PRIVILEGES,
  ROLES,
} from '../../auth/account-schemas.js';
import { AccountError } from '../../auth/accounts.js';
import type { SignedIn } from '../../auth/web-sessions.js';
import type { Agent, AgentPrivileges, AgentRole } from '../../store/store.js';
import {
  agentDeletePage,
  agentFormPage,
  agentFormValues,
  agentListPage,
  type AgentFormValues,
} from './admin-agent-pages.js';
import {
  actorOf,
  formField,
  issuesOf,
  sendHtml,
  sendMessage,
  viewerOf,
  type AdminContext,
} from './admin-context.js';
import { fieldErrors, type FieldErrors } from './admin-html.js';

/** Confirmations after a redirect, by `?notice=` code. */
const NOTICES: Readonly<Record<string, string>> = {
  created: 'The agent was added.',
  saved: 'Changes saved.',
  deleted: 'The agent was deleted.',
};

const AGENTS_BACK = { href: '/admin/agents', text: 'Back to the agents' };

/** The agent form, as typed. */
function agentFormOf(body: unknown): AgentFormValues {
  const role = formField(body, 'role');
  const privileges = Object.fromEntries(
    PRIVILEGES.map((name) => [name, formField(body, `privilege-${name}`) === 'on']),
  ) as unknown as AgentPrivileges;
  return {
    groupId: formField(body, 'groupId'),
    username: formField(body, 'username').trim(),
    displayName: formField(body, 'displayName'),
    email: formField(body, 'email').trim(),
    title: formField(body, 'title'),
    partnerUserId: formField(body, 'partnerUserId').trim(),
    role: (ROLES as readonly string[]).includes(role) ? (role as AgentRole) : 'agent',
    privileges,
    disabled: formField(body, 'disabled') === 'on',
  };
}

/** The fields of the form that the schemas check (role as typed, so a forged one is named). */
function agentInputOf(body: unknown, values: AgentFormValues) {
  return {
    username: values.username,
    displayName: values.displayName,
    email: values.email,
    title: values.title,
    partnerUserId: values.partnerUserId,
    role: formField(body, 'role'),
    privileges: values.privileges,
    disabled: values.disabled,
  };
}

/** Registers the agent routes of the admin UI. */
export function registerAdminAgentRoutes(app: FastifyInstance, context: AdminContext): void {
  const { deps } = context;

  const formPage = async (
    signedIn: SignedIn,
    values: AgentFormValues,
    options: { agent?: Agent; errors?: FieldErrors; notice?: string } = {},
  ) =>
    agentFormPage({
      viewer: viewerOf(signedIn),
      groups: await deps.store.listGroups(),
      values,
      ...options,
    });

  const agentOr404 = async (id: string, reply: FastifyReply): Promise<Agent | undefined> => {
    const agent = /^[1-9][0-9]{0,14}$/.test(id) ? await deps.store.getAgent(Number(id)) : undefined;
    if (!agent)
      void sendMessage(reply, 404, 'No such agent', `There is no agent ${id}.`, AGENTS_BACK);
    return agent;
  };

  app.get('/admin/agents', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const group = formField(request.query, 'group');
    const groupId = /^[0-9]{4,6}$/.test(group) ? group : undefined;
    const [agents, groups] = await Promise.all([
      deps.store.listAgents(groupId),
      deps.store.listGroups(),
    ]);
    const notice = NOTICES[formField(request.query, 'notice')];
    return sendHtml(
      reply,
      200,
      agentListPage({
        viewer: viewerOf(signedIn),
        agents,
        groups,
        groupId,
        ...(notice ? { notice } : {}),
      }),
    );
  });

  app.get('/admin/agents/new', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const groupId = formField(request.query, 'group') || signedIn.agent.groupId;
    const values: AgentFormValues = {
      groupId,
      username: '',
      displayName: '',
      email: '',
      title: '',
      partnerUserId: '',
      role: 'agent',
      privileges: defaultPrivileges('agent'),
      disabled: false,
    };
    return sendHtml(reply, 200, await formPage(signedIn, values));
  });

  app.post('/admin/agents', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const values = agentFormOf(request.body);
    const password = formField(request.body, 'password');
    const parsed = parseInput(newAgentSchema, {
      ...agentInputOf(request.body, values),
      password: password === '' ? null : password,
    });
    if (!parsed.ok)
      return sendHtml(
        reply,
        400,
        await formPage(signedIn, values, { errors: fieldErrors(parsed.issues) }),
      );
    try {
      const agent = await deps.accounts.createAgent(
        actorOf(signedIn),
        values.groupId,
        parsed.value,
      );
      return reply.redirect(`/admin/agents/${agent.id}?notice=created`, 303);
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      // An unknown group is a mistake in the form's group field.
      const issues =
        error.code === 'not-found'
          ? [{ field: 'groupId', message: error.message }]
          : issuesOf(error);
      return sendHtml(
        reply,
        error.code === 'conflict' ? 409 : 400,
        await formPage(signedIn, values, { errors: fieldErrors(issues) }),
      );
    }
  });

  app.get('/admin/agents/:agentId', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const agent = await agentOr404((request.params as { agentId: string }).agentId, reply);
    if (!agent) return reply;
    const notice = NOTICES[formField(request.query, 'notice')];
    return sendHtml(
      reply,
      200,
      await formPage(signedIn, agentFormValues(agent), { agent, ...(notice ? { notice } : {}) }),
    );
  });

  app.post('/admin/agents/:agentId', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const agent = await agentOr404((request.params as { agentId: string }).agentId, reply);
    if (!agent) return reply;
    const values = { ...agentFormOf(request.body), groupId: agent.groupId };
    const password = formField(request.body, 'password');
    const removePassword = formField(request.body, 'removePassword') === 'on';
    const parsed = parseInput(agentPatchSchema, {
      ...agentInputOf(request.body, values),
      ...(password !== '' ? { password } : removePassword ? { password: null } : {}),
    });
    if (!parsed.ok)
      return sendHtml(
        reply,
        400,
        await formPage(signedIn, values, { agent, errors: fieldErrors(parsed.issues) }),
      );
    try {
      await deps.accounts.updateAgent(actorOf(signedIn), agent.id, parsed.value);
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      const status = error.code === 'conflict' ? 409 : error.code === 'forbidden' ? 403 : 400;
      return sendHtml(
        reply,
        status,
        await formPage(signedIn, values, { agent, errors: fieldErrors(issuesOf(error)) }),
      );
    }
    // Changing one's own password ends one's own session too: sign in again.
    if (agent.id === signedIn.agent.id && parsed.value.password !== undefined)
      return reply.redirect('/login?next=%2Fadmin%2Fagents', 303);
    return reply.redirect(`/admin/agents/${agent.id}?notice=saved`, 303);
  });

  app.get('/admin/agents/:agentId/delete', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const agent = await agentOr404((request.params as { agentId: string }).agentId, reply);
    if (!agent) return reply;
    return sendHtml(reply, 200, agentDeletePage({ viewer: viewerOf(signedIn), agent }));
  });

  app.post('/admin/agents/:agentId/delete', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const agent = await agentOr404((request.params as { agentId: string }).agentId, reply);
    if (!agent) return reply;
    try {
      await deps.accounts.deleteAgent(actorOf(signedIn), agent.id);
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      return sendHtml(
        reply,
        403,
        agentDeletePage({ viewer: viewerOf(signedIn), agent, error: error.message }),
      );
    }
    return reply.redirect(
      `/admin/agents?group=${encodeURIComponent(agent.groupId)}&notice=deleted`,
      303,
    );
  });
}
