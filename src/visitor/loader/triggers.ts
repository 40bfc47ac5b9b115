/**
 * Page elements and hotkeys that drive the Visitor API without any script of the site's
 * (glance-reference §2.1): `data-glancebutton` (legacy `glance_button`) elements and the
 * tag's `data-inputevents` key map. Both call whatever `GLANCE.Cobrowse.Visitor` is at the
 * time, the stub or the engine, so they work before and after the engine is loaded.
 */

/** What a button or hotkey may do: the Visitor API method it calls. */
const ACTIONS: Readonly<Record<string, string>> = {
  startSession: 'startSession',
  start: 'startSession',
  showButton: 'showButton',
  toggleButton: 'toggleButton',
  showTerms: 'showTerms',
  stopSession: 'stopSession',
};

/** Calls a Visitor API method by action name; unknown actions are reported. */
export type ActionRunner = (method: string) => void;

/** The Visitor API method of a button value or hotkey action, or undefined. */
export function actionMethod(value: string): string | undefined {
  return Object.hasOwn(ACTIONS, value) ? ACTIONS[value] : undefined;
}

/**
 * One hotkey of `data-inputevents`: modifiers joined by `-` and a key code, e.g.
 * `ctrl-13` or `ctrl-shift-13`. Null when the text is not one.
 */
export function parseHotkey(text: string): { code: number; modifiers: string } | null {
  const parts = text.toLowerCase().split('-');
  const code = Number(parts.pop());
  if (!Number.isInteger(code) || code <= 0) return null;
  if (!parts.every((part) => part === 'ctrl' || part === 'alt' || part === 'shift' || part === 'meta')) return null;
  return { code, modifiers: parts.sort().join('-') };
}

/** The hotkey text of a key event in the form {@link parseHotkey} normalises to. */
function eventHotkey(event: KeyboardEvent): string {
  const modifiers = [event.altKey && 'alt', event.ctrlKey && 'ctrl', event.metaKey && 'meta', event.shiftKey && 'shift'].filter(Boolean);
  return `${modifiers.join('-')}|${event.keyCode}`;
}

/**
 * Listens for clicks on `data-glancebutton` elements and for the hotkeys of
 * `inputEvents` (the JSON text of `data-inputevents`, or the object).
 *
 * @param run calls the Visitor API method
 * @param report prints a console error (a bad `data-inputevents`, an unknown button value)
 */
export function installTriggers(doc: Document, inputEvents: unknown, run: ActionRunner, report: (message: string) => void): void {
  doc.addEventListener('click', (event) => {
    const target = event.target as Element | null;
    const button = target?.closest?.('[data-glancebutton],[glance_button]');
    if (!button) return;
    const value = button.getAttribute('data-glancebutton') ?? button.getAttribute('glance_button') ?? '';
    const method = actionMethod(value);
    if (!method) return report(`data-glancebutton="${value}" is not one of ${Object.keys(ACTIONS).join(', ')}`);
    // A button that is a link must not also navigate.
    event.preventDefault();
    run(method);
  });

  if (!inputEvents) return;
  const hotkeys = new Map<string, string>();
  try {
    // The tag's attribute is JSON text; `GLANCE_COBROWSE.inputevents` may be the object itself.
    const map = (typeof inputEvents === 'string' ? JSON.parse(inputEvents) : inputEvents) as Record<string, unknown>;
    for (const [key, action] of Object.entries(map)) {
      const hotkey = parseHotkey(key);
      const method = typeof action === 'string' ? actionMethod(action) : undefined;
      if (hotkey && method) hotkeys.set(`${hotkey.modifiers}|${hotkey.code}`, method);
      else report(`data-inputevents: "${key}": ${JSON.stringify(action)} is not a hotkey like "ctrl-13": "showButton"`);
    }
  } catch {
    return report('data-inputevents is not JSON like {"ctrl-13":"showButton"}');
  }
  if (hotkeys.size === 0) return;
  doc.addEventListener('keydown', (event) => {
    const method = hotkeys.get(eventHotkey(event));
    if (!method) return;
    event.preventDefault();
    run(method);
  });
}
