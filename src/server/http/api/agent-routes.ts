/**
 * REST routes of agents (docs/rest-api.md). Agents are listed and created under their
 * group, and read, changed and deleted by id.
 */
import { agentPatchSchema, newAgentSchema } from '../../auth/account-schemas.js';
import { AccountError } from '../../auth/accounts.js';
import { agentJson } from './json.js';
import { bodyOf, ok, paramOf, type ApiContext, type ApiRoute } from './route.js';

function agentIdOf(context: ApiContext): number {
  const text = paramOf(context, 'agentId');
  if (!/^[1-9][0-9]{0,14}$/.test(text)) throw new AccountError('not-found', `no agent ${text}`);
  return Number(text);
}

/** The agent routes. */
export const AGENT_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/groups/:groupId/agents',
    async handler(context) {
      const agents = await context.deps.accounts.listAgents(
        context.actor,
        paramOf(context, 'groupId'),
      );
      return ok({ agents: agents.map(agentJson) });
    },
  },
  {
    method: 'POST',
    url: '/api/v1/groups/:groupId/agents',
    async handler(context) {
      const input = bodyOf(context, newAgentSchema);
      const agent = await context.deps.accounts.createAgent(
        context.actor,
        paramOf(context, 'groupId'),
        input,
      );
      return ok(agentJson(agent), 201);
    },
  },
  {
    method: 'GET',
    url: '/api/v1/agents/:agentId',
    async handler(context) {
      return ok(agentJson(await context.deps.accounts.agent(context.actor, agentIdOf(context))));
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/agents/:agentId',
    async handler(context) {
      const id = agentIdOf(context);
      const patch = bodyOf(context, agentPatchSchema);
      return ok(agentJson(await context.deps.accounts.updateAgent(context.actor, id, patch)));
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/agents/:agentId',
    async handler(context) {
      await context.deps.accounts.deleteAgent(context.actor, agentIdOf(context));
      return ok(null, 204);
    },
  },
];
