/**
 * Turns a batch of MutationRecords into page-stream operations ([PS4], [PS5]).
 *
 * Records only say *that* something changed; values are read from the live DOM when the
 * batch is written, so the mirror converges on the page's current state however the
 * page got there (add and remove in one tick, moves, re-renders). Order within a batch:
 * inserts and moves first (so a node moved out of a removed subtree survives), then
 * removals, then text and attribute changes.
 */
import { Op, StateAttr, type Token } from '../../shared/dom/format.js';
import { keepsAttributeWhenMasked } from './masking.js';
import { hasFormState, pushFormState } from './form-state.js';
import { serializeSubtree, type SerializeContext } from './serialize.js';

function isEventHandlerName(name: string): boolean {
  return name.length > 2 && name.charCodeAt(0) === 111 && name.charCodeAt(1) === 110;
}

/** The id of the first known sibling after `node`, or 0 (append). */
function nextKnownId(ctx: SerializeContext, node: Node): number {
  for (let sibling = node.nextSibling; sibling; sibling = sibling.nextSibling) {
    const id = ctx.ids.get(sibling);
    if (id !== undefined) return id;
  }
  return 0;
}

function isOpaqueTextParent(node: Node): boolean {
  const name = (node.parentNode as Element | null)?.localName;
  return name === 'script' || name === 'noscript';
}

/** Writes the node as a fresh serialisation in place of its old one (masking changed). */
export function writeReplace(ctx: SerializeContext, element: Element, out: Token[]): void {
  const oldId = ctx.ids.get(element);
  if (oldId === undefined) return;
  ctx.ids.forgetSubtree(element);
  ctx.maskedElements.delete(element);
  ctx.maskMatches.delete(element);
  out.push(Op.Replace, oldId, ctx.ids.nextId);
  serializeSubtree(ctx, element, out);
}

/** Whether the element should be masked now. */
function shouldMask(ctx: SerializeContext, element: Element): boolean {
  if (ctx.masker.maskPage && (element.localName === 'body' || element.localName === 'frameset')) return true;
  return ctx.masker.matches(element);
}

/**
 * Whether a child of `parent` is out of what is captured: `parent`, or the nearest of its
 * ancestors the mirror knows, is masked or our own UI ([MK5]). A parent the mirror does not
 * know below an ordinary element is new in this batch, and its serialisation holds the child.
 */
function isHiddenPlace(ctx: SerializeContext, parent: Node | null): boolean {
  for (let place = parent; place; place = place.parentNode) {
    if (ctx.ignored.has(place) || ctx.maskedElements.has(place as Element)) return true;
    if (ctx.ids.get(place) !== undefined) return false;
  }
  return false;
}

/** Appends the operations for `records` to `out`. */
export function writeMutations(ctx: SerializeContext, records: readonly MutationRecord[], out: Token[]): void {
  const ids = ctx.ids;
  const added = new Set<Node>();
  const removed = new Set<Node>();
  const texts = new Set<Node>();
  const attributes = new Map<Element, Set<string>>();
  const resizedMasks = new Set<Element>();

  for (const record of records) {
    switch (record.type) {
      case 'childList': {
        if (ctx.maskedElements.has(record.target as Element)) {
          resizedMasks.add(record.target as Element);
          break;
        }
        const addedNodes = record.addedNodes;
        for (let i = 0; i < addedNodes.length; i++) added.add(addedNodes[i]!);
        const removedNodes = record.removedNodes;
        for (let i = 0; i < removedNodes.length; i++) removed.add(removedNodes[i]!);
        break;
      }
      case 'characterData':
        texts.add(record.target);
        break;
      case 'attributes': {
        const element = record.target as Element;
        let names = attributes.get(element);
        if (!names) attributes.set(element, (names = new Set()));
        names.add(record.attributeName!);
        break;
      }
    }
  }

  const batchFirstId = ids.nextId;

  // 1. Inserts and moves, grouped by parent.
  if (added.size > 0) {
    const byParent = new Map<Node, Node[]>();
    for (const node of added) {
      if (!node.isConnected || ctx.ignored.has(node)) continue;
      const known = ids.get(node);
      if (known !== undefined && known >= batchFirstId) continue;
      const parent = node.parentNode;
      // An unknown parent is itself new (its serialisation includes this node) or lies
      // below a masked element; either way there is nothing to write for this node.
      if (!parent || ids.get(parent) === undefined || ctx.maskedElements.has(parent as Element)) continue;
      let siblings = byParent.get(parent);
      if (!siblings) byParent.set(parent, (siblings = []));
      siblings.push(node);
    }
    for (const [parent, nodes] of byParent) {
      const parentId = ids.get(parent)!;
      const pending = new Set(nodes);
      for (const node of nodes) {
        if (pending.has(node.nextSibling as Node)) continue; // not the last of a run
        // Write the run back to front, so every insert's next sibling is already placed.
        for (let current: Node | null = node; current && pending.has(current); current = current.previousSibling) {
          pending.delete(current);
          const id = ids.get(current);
          if (id !== undefined) {
            out.push(Op.Move, id, parentId, nextKnownId(ctx, current));
          } else {
            out.push(Op.Add, parentId, nextKnownId(ctx, current), ids.nextId);
            serializeSubtree(ctx, current, out);
          }
        }
      }
    }
  }

  // 2. Removals of nodes that left the page, or left what is captured of it: a node moved
  // below a masked element (or into a new subtree that is masked) is gone for the mirror
  // ([MK5]), so its old copy must go too.
  for (const node of removed) {
    const id = ids.get(node);
    if (id === undefined || (node.isConnected && !isHiddenPlace(ctx, node.parentNode))) continue;
    out.push(Op.Remove, id);
    ids.forgetSubtree(node);
  }

  // 3. Text.
  for (const node of texts) {
    const id = ids.get(node);
    if (id === undefined || id >= batchFirstId || !node.isConnected || isOpaqueTextParent(node)) continue;
    out.push(Op.Text, id, (node as CharacterData).data);
  }

  // 4. Attributes, and masking that they switch on or off.
  for (const [element, names] of attributes) {
    const id = ids.get(element);
    if (id === undefined || id >= batchFirstId || !element.isConnected) continue;
    const wasMasked = ctx.maskedElements.has(element);
    if (wasMasked !== shouldMask(ctx, element)) {
      writeReplace(ctx, element, out);
      continue;
    }
    if (!wasMasked && ctx.masker.dependsOnAncestors) {
      const found = new Set<Element>();
      ctx.masker.collect(element, found);
      for (const descendant of found) {
        if (ids.get(descendant) !== undefined && !ctx.maskedElements.has(descendant)) writeReplace(ctx, descendant, out);
      }
    }
    for (const name of names) {
      if (isEventHandlerName(name) || (wasMasked && !keepsAttributeWhenMasked(name))) continue;
      out.push(Op.Attr, id, name, element.getAttribute(name));
    }
    // A masked field's value attribute is never sent, but its asterisks follow the value.
    if (wasMasked && names.has('value') && hasFormState(element)) {
      const state: unknown[] = [];
      pushFormState(element, true, state, true);
      for (let i = 0; i < state.length; i += 2) out.push(Op.Attr, id, state[i] as string, state[i + 1] as string);
    }
  }

  // 5. Masked boxes whose content changed may have changed size.
  for (const element of resizedMasks) {
    const id = ids.get(element);
    if (id === undefined || !element.isConnected) continue;
    const box = element.getBoundingClientRect();
    out.push(Op.Attr, id, StateAttr.Mask, `${Math.round(box.width)},${Math.round(box.height)}`);
  }
}
