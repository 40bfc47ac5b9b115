/**
 * The viewer's own option list for a `<select>` of the visitor's page under remote
 * control. The mirror's selects stay inert ([VW4]: their native popup would change the
 * mirror, not the page), so the agent picks here and the choice goes to the visitor as a
 * `select` action; the mirror then shows it once the visitor's page has it.
 *
 * A listbox over the select, in the viewer page: click or arrow keys and Enter/Space to
 * choose, Escape (or a click elsewhere) to close. For a multiple select each choice toggles
 * one option and the list stays open.
 */
import type { ScreenRect } from './input-geometry.js';

/** One choosable entry. */
interface Entry {
  index: number;
  element: HTMLElement;
  disabled: boolean;
}

/** The option picker of one viewer (one list open at a time). */
export class OptionPicker {
  private element: HTMLElement | null = null;
  private cleanup: Array<() => void> = [];
  private restoreFocus: HTMLElement | null = null;

  constructor(private readonly parent: HTMLElement) {}

  /** Whether a list is open. */
  get isOpen(): boolean {
    return this.element !== null;
  }

  /**
   * Shows the options of `select` at `rect` (viewer page coordinates); `done` gets the
   * indexes (in `select.options`) that should be selected.
   */
  open(select: HTMLSelectElement, rect: ScreenRect, done: (indexes: number[]) => void): void {
    this.close();
    const doc = this.parent.ownerDocument;
    const multiple = select.multiple;
    const chosen = new Set<number>();
    for (let i = 0; i < select.options.length; i++) if (select.options[i]!.selected) chosen.add(i);

    const box = doc.createElement('div');
    box.className = 'oc-picker';
    const list = doc.createElement('div');
    list.className = 'oc-picker-list';
    list.setAttribute('role', 'listbox');
    list.tabIndex = 0;
    list.setAttribute('aria-label', selectLabel(select));
    if (multiple) list.setAttribute('aria-multiselectable', 'true');
    const entries: Entry[] = [];
    const idPrefix = `oc-picker-${Date.now().toString(36)}-`;
    let group: { label: string; node: HTMLElement } | null = null;
    for (let i = 0; i < select.options.length; i++) {
      const option = select.options[i]!;
      const optgroup = option.parentElement?.localName === 'optgroup' ? (option.parentElement as HTMLOptGroupElement) : null;
      let container: HTMLElement = list;
      if (optgroup) {
        if (!group || group.label !== optgroup.label) {
          const node = doc.createElement('div');
          node.setAttribute('role', 'group');
          node.setAttribute('aria-label', optgroup.label);
          const title = doc.createElement('div');
          title.className = 'oc-picker-group';
          title.setAttribute('aria-hidden', 'true');
          title.textContent = optgroup.label;
          node.append(title);
          list.append(node);
          group = { label: optgroup.label, node };
        }
        container = group.node;
      } else {
        group = null;
      }
      const item = doc.createElement('div');
      item.className = 'oc-picker-option';
      item.id = idPrefix + i;
      item.setAttribute('role', 'option');
      item.textContent = option.label || option.text || '\u00a0';
      const disabled = option.disabled || optgroup?.disabled === true;
      if (disabled) item.setAttribute('aria-disabled', 'true');
      item.setAttribute('aria-selected', String(chosen.has(i)));
      container.append(item);
      entries.push({ index: i, element: item, disabled });
    }
    box.append(list);

    let active = entries.findIndex((entry) => chosen.has(entry.index) && !entry.disabled);
    if (active < 0) active = entries.findIndex((entry) => !entry.disabled);
    const setActive = (position: number) => {
      if (position < 0 || position >= entries.length) return;
      entries[active]?.element.classList.remove('oc-picker-option--active');
      active = position;
      const entry = entries[active]!;
      entry.element.classList.add('oc-picker-option--active');
      list.setAttribute('aria-activedescendant', entry.element.id);
      entry.element.scrollIntoView({ block: 'nearest' });
    };
    const step = (from: number, direction: 1 | -1) => {
      for (let i = from + direction; i >= 0 && i < entries.length; i += direction) if (!entries[i]!.disabled) return i;
      return from;
    };
    const choose = (position: number) => {
      const entry = entries[position];
      if (!entry || entry.disabled) return;
      if (multiple) {
        if (chosen.has(entry.index)) chosen.delete(entry.index);
        else chosen.add(entry.index);
        entry.element.setAttribute('aria-selected', String(chosen.has(entry.index)));
        done([...chosen].sort((a, b) => a - b));
        return;
      }
      this.close();
      done([entry.index]);
    };

    list.addEventListener('click', (event) => {
      const item = (event.target as HTMLElement).closest<HTMLElement>('[role=option]');
      const position = entries.findIndex((entry) => entry.element === item);
      if (position >= 0) {
        setActive(position);
        choose(position);
      }
    });
    list.addEventListener('keydown', (event) => {
      const keys: Record<string, () => void> = {
        ArrowDown: () => setActive(step(active, 1)),
        ArrowUp: () => setActive(step(active, -1)),
        Home: () => setActive(step(-1, 1)),
        End: () => setActive(step(entries.length, -1)),
        Enter: () => choose(active),
        ' ': () => choose(active),
        Escape: () => this.close(),
        Tab: () => this.close(),
      };
      const run = keys[event.key];
      if (!run) return;
      if (event.key !== 'Tab') event.preventDefault();
      run();
    });

    // Below the select when there is room, else above; never off the window.
    const win = doc.defaultView!;
    box.style.minWidth = `${Math.max(rect.width, 120)}px`;
    box.style.left = `${Math.max(4, Math.min(rect.left, win.innerWidth - Math.max(rect.width, 120) - 4))}px`;
    const below = win.innerHeight - (rect.top + rect.height);
    if (below >= 160 || below >= rect.top) {
      box.style.top = `${rect.top + rect.height + 2}px`;
      box.style.maxHeight = `${Math.max(120, below - 8)}px`;
    } else {
      box.style.bottom = `${win.innerHeight - rect.top + 2}px`;
      box.style.maxHeight = `${Math.max(120, rect.top - 8)}px`;
    }
    this.parent.append(box);
    this.element = box;
    this.restoreFocus = doc.activeElement as HTMLElement | null;
    if (active >= 0) setActive(active);
    list.focus({ preventScroll: true });

    const outside = (event: Event) => {
      if (!box.contains(event.target as Node)) this.close();
    };
    // Later than this mousedown: the click that opened the list must not close it.
    const timer = setTimeout(() => doc.addEventListener('mousedown', outside, true), 0);
    const onBlur = () => this.close();
    win.addEventListener('blur', onBlur);
    this.cleanup = [
      () => clearTimeout(timer),
      () => doc.removeEventListener('mousedown', outside, true),
      () => win.removeEventListener('blur', onBlur),
    ];
  }

  /** Closes the list, if open, and gives focus back. */
  close(): void {
    if (!this.element) return;
    for (const dispose of this.cleanup.splice(0)) dispose();
    const hadFocus = this.element.contains(this.element.ownerDocument.activeElement);
    this.element.remove();
    this.element = null;
    if (hadFocus) this.restoreFocus?.focus({ preventScroll: true });
    this.restoreFocus = null;
  }
}

/** What a screen reader should call the list: the select's label, or a plain name. */
function selectLabel(select: HTMLSelectElement): string {
  const labelled = select.labels?.[0]?.textContent?.trim();
  const aria = select.getAttribute('aria-label')?.trim();
  const name = labelled || aria || select.name || select.id;
  return name ? `Choose for the visitor: ${name}` : 'Choose for the visitor';
}
