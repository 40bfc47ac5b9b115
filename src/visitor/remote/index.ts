/**
 * What agents do on the visitor's page, for one session: the agent's pointer and gestures
 * ([RC8], [RC9]), remote control ([RC1]–[RC7]) and navigation ([NV1]–[NV3]).
 */
import type { AgentsState, ServerToVisitor } from '../../shared/protocol/control.js';
import type { Strings } from '../ui/i18n.js';
import { AgentOverlay } from './agent-overlay.js';
import { Navigator } from './navigation.js';
import { RemoteControl } from './remote-control.js';
import type { RemoteHost } from './remote-host.js';
import { findTarget } from './targets.js';

export type { RemoteHost } from './remote-host.js';
export { RemoteControl, SUSPEND_MS } from './remote-control.js';
export { checkNavigation } from './navigation.js';

/** The server messages handled here. */
export type AgentCommand = Extract<ServerToVisitor, { type: 'rc-request' | 'rc' | 'rc-event' | 'gesture' | 'agent-pointer' | 'navigate' }>;

/** The agents' hands on the page, for one session. */
export class AgentActions {
  readonly rc: RemoteControl;
  private readonly overlay: AgentOverlay;
  private readonly navigator: Navigator;

  constructor(
    private readonly host: RemoteHost,
    strings: () => Strings,
  ) {
    this.overlay = new AgentOverlay(host.layer, strings);
    this.rc = new RemoteControl(host, (element, x, y, agent) => this.overlay.highlight(element, x, y, agent, false));
    this.navigator = new Navigator(host);
  }

  /** Handles one agent command. */
  command(message: AgentCommand): void {
    switch (message.type) {
      case 'rc-request':
        this.rc.requested(message.agent);
        return;
      case 'rc':
        this.rc.restore(message, false);
        return;
      case 'rc-event':
        this.rc.execute(message);
        return;
      case 'gesture': {
        // [RC7] an id of another keyframe may name another node: use the point alone then.
        const id = this.host.epoch() === message.epoch ? message.target : undefined;
        const element = findTarget(this.host, id, message.x, message.y)?.element ?? null;
        this.overlay.highlight(element, message.x, message.y, message.agent, this.host.state.accessibility);
        return;
      }
      case 'agent-pointer':
        this.overlay.pointer(message.x, message.y, message.agent);
        return;
      case 'navigate': {
        const { type: _type, ...command } = message;
        this.navigator.handle(command);
        return;
      }
      default:
        message satisfies never;
    }
  }

  /** The agents changed: with none left, their pointer goes. */
  agentsChanged(agents: AgentsState): void {
    if (agents.count === 0) this.overlay.clear();
  }

  /** The session is over for this page. */
  dispose(): void {
    this.rc.dispose();
    this.overlay.clear();
  }
}
