/**
 * Masking at the source ([MK1]–[MK6] in SPEC.md, DESIGN §3.5).
 *
 * An element is masked when it matches `glance_masked` markup, a password field, or one
 * of the group's selectors. Masked elements keep their box (the mirror draws a blank box
 * of the same size) and a few layout attributes; their text, values, descendants and URLs
 * are never serialised. A selector that does not parse masks the whole page.
 */

/** Masking rules in force for a session. */
export interface MaskingRules {
  /** CSS selectors from the group's settings or a masking descriptor. */
  selectors: readonly string[];
  /** Mask the whole page (a descriptor asked for it, or masking failed). */
  maskPage?: boolean;
}

/** Always masked, whatever the settings say. */
const BUILT_IN_SELECTORS = ['[glance_masked="true"]', '.glance_masked', 'input[type="password"]'];

/** Attributes a masked element keeps, because they shape layout and reveal no content. */
const KEPT_ATTRIBUTES = new Set([
  'id',
  'class',
  'style',
  'type',
  'width',
  'height',
  'size',
  'cols',
  'rows',
  'dir',
  'hidden',
  'role',
  'disabled',
  'readonly',
  'glance_masked',
]);

/** Whether a masked element may keep this attribute. */
export function keepsAttributeWhenMasked(name: string): boolean {
  return KEPT_ATTRIBUTES.has(name);
}

/** Decides which elements are masked; one instance per session. */
export class Masker {
  readonly selector: string;
  /** True when the rules could not be applied and everything is masked (`maskingerror`). */
  readonly failed: boolean;
  readonly maskPage: boolean;
  /** Whether the selector has combinators, so an ancestor's change can mask a descendant. */
  readonly dependsOnAncestors: boolean;

  constructor(rules: MaskingRules) {
    const selector = [...BUILT_IN_SELECTORS, ...rules.selectors.filter((s) => s.trim() !== '')].join(',');
    let failed = false;
    try {
      // Validate once against a throwaway fragment; querySelector throws SyntaxError on bad input.
      document.createDocumentFragment().querySelector(selector);
    } catch {
      failed = true;
    }
    this.failed = failed;
    this.selector = failed ? BUILT_IN_SELECTORS.join(',') : selector;
    this.maskPage = failed || rules.maskPage === true;
    this.dependsOnAncestors = /[\s>~+]/.test(rules.selectors.join(','));
  }

  /** Whether this element itself matches the masking rules. Never throws. */
  matches(element: Element): boolean {
    try {
      return element.matches(this.selector);
    } catch {
      return true;
    }
  }

  /** All elements under `root` that match, found in one native query. */
  collect(root: ParentNode, into: { add(element: Element): unknown }): void {
    try {
      const found = root.querySelectorAll(this.selector);
      for (let i = 0; i < found.length; i++) into.add(found[i]!);
    } catch {
      // matches() masks anything we fail to query, so nothing leaks.
    }
  }
}

/** Asterisks standing for a masked value: one per character, at most 64. */
export function maskedValue(value: string): string {
  return '*'.repeat(Math.min(value.length, 64));
}
