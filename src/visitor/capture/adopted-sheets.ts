/**
 * Constructed stylesheets adopted by documents and shadow roots ([PS7]): each sheet gets
 * an id per keyframe epoch, is sent once as a `Sheet` operation (again when edited), and
 * each root's list is sent as an `Adopt` operation when it changes.
 */
import { Op, type Token } from '../../shared/dom/format.js';
import { sheetText, type SheetTracker } from './stylesheets.js';

type Root = Document | ShadowRoot;

export class AdoptedSheets {
  private readonly ids = new WeakMap<CSSStyleSheet, number>();
  private nextId = 1;
  private readonly sent = new Map<Root, number[]>();

  constructor(private readonly sheets: SheetTracker) {}

  /** The id of a constructed sheet already sent, if any. */
  idOf(sheet: CSSStyleSheet): number | undefined {
    return this.ids.get(sheet);
  }

  /** Whether a root's adopted list differs from what was last sent (in-place edits call no setter). */
  changed(root: Root): boolean {
    const current = root.adoptedStyleSheets ?? [];
    const previous = this.sent.get(root) ?? [];
    return current.length !== previous.length || current.some((sheet, i) => this.ids.get(sheet) !== previous[i]);
  }

  /** Writes `Sheet` operations for new sheets and the root's `Adopt` operation, if it changed. */
  write(root: Root, rootId: number, out: Token[]): void {
    const sheets = root.adoptedStyleSheets ?? [];
    const previous = this.sent.get(root) ?? [];
    const list: number[] = [];
    for (const sheet of sheets) {
      let id = this.ids.get(sheet);
      if (id === undefined) {
        id = this.nextId++;
        this.ids.set(sheet, id);
        this.sheets.mediaOwners.set(sheet.media, sheet);
        out.push(Op.Sheet, id, sheetText(sheet, sheet.href) ?? '');
      }
      list.push(id);
    }
    if (list.length === previous.length && list.every((id, i) => id === previous[i])) return;
    this.sent.set(root, list);
    out.push(Op.Adopt, rootId, list.length, ...list);
  }

  /** Roots whose list was sent (for polling). */
  roots(): Iterable<Root> {
    return this.sent.keys();
  }
}
