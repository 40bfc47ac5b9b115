/**
 * What an agent's key press means under remote control (src/agent/viewer/input-keys.ts):
 * typed text into text fields, keys and shortcuts otherwise, nothing for modifiers alone
 * and input-method composition ([RC5]).
 */
import { describe, expect, it } from 'vitest';
import { keyAction, type KeyLike } from '../../src/agent/viewer/input-keys.js';

const key = (key: string, code: string, extra: Partial<KeyLike> = {}): KeyLike => ({
  key,
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...extra,
});

describe('keyAction', () => {
  it('characters into a text field are text, shifted ones included', () => {
    expect(keyAction(key('h', 'KeyH'), true)).toEqual({ kind: 'text', text: 'h' });
    expect(keyAction(key('H', 'KeyH', { shiftKey: true }), true)).toEqual({ kind: 'text', text: 'H' });
    expect(keyAction(key(' ', 'Space'), true)).toEqual({ kind: 'text', text: ' ' });
    expect(keyAction(key('é', 'Quote'), true)).toEqual({ kind: 'text', text: 'é' });
    expect(keyAction(key('😀', ''), true)).toEqual({ kind: 'text', text: '😀' });
  });

  it('AltGr characters are text, not shortcuts', () => {
    expect(keyAction(key('@', 'KeyQ', { ctrlKey: true, altKey: true, altGraph: true }), true)).toEqual({ kind: 'text', text: '@' });
  });

  it('special keys are keys, with shift as a modifier', () => {
    expect(keyAction(key('Enter', 'Enter'), true)).toEqual({ kind: 'key', key: 'Enter', code: 'Enter' });
    expect(keyAction(key('Tab', 'Tab', { shiftKey: true }), true)).toEqual({ kind: 'key', key: 'Tab', code: 'Tab', modifiers: { shift: true } });
    expect(keyAction(key('ArrowLeft', 'ArrowLeft', { shiftKey: true }), true)).toMatchObject({ modifiers: { shift: true } });
    expect(keyAction(key('Backspace', 'Backspace'), true)).toEqual({ kind: 'key', key: 'Backspace', code: 'Backspace' });
    expect(keyAction(key('F5', 'F5'), false)).toEqual({ kind: 'key', key: 'F5', code: 'F5' });
  });

  it('shortcuts are keys with their modifiers', () => {
    expect(keyAction(key('a', 'KeyA', { ctrlKey: true }), true)).toEqual({ kind: 'key', key: 'a', code: 'KeyA', modifiers: { ctrl: true } });
    expect(keyAction(key('z', 'KeyZ', { metaKey: true, shiftKey: true }), true)).toEqual({
      kind: 'key',
      key: 'z',
      code: 'KeyZ',
      modifiers: { shift: true, meta: true },
    });
    expect(keyAction(key('f', 'KeyF', { altKey: true }), true)).toMatchObject({ kind: 'key', modifiers: { alt: true } });
  });

  it('Ctrl or Cmd+V in a text field pastes the agent\'s clipboard', () => {
    expect(keyAction(key('v', 'KeyV', { ctrlKey: true }), true)).toEqual({ kind: 'paste' });
    expect(keyAction(key('v', 'KeyV', { metaKey: true }), true)).toEqual({ kind: 'paste' });
    expect(keyAction(key('v', 'KeyV', { ctrlKey: true }), false)).toMatchObject({ kind: 'key' });
  });

  it('outside a text field characters are key presses (page shortcuts, Space on a button)', () => {
    expect(keyAction(key('j', 'KeyJ'), false)).toEqual({ kind: 'key', key: 'j', code: 'KeyJ' });
    expect(keyAction(key(' ', 'Space'), false)).toEqual({ kind: 'key', key: ' ', code: 'Space' });
    expect(keyAction(key('?', 'Slash', { shiftKey: true }), false)).toEqual({ kind: 'key', key: '?', code: 'Slash' });
  });

  it('modifiers alone, dead keys and composition send nothing', () => {
    for (const name of ['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'Dead', 'Process', 'Unidentified']) {
      expect(keyAction(key(name, name), true)).toBeNull();
    }
    expect(keyAction(key('a', 'KeyA', { isComposing: true }), true)).toBeNull();
    expect(keyAction(key('x'.repeat(33), 'KeyX'), true)).toBeNull();
  });
});
