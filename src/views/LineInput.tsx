/**
 * The prompt's one-line editor: the text, a block cursor, Left/Right/Home/End (Ctrl-A/E), Backspace
 * and Delete, pasted text inserted whole, Enter submits.
 *
 * It replaces ink-text-input, whose cursor fix-up runs in a useEffect that calls setState with a
 * new object on every change while the cursor is at the end of the line (that is, on every typed
 * character). Each key then cost two renders, and fast typing chained those effect updates until
 * React warned "Maximum update depth exceeded". Here the cursor is clamped while rendering and the
 * key handler is registered once (it reads the latest props from a ref), so a key is one render.
 *
 * The handler stays registered while the input is unfocused and reads `focus` from the same ref.
 * Ink (un)registers a useInput handler in a passive effect, which React may run after the frame
 * is on screen: with `isActive: focus`, keys typed right after Esc gave the prompt back (status
 * bar already saying so) went nowhere. Likewise a value replaced from outside (history, Tab
 * completion) moves the cursor to the end by a bumped `epoch`, not by remounting the input.
 */
import { Text, useInput, type Key } from 'ink';
import { useCallback, useRef, useState, type JSX } from 'react';

export interface LineInputProps {
  value: string;
  onChange(value: string): void;
  onSubmit(value: string): void;
  /** Takes keys and shows the cursor. */
  focus: boolean;
  /** Bumped when the value was replaced from outside: the cursor goes to the end. */
  epoch?: number;
}

/** The new text and cursor for one key, or undefined when the key is not an editing key. */
export function editLine(value: string, cursor: number, input: string, key: Key): { value: string; cursor: number } | undefined {
  if (key.leftArrow) return { value, cursor: Math.max(0, cursor - 1) };
  if (key.rightArrow) return { value, cursor: Math.min(value.length, cursor + 1) };
  if (key.home || (key.ctrl && input === 'a')) return { value, cursor: 0 };
  if (key.end || (key.ctrl && input === 'e')) return { value, cursor: value.length };
  if (key.backspace || (key.delete && !input)) {
    // Ink reports the usual Backspace byte (DEL, 0x7f) as `delete`: both erase to the left, as ink-text-input did.
    if (cursor === 0) return { value, cursor };
    return { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 };
  }
  if (key.ctrl || key.meta || key.tab || key.escape || key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.return || !input) return undefined;
  return { value: value.slice(0, cursor) + input + value.slice(cursor), cursor: cursor + input.length };
}

export function LineInput({ value, onChange, onSubmit, focus, epoch = 0 }: LineInputProps): JSX.Element {
  // The cursor starts at the end, and goes there again when the value is replaced from outside.
  const [state, setState] = useState({ cursor: value.length, epoch });
  if (state.epoch !== epoch) setState({ cursor: value.length, epoch }); // adjusts during render: no extra frame
  const setCursor = (c: number): void => setState((s) => ({ ...s, cursor: c }));
  const cursor = state.epoch !== epoch ? value.length : Math.min(state.cursor, value.length);
  const latest = useRef({ value, cursor, onChange, onSubmit, focus });
  latest.current = { value, cursor, onChange, onSubmit, focus };
  const handler = useCallback((input: string, key: Key) => {
    const { value: v, cursor: c, onChange: change, onSubmit: submit, focus: f } = latest.current;
    if (!f) return;
    if (key.return) return submit(v);
    const next = editLine(v, c, input, key);
    if (!next) return;
    // Keys can arrive faster than renders: keep the ref current for the next one.
    latest.current = { ...latest.current, value: next.value, cursor: next.cursor };
    if (next.cursor !== c) setCursor(next.cursor);
    if (next.value !== v) change(next.value);
  }, []);
  useInput(handler);
  if (!focus) return <Text>{value}</Text>;
  return (
    <Text>
      {value.slice(0, cursor)}
      <Text inverse>{value[cursor] ?? ' '}</Text>
      {value.slice(cursor + 1)}
    </Text>
  );
}
