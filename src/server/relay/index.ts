export { Relay, SESSION_STARTED_CHANNEL } from './relay.js';
export { CatchUpLog } from './catch-up-log.js';
export { DEFAULT_RELAY_CONFIG } from './types.js';
export type {
  PeerSocket,
  Connection,
  ConnectionInfo,
  AgentIdentity,
  RelayConfig,
  RelayDeps,
  SessionInfo,
} from './types.js';
