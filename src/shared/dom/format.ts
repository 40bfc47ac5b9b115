/**
 * The page stream: what a keyframe or delta payload contains ([PS1]–[PS9] in SPEC.md).
 *
 * A payload is one JSON array of tokens (strings, numbers, null). It is a sequence of
 * operations, each an `Op` code followed by its arguments. A keyframe resets the mirror
 * and then applies its operations; a delta applies its operations to the current mirror.
 *
 * Nodes are written in pre-order. Every node except a `Ref` takes the next id: an `Add`
 * names the id of its first node and the ids of its descendants follow in order, so ids
 * are never written per node. A text node is a bare string; every other node starts with
 * a `NodeKind` number:
 *
 *   text        "data"
 *   Element     1, tagName, attrCount, name1, value1, …, childCount, children…
 *   Comment     2, data
 *   Doctype     3, name, publicId, systemId
 *   Document    4, baseURI, childCount, children…          (the page or an iframe's document)
 *   ShadowRoot  5, childCount, children…                   (first child of its host)
 *   Ref         6, id                                      (an already known node moved here)
 *
 * Attribute names starting with `=` cannot come from a page (the HTML parser and
 * setAttribute never produce them); they carry state that is not in the DOM's attributes.
 */

/** The kind of a non-text node token. */
export const NodeKind = {
  Element: 1,
  Comment: 2,
  Doctype: 3,
  Document: 4,
  ShadowRoot: 5,
  Ref: 6,
} as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

/** Operation codes of the page stream. */
export const Op = {
  /** parentId (0 = the mirror root), nextSiblingId (0 = append), firstId, node */
  Add: 1,
  /** id, parentId, nextSiblingId (0 = append) — a known node changes place */
  Move: 2,
  /** id — the node and its subtree leave the page */
  Remove: 3,
  /** id, data — a text or comment node's data */
  Text: 4,
  /** id, name, value|null — an attribute (or a `=` state attribute) set or removed */
  Attr: 5,
  /** id, x, y — scroll offset of an element or (for a document id) of its window */
  Scroll: 6,
  /** width, height — the visitor's viewport in CSS pixels */
  Viewport: 7,
  /** x, y — the visitor's pointer in viewport coordinates (volatile frames only) */
  Pointer: 8,
  /** sheetId, cssText — a constructed stylesheet's full text */
  Sheet: 9,
  /** ownerId (document or shadow root), count, sheetId… — adopted stylesheets in order */
  Adopt: 10,
  /** id, firstId, node — the node is replaced by a fresh serialisation (masking changed) */
  Replace: 11,
  /** url, title, baseURI — the page's address or base changed (history API, <base>), or a keyframe announces it */
  Location: 12,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** State attributes (names start with `=`, which no page attribute can). */
export const StateAttr = {
  /** Current value of an input or textarea; for a select, the selected option indexes "0,2". */
  Value: '=value',
  /** '1' or '0': current checkedness of a checkbox or radio. */
  Checked: '=checked',
  /** '1' when a checkbox is indeterminate. */
  Indeterminate: '=indeterminate',
  /** The CSSOM text of a <style> or <link> sheet when it differs from its DOM text or file. */
  Css: '=css',
  /** '1' when a <style>/<link> sheet is disabled through the CSSOM. */
  SheetDisabled: '=sheetdisabled',
  /** Media text of a sheet changed through the CSSOM. */
  SheetMedia: '=sheetmedia',
  /** "width,height": the element is masked; the mirror shows a box of this size. */
  Mask: '=mask',
  /** A data: URL with the current pixels of a <canvas>. */
  Canvas: '=canvas',
} as const;

/** A token of a payload. */
export type Token = string | number | null;

/** Header of a keyframe: what the mirror needs before the first node. Carried by ops. */
export const STATE_ATTR_PREFIX = '=';
