/**
 * Matching a host against a group's trusted domains ([NV1], [XD1]): one rule for the server's
 * navigation check, the visitor's own check and the cross-domain helper, so they never disagree.
 */

/**
 * Whether `host` is `pattern`, or for `*.example.com` that domain or a subdomain of it. An
 * entry may be a host (`shop.example.com`, optionally with `:port`) or a helper page's URL
 * (`https://shop.example.com/helper.html`): only its host counts.
 */
export function hostMatches(host: string, pattern: string): boolean {
  const wanted = pattern.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/[/:].*$/, '');
  if (!wanted) return false;
  const name = host.toLowerCase();
  if (wanted.startsWith('*.')) {
    const base = wanted.slice(2);
    return name === base || name.endsWith('.' + base);
  }
  return name === wanted;
}
