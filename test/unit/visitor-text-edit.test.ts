import { describe, expect, it } from 'vitest';
import { editForKey, insertText, type FieldState } from '../../src/visitor/remote/text-edit.js';

/** A field state from a picture: `|` is the caret, `[` `]` a forward selection, `]` `[` a backward one. */
function field(picture: string): FieldState {
  const backward = picture.indexOf(']') >= 0 && picture.indexOf(']') < picture.indexOf('[');
  const marks = picture.replace(/[^|[\]]/g, '');
  const value = picture.replace(/[|[\]]/g, '');
  if (marks === '|') {
    const at = picture.indexOf('|');
    return { value, start: at, end: at, direction: 'none' };
  }
  const first = Math.min(picture.indexOf('['), picture.indexOf(']'));
  const second = Math.max(picture.indexOf('['), picture.indexOf(']')) - 1;
  return { value, start: first, end: second, direction: backward ? 'backward' : 'forward' };
}

/** The picture of a state (selection direction shown as for `field`). */
function picture(state: FieldState): string {
  const { value, start, end } = state;
  if (start === end) return value.slice(0, start) + '|' + value.slice(start);
  const [open, close] = state.direction === 'backward' ? [']', '['] : ['[', ']'];
  return value.slice(0, start) + open + value.slice(start, end) + close + value.slice(end);
}

const key = (state: string, name: string, modifiers = {}, multiline = false) => {
  const edit = editForKey(field(state), name, modifiers, multiline);
  return edit && { picture: picture(edit), inputType: edit.inputType };
};

describe('remote typing: text edits', () => {
  it('inserting replaces the selection and leaves the caret after the text', () => {
    expect(insertText(field('ab[cd]ef'), 'XY')).toEqual({ value: 'abXYef', start: 4, end: 4, direction: 'none', inputType: 'insertText', data: 'XY' });
    expect(picture(insertText(field('|'), 'a'))).toBe('a|');
  });

  it('Backspace and Delete remove one character, a whole emoji, a word with Ctrl, or the selection', () => {
    expect(key('abc|', 'Backspace')).toEqual({ picture: 'ab|', inputType: 'deleteContentBackward' });
    expect(key('|abc', 'Backspace')).toBeNull();
    expect(key('a😀|b', 'Backspace')).toEqual({ picture: 'a|b', inputType: 'deleteContentBackward' });
    expect(key('a|😀b', 'Delete')).toEqual({ picture: 'a|b', inputType: 'deleteContentForward' });
    expect(key('abc|', 'Delete')).toBeNull();
    expect(key('hello big world|', 'Backspace', { ctrl: true })).toEqual({ picture: 'hello big |', inputType: 'deleteWordBackward' });
    expect(key('|hello big', 'Delete', { ctrl: true })).toEqual({ picture: '| big', inputType: 'deleteWordForward' });
    expect(key('a[bcd]e', 'Backspace')).toEqual({ picture: 'a|e', inputType: 'deleteContentBackward' });
    expect(key('a[bcd]e', 'Delete')).toEqual({ picture: 'a|e', inputType: 'deleteContentForward' });
  });

  it('arrows move the caret, collapse a selection, extend it with Shift, and jump words with Ctrl', () => {
    expect(key('ab|c', 'ArrowLeft')).toEqual({ picture: 'a|bc', inputType: null });
    expect(key('ab|c', 'ArrowRight')).toEqual({ picture: 'abc|', inputType: null });
    expect(key('a[bc]d', 'ArrowLeft')).toEqual({ picture: 'a|bcd', inputType: null });
    expect(key('a[bc]d', 'ArrowRight')).toEqual({ picture: 'abc|d', inputType: null });
    expect(key('ab|cd', 'ArrowRight', { shift: true })).toEqual({ picture: 'ab[c]d', inputType: null });
    expect(key('ab|cd', 'ArrowLeft', { shift: true })).toEqual({ picture: 'a]b[cd', inputType: null });
    expect(key('a[bc]d', 'ArrowLeft', { shift: true })).toEqual({ picture: 'a[b]cd', inputType: null });
    expect(key('one two|', 'ArrowLeft', { ctrl: true })).toEqual({ picture: 'one |two', inputType: null });
    expect(key('|one two', 'ArrowRight', { ctrl: true })).toEqual({ picture: 'one| two', inputType: null });
  });

  it('Home, End, Up and Down go to the ends of a single line, and move between lines of a textarea', () => {
    expect(key('ab|c', 'Home')).toEqual({ picture: '|abc', inputType: null });
    expect(key('ab|c', 'End')).toEqual({ picture: 'abc|', inputType: null });
    expect(key('ab|c', 'ArrowUp')).toEqual({ picture: '|abc', inputType: null });
    expect(key('ab|c', 'End', { shift: true })).toEqual({ picture: 'ab[c]', inputType: null });
    expect(key('abc\nde|f\nghi', 'Home', {}, true)).toEqual({ picture: 'abc\n|def\nghi', inputType: null });
    expect(key('abc\nde|f\nghi', 'End', {}, true)).toEqual({ picture: 'abc\ndef|\nghi', inputType: null });
    expect(key('abc\nde|f\nghi', 'ArrowUp', {}, true)).toEqual({ picture: 'ab|c\ndef\nghi', inputType: null });
    expect(key('abc\nde|f\nghi', 'ArrowDown', {}, true)).toEqual({ picture: 'abc\ndef\ngh|i', inputType: null });
    expect(key('abcdef\nx|', 'ArrowUp', {}, true)).toEqual({ picture: 'a|bcdef\nx', inputType: null });
    expect(key('a|bcdef\nx', 'ArrowDown', {}, true)).toEqual({ picture: 'abcdef\nx|', inputType: null });
  });

  it('Ctrl+A and Cmd+A select everything; Enter breaks a line only in a textarea', () => {
    expect(key('ab|c', 'a', { ctrl: true })).toEqual({ picture: '[abc]', inputType: null });
    expect(key('ab|c', 'A', { meta: true })).toEqual({ picture: '[abc]', inputType: null });
    expect(key('ab|c', 'Enter', {}, true)).toEqual({ picture: 'ab\n|c', inputType: 'insertLineBreak' });
    expect(key('ab|c', 'Enter')).toBeNull();
    expect(key('ab|c', 'F5')).toBeNull();
  });
});
