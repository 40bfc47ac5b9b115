/**
 * Canvas pixels ([PS6]): a canvas's bitmap is not in the DOM, so the recorder polls it at a
 * low rate and sends a PNG data URL when it changed, within a small time budget per poll.
 */
import { Op, StateAttr, type Token } from '../../shared/dom/format.js';
import type { NodeIds } from './node-ids.js';

/** Time one poll may spend encoding canvases, ms. */
const CANVAS_BUDGET_MS = 20;

/** Writes `=canvas` updates for canvases under `roots` whose pixels changed since `lastSent`. */
export function writeCanvasChanges(
  roots: Iterable<Document | ShadowRoot>,
  ids: NodeIds,
  masked: WeakSet<Element>,
  lastSent: WeakMap<HTMLCanvasElement, string>,
  out: Token[],
): void {
  const deadline = performance.now() + CANVAS_BUDGET_MS;
  for (const root of roots) {
    const canvases = root.querySelectorAll('canvas');
    for (let i = 0; i < canvases.length; i++) {
      const canvas = canvases[i] as HTMLCanvasElement;
      const id = ids.get(canvas);
      if (id === undefined || masked.has(canvas) || canvas.width === 0 || canvas.height === 0) continue;
      let data: string;
      try {
        data = canvas.toDataURL();
      } catch {
        continue; // tainted by cross-origin images: nothing we may read
      }
      if (lastSent.get(canvas) === data) continue;
      lastSent.set(canvas, data);
      out.push(Op.Attr, id, StateAttr.Canvas, data);
      if (performance.now() > deadline) return;
    }
  }
}
