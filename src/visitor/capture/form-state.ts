/**
 * Form state that lives in properties, not attributes ([PS6]): what the visitor typed,
 * checked or selected, and values set by script.
 */
import { StateAttr } from '../../shared/dom/format.js';
import { maskedValue } from './masking.js';

/** Input types whose value is text the user typed. */
function isCheckable(input: HTMLInputElement): boolean {
  const type = input.type;
  return type === 'checkbox' || type === 'radio';
}

/** Selected option indexes of a select, as the mirror expects them ("0,3"). */
function selectedIndexes(select: HTMLSelectElement): string {
  const parts: number[] = [];
  const options = select.options;
  for (let i = 0; i < options.length; i++) if (options[i]!.selected) parts.push(i);
  return parts.join(',');
}

/**
 * Appends the state attributes an element needs beyond its DOM attributes to `out`
 * as name/value pairs, and returns how many pairs it appended. With `all`, the state is
 * written even when it equals the default (used when the state just changed).
 */
export function pushFormState(element: Element, masked: boolean, out: unknown[], all: boolean): number {
  const name = element.localName;
  if (name === 'input') {
    const input = element as HTMLInputElement;
    if (isCheckable(input)) {
      let count = 0;
      const checked = masked ? false : input.checked;
      if (all || checked !== input.defaultChecked) {
        out.push(StateAttr.Checked, checked ? '1' : '0');
        count++;
      }
      if (input.indeterminate && !masked) {
        out.push(StateAttr.Indeterminate, '1');
        count++;
      }
      return count;
    }
    if (input.type === 'file') return 0; // the file name is the visitor's business
    const value = input.value;
    if (masked) {
      out.push(StateAttr.Value, maskedValue(value));
      return 1;
    }
    if (all || value !== (input.getAttribute('value') ?? '')) {
      out.push(StateAttr.Value, value);
      return 1;
    }
    return 0;
  }
  if (name === 'textarea') {
    const textarea = element as HTMLTextAreaElement;
    const value = textarea.value;
    if (masked) {
      out.push(StateAttr.Value, maskedValue(value));
      return 1;
    }
    if (all || value !== textarea.defaultValue) {
      out.push(StateAttr.Value, value);
      return 1;
    }
    return 0;
  }
  if (name === 'select' && !masked) {
    // Always written: selects are few, and the browser's default choice (first enabled
    // option) is not worth re-deriving here.
    out.push(StateAttr.Value, selectedIndexes(element as HTMLSelectElement));
    return 1;
  }
  return 0;
}

/** Whether an element carries form state that changes without a DOM mutation. */
export function hasFormState(element: Element): boolean {
  const name = element.localName;
  return name === 'input' || name === 'textarea' || name === 'select';
}
