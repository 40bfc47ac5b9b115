import { describe, expect, it } from 'vitest';
import { actionMethod, parseHotkey } from '../../src/visitor/loader/triggers.js';

describe('data-glancebutton values and data-inputevents hotkeys', () => {
  it('button values name Visitor API methods, with start as an alias', () => {
    expect(actionMethod('start')).toBe('startSession');
    expect(actionMethod('showTerms')).toBe('showTerms');
    expect(actionMethod('stopSession')).toBe('stopSession');
    expect(actionMethod('toString')).toBeUndefined();
    expect(actionMethod('eval')).toBeUndefined();
  });

  it('hotkeys are modifiers and a key code, in any order', () => {
    expect(parseHotkey('ctrl-13')).toEqual({ code: 13, modifiers: 'ctrl' });
    expect(parseHotkey('Shift-Ctrl-75')).toEqual({ code: 75, modifiers: 'ctrl-shift' });
    expect(parseHotkey('13')).toEqual({ code: 13, modifiers: '' });
    expect(parseHotkey('ctrl-x')).toBeNull();
    expect(parseHotkey('hyper-13')).toBeNull();
  });
});
