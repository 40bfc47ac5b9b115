/** The HTTP shell: app factory, page CSPs and the dependencies it needs. */
export { createHttpApp } from './app.js';
export type { HttpDeps, SessionDirectory } from './context.js';
export { PAGE_CSP, VIEWER_CSP } from './security-headers.js';
export { safeNextPath } from './request-auth.js';
export { viewerUrl } from './pages.js';
export type { ConsoleSession } from './pages.js';
export type { SessionsResponse } from './console-routes.js';
