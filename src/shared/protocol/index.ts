export { PROTOCOL_VERSION } from './version.js';
export {
  FrameKind,
  FrameFlag,
  FRAME_HEADER_BYTES,
  MAX_SEQ,
  readFrameHeader,
  encodeFrame,
  writeFrameHeader,
  framePayload,
} from './frame.js';
export type { FrameHeader, FrameError } from './frame.js';
export { CloseCode, FINAL_CLOSE_CODES } from './close-codes.js';
export { CLOSE_REASONS } from './close-reasons.js';
export {
  SESSION_KEY_PATTERN,
  GROUP_ID_PATTERN,
  MAX_CONTROL_MESSAGE_BYTES,
  parseVisitorMessage,
  parseAgentMessage,
} from './control.js';
export type {
  EndReason,
  AgentInfo,
  AgentsState,
  VisitorSettings,
  VisitorHello,
  VisitorToServer,
  AgentHello,
  AgentToServer,
  ServerToVisitor,
  ServerToAgent,
  SessionSummary,
  ParseResult,
} from './control.js';
