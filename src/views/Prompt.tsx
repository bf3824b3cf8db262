/**
 * The `crash> ` line: ink-text-input for editing, plus the REPL's keys (history, Tab, Ctrl-C/D/U,
 * PgUp/PgDn). While a command runs the input is unfocused but Ctrl-C and paging still work.
 */
import { Box, Text, useInput, type Key } from 'ink';
import TextInput from 'ink-text-input';
import { useCallback, useRef, type JSX, type MutableRefObject } from 'react';
import { PROMPT } from '../state/use-repl.js';

export interface PromptKeys {
  onUp(): void;
  onDown(): void;
  onTab(): void;
  onInterrupt(): void;
  onEof(): void;
  onClearLine(): void;
  onPageUp(): void;
  onPageDown(): void;
}

export interface PromptProps {
  value: string;
  onChange(value: string): void;
  onSubmit(value: string): void;
  /** True when the prompt takes typing (idle); false while a command runs. */
  focus: boolean;
  /** Bumped when the value was replaced from outside: remounting puts the cursor at the end. */
  epoch: number;
  keys: PromptKeys;
}

interface Latest { keys: PromptKeys; focus: boolean }

/**
 * The REPL's key handler. Its callback never changes, so Ink keeps it registered once, ahead of
 * the text input (whose handler is re-registered on every render): it sees each key first and can
 * hold back the letter ink-text-input would insert for a Ctrl-<letter> key.
 */
function KeyHandler({ latest, block }: { latest: MutableRefObject<Latest>; block: MutableRefObject<boolean> }): null {
  const handler = useCallback((input: string, key: Key) => {
    const { keys, focus } = latest.current;
    if (key.ctrl && input === 'c') return keys.onInterrupt();
    if (key.pageUp) return keys.onPageUp();
    if (key.pageDown) return keys.onPageDown();
    if (key.ctrl && /^[a-z]$/.test(input)) {
      block.current = true;
      queueMicrotask(() => {
        block.current = false;
      });
      if (input === 'd') keys.onEof();
      else if (input === 'u' && focus) keys.onClearLine();
      return;
    }
    if (!focus) return;
    if (key.upArrow) keys.onUp();
    else if (key.downArrow) keys.onDown();
    else if (key.tab && !key.shift) keys.onTab();
  }, [latest, block]);
  useInput(handler);
  return null;
}

export function Prompt({ value, onChange, onSubmit, focus, epoch, keys }: PromptProps): JSX.Element {
  const latest = useRef<Latest>({ keys, focus });
  latest.current = { keys, focus };
  const block = useRef(false);
  const handleChange = (next: string): void => {
    if (!block.current) onChange(next);
  };
  return (
    <Box>
      <KeyHandler latest={latest} block={block} />
      <Text>{PROMPT}</Text>
      <TextInput key={epoch} value={value} onChange={handleChange} onSubmit={onSubmit} focus={focus} />
    </Box>
  );
}
