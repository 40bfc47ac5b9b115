/**
 * The relay's `authenticateAgent` (RelayDeps): a viewer ticket becomes an `AgentIdentity`
 * only if it verifies AND the agent it names still exists, is enabled and is still in the
 * ticket's group — so disabling an agent locks them out of new sockets at once.
 */
import type { AgentIdentity } from '../relay/types.js';
import type { Agent, AgentPrivileges, Store } from '../store/store.js';
import type { TicketSigner } from './tickets.js';

/**
 * What an agent may do: their stored privileges, narrowed by their role. A `viewer` only
 * ever views, whatever privileges were ticked for them; `admin` and `agent` get theirs.
 */
export function effectivePrivileges(agent: Pick<Agent, 'role' | 'privileges'>): AgentPrivileges {
  const { privileges } = agent;
  if (agent.role === 'viewer')
    return { view: privileges.view, remoteControl: false, navigate: false, screenShare: false };
  return { ...privileges };
}

/** The identity the relay and the viewer use for a stored agent. */
export function toAgentIdentity(agent: Agent): AgentIdentity {
  return {
    agentId: agent.id,
    groupId: agent.groupId,
    username: agent.username,
    name: agent.displayName,
    title: agent.title,
    partnerUserId: agent.partnerUserId,
    role: agent.role,
    privileges: effectivePrivileges(agent),
  };
}

/** Builds `RelayDeps.authenticateAgent` over the store and the ticket signer. */
export function createAgentAuthenticator(
  store: Store,
  tickets: TicketSigner,
): (ticket: string) => Promise<AgentIdentity | null> {
  return async (ticket) => {
    const claims = tickets.verifyTicket(ticket);
    if (!claims) return null;
    const agent = await store.getAgent(claims.agentId);
    if (!agent || agent.disabled || agent.groupId !== claims.groupId) return null;
    return toAgentIdentity(agent);
  };
}
