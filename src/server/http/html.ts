/**
 * HTML building blocks of the server's pages: escaping, JSON data blocks and the page
 * layout. Pages are small and server-rendered; their only scripts are bundles from
 * /static (no inline script, so the strict CSP holds).
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * JSON for a `<script type="application/json">` block: `<` is written `\u003c` so no
 * value can close the element (`</script>`) or open a comment; the line separators that
 * old parsers treat as newlines are escaped too.
 */
export function jsonForScriptBlock(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** What a page is made of. */
export interface PageParts {
  /** The document title (plain text). */
  title: string;
  /** The body's HTML (already escaped where needed). */
  body: string;
  /** Stylesheet URLs. Default: the shared console stylesheet. */
  styles?: string[];
  /** Script URLs, loaded with `defer`. */
  scripts?: string[];
  /** Extra HTML for `<head>` (data blocks). */
  head?: string;
}

/** Stylesheet of the login, console and message pages (bundled with the console script). */
export const PAGE_STYLESHEET = '/static/console.css';

/** A complete HTML document. */
export function renderPage(parts: PageParts): string {
  const styles = (parts.styles ?? [PAGE_STYLESHEET])
    .map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`)
    .join('\n');
  const scripts = (parts.scripts ?? [])
    .map((src) => `<script src="${escapeHtml(src)}" defer></script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(parts.title)}</title>
${styles}
${parts.head ?? ''}
${scripts}
</head>
<body>
${parts.body}
</body>
</html>
`;
}

/** A page that only says something: an error, a refusal, a notice. */
export function renderMessagePage(options: {
  title: string;
  message: string;
  /** Links offered below the message. */
  links?: { href: string; text: string }[];
}): string {
  const links = (options.links ?? [])
    .map((link) => `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></li>`)
    .join('');
  return renderPage({
    title: `${options.title} — OpenCobrowse`,
    body: `<main class="oc-card" aria-labelledby="oc-title">
<h1 id="oc-title">${escapeHtml(options.title)}</h1>
<p>${escapeHtml(options.message)}</p>
${links ? `<ul class="oc-links">${links}</ul>` : ''}
</main>`,
  });
}
