/**
 * What an agent may do in a session ([RC1], [RC5], [NV1], [NV2], [AP5]), as a pipeline of
 * checks rather than `if`s in the relay (STYLE §6). A check throws `PolicyRefusal` with a
 * typed action and a reason; the relay answers `denied`, and audits the refusal.
 */
import type { DeniedAction, NavigateRequest, RemoteEvent } from '../../shared/protocol/control.js';
import type { SiteSettings } from '../store/store.js';
import { checkNavigation } from './navigation.js';
import type { AgentIdentity } from './types.js';

/** An action an agent asks the server to carry to the visitor. */
export type AgentAction =
  | { kind: 'rc-request'; enable: boolean }
  | { kind: 'rc-event'; event: RemoteEvent }
  | { kind: 'navigate'; request: NavigateRequest }
  | { kind: 'screenshare' };

/** What the checks see of the session. */
export interface PolicyContext {
  agent: AgentIdentity;
  settings: SiteSettings;
  /** Whether the visitor has granted remote control. */
  controlGranted: boolean;
  /** The visitor page's address (relative navigation resolves against it). */
  pageUrl: string;
}

/** A refused action: the agent gets `denied` with this action and reason. */
export class PolicyRefusal extends Error {
  constructor(
    readonly action: DeniedAction,
    readonly reason: string,
  ) {
    super(`${action}: ${reason}`);
    this.name = 'PolicyRefusal';
  }
}

/** One check; throws `PolicyRefusal` to refuse. May return a rewritten action. */
export type PolicyCheck = (action: AgentAction, context: PolicyContext) => AgentAction | void;

function deniedActionOf(action: AgentAction): DeniedAction {
  switch (action.kind) {
    case 'rc-request':
      return 'rcrequested';
    case 'rc-event':
      return 'rcevent';
    case 'navigate':
      return 'navigate';
    case 'screenshare':
      return 'screenshare';
  }
}

/** [RC1], [RC5] remote control needs the privilege and the group's permission. */
export const remoteControlPrivilege: PolicyCheck = (action, { agent, settings }) => {
  if (action.kind !== 'rc-request' && action.kind !== 'rc-event') return;
  if (action.kind === 'rc-request' && !action.enable) return; // giving control back is always allowed
  if (!settings.allowRemoteControl) throw new PolicyRefusal(deniedActionOf(action), 'remote control is off for this group');
  if (!agent.privileges.remoteControl) throw new PolicyRefusal(deniedActionOf(action), 'no remote control privilege');
};

/** [RC5] remote-control actions only while the visitor has granted control. */
export const controlGranted: PolicyCheck = (action, { controlGranted: granted }) => {
  if (action.kind === 'rc-event' && !granted) throw new PolicyRefusal('rcevent', 'the visitor has not granted control');
};

/**
 * [NV1]–[NV2] navigation needs the privilege, an allowed target, and the visitor's consent:
 * control granted, or a `confirm` prompt the visitor answers.
 */
export const navigationAllowed: PolicyCheck = (action, { agent, settings, controlGranted: granted, pageUrl }) => {
  if (action.kind !== 'navigate') return;
  if (!agent.privileges.navigate) throw new PolicyRefusal('navigate', 'no navigate privilege');
  const check = checkNavigation(action.request.url, pageUrl, settings.trustedDomains);
  if (!check.ok) throw new PolicyRefusal('navigate', check.reason);
  if (!granted && !action.request.confirm) {
    throw new PolicyRefusal('navigate', 'navigation needs remote control or a confirm prompt');
  }
  const url = check.target.kind === 'url' ? check.target.url : check.target.keyword;
  return { kind: 'navigate', request: { ...action.request, url } };
};

/** [AP5] showing the agent's screen needs the privilege. */
export const screenSharePrivilege: PolicyCheck = (action, { agent }) => {
  if (action.kind === 'screenshare' && !agent.privileges.screenShare) {
    throw new PolicyRefusal('screenshare', 'no screen share privilege');
  }
};

/** The checks every agent action passes, in order. */
export const DEFAULT_POLICY: readonly PolicyCheck[] = [
  remoteControlPrivilege,
  controlGranted,
  navigationAllowed,
  screenSharePrivilege,
];

/** Runs the checks; returns the (possibly rewritten) action or throws `PolicyRefusal`. */
export function applyPolicy(checks: readonly PolicyCheck[], action: AgentAction, context: PolicyContext): AgentAction {
  let current = action;
  for (const check of checks) current = check(current, context) ?? current;
  return current;
}
