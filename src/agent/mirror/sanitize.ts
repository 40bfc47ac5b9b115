/**
 * The mirror never runs page code ([VW1]–[VW4] in SPEC.md, DESIGN §3.6).
 *
 * The iframe's sandbox (no `allow-scripts`) and the viewer's CSP already stop scripts;
 * this module removes the vectors anyway, so the mirror's DOM holds nothing executable
 * even if it were copied elsewhere: script contents, event handler attributes,
 * `javascript:` URLs, `srcdoc`, meta refresh, foreign documents in frames and objects,
 * script in CSS. Every payload from a visitor is treated as hostile.
 */

/** Tags the mirror creates under another name, because the original could execute or fetch. */
const REPLACED_TAGS: Readonly<Record<string, string>> = {
  script: 'template',
  noscript: 'template',
  // With scripting disabled a <canvas> renders its fallback content, never its bitmap;
  // an <img> with the same width/height attributes shows the visitor's pixels instead.
  canvas: 'img',
};

/** The tag the mirror creates for a page element. */
export function mirrorTagName(localName: string): string {
  return REPLACED_TAGS[localName] ?? localName;
}

/** Whether text children of this element are dropped (code or markup the page did not render). */
export function dropsText(localName: string): boolean {
  return localName === 'script' || localName === 'noscript';
}

/** Attributes that load a document, plug-in or frame: the mirror builds frames itself. */
const FRAME_SOURCE_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  iframe: new Set(['src', 'srcdoc', 'sandbox', 'allow', 'csp']),
  frame: new Set(['src', 'srcdoc']),
  object: new Set(['data', 'codebase', 'classid', 'archive']),
  embed: new Set(['src', 'code']),
  applet: new Set(['code', 'codebase', 'archive', 'object']),
  portal: new Set(['src']),
  fencedframe: new Set(['src', 'config']),
  base: new Set(['href', 'target']),
  meta: new Set(['http-equiv']),
};

/** Attributes dropped everywhere: they act on the agent's browser without adding fidelity. */
const DROPPED_ATTRIBUTES = new Set(['srcdoc', 'autofocus', 'autoplay', 'ping', 'nonce', 'integrity']);

/** Whether a URL-like value uses a scheme that runs script. */
export function isScriptUrl(value: string): boolean {
  const colon = value.indexOf(':');
  if (colon < 0 || colon > 64) return false;
  // The URL parser ignores ASCII whitespace and control characters here: so do we.
  // eslint-disable-next-line no-control-regex
  const scheme = value.slice(0, colon).replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  return scheme === 'javascript' || scheme === 'vbscript' || scheme === 'livescript';
}

const SCRIPT_IN_CSS = /expression\s*\(|javascript\s*:|vbscript\s*:|-moz-binding|behavior\s*:/gi;

/** CSS text with script-running constructs (legacy `expression()`, `javascript:` URLs) defused. */
export function sanitizeCss(css: string): string {
  SCRIPT_IN_CSS.lastIndex = 0;
  return SCRIPT_IN_CSS.test(css) ? css.replace(SCRIPT_IN_CSS, 'blocked-') : css;
}

/**
 * The value the mirror gives an attribute, or null to leave it out.
 * `localName` is the page's tag (before `mirrorTagName`).
 */
export function sanitizeAttribute(localName: string, name: string, value: string): string | null {
  const lower = name.toLowerCase();
  if (lower.length > 2 && lower.charCodeAt(0) === 111 && lower.charCodeAt(1) === 110) return null; // on*
  if (DROPPED_ATTRIBUTES.has(lower)) return null;
  const blocked = FRAME_SOURCE_ATTRIBUTES[localName];
  if (blocked?.has(lower)) return null;
  if (isScriptUrl(value)) return lower === 'href' || lower === 'xlink:href' ? '#' : null;
  if (lower === 'style') return sanitizeCss(value);
  return value;
}

/** Whether a <link> may keep its href: stylesheets only (no prefetch, import, manifest…). */
export function linkMayLoad(rel: string | null): boolean {
  return rel !== null && /(^|\s)stylesheet(\s|$)/i.test(rel);
}
