/**
 * Entry of the viewer bundle (`/static/viewer.js`): reads `#oc-viewer-config`, builds the
 * viewer into `#oc-viewer` and joins the session. Loaded with `defer`, so the DOM is parsed.
 */
// esbuild writes this as dist/public/viewer.css next to viewer.js (served as /static/viewer.css).
import './viewer.css';
import { readViewerConfig } from './config.js';
import { Viewer } from './viewer.js';

export { Viewer } from './viewer.js';
export type { ViewerOptions } from './viewer.js';
export { readViewerConfig, agentSocketUrl, ViewerConfigError, CONFIG_ELEMENT_ID } from './config.js';
export type { ViewerConfig } from './config.js';

/** The id of the element the viewer is built into. */
export const ROOT_ELEMENT_ID = 'oc-viewer';

/**
 * A viewer opened with a login key inside a CRM's frame was served directly (the cookie
 * would not survive a redirect there): take the key out of the frame's address.
 */
function dropLoginKeyFromAddress(doc: Document): void {
  try {
    const raw = doc.getElementById('oc-viewer-config')?.textContent;
    const cleanUrl = raw ? (JSON.parse(raw) as { cleanUrl?: unknown }).cleanUrl : undefined;
    if (typeof cleanUrl === 'string' && cleanUrl.startsWith('/') && !cleanUrl.startsWith('//')) {
      history.replaceState(history.state, '', cleanUrl);
    }
  } catch {
    // A malformed config is reported by readViewerConfig below.
  }
}

function boot(): void {
  const doc = document;
  dropLoginKeyFromAddress(doc);
  let root = doc.getElementById(ROOT_ELEMENT_ID);
  if (!root) {
    root = doc.createElement('div');
    root.id = ROOT_ELEMENT_ID;
    doc.body.append(root);
  }
  try {
    const viewer = new Viewer(root, readViewerConfig(doc));
    viewer.start();
  } catch (error) {
    // Say what went wrong on the page itself: the agent has no console open.
    console.error('viewer: could not start', error);
    root.classList.add('oc-viewer', 'oc-viewer--failed');
    const box = doc.createElement('div');
    box.className = 'oc-fatal';
    box.setAttribute('role', 'alert');
    const title = doc.createElement('p');
    title.className = 'oc-notice-title';
    title.textContent = 'The viewer could not start';
    const detail = doc.createElement('p');
    detail.className = 'oc-notice-detail';
    detail.textContent = error instanceof Error ? error.message : String(error);
    box.append(title, detail);
    root.replaceChildren(box);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
