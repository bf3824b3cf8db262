/**
 * The `crash> ` line: LineInput for editing, plus the REPL's keys (history, Tab, Ctrl-C/D/U,
 * PgUp/PgDn). While a command runs the input is unfocused but Ctrl-C and paging still work.
 */
import { Box, Text, useInput, type Key } from 'ink';
import { LineInput } from './LineInput.js';
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
  /** Ctrl-R reverse history search (see state/history-search.ts). */
  search?: {
    start(): void;
    input(text: string): void;
    backspace(): void;
    accept(): void;
    cancel(): void;
    edit(): void;
  };
}

export interface PromptProps {
  value: string;
  onChange(value: string): void;
  onSubmit(value: string): void;
  /** True when the prompt takes typing (idle); false while a command runs. */
  focus: boolean;
  /** Bumped when the value was replaced from outside: the input puts the cursor at the end. */
  epoch: number;
  keys: PromptKeys;
  /** While Ctrl-R searches: the line to show instead of the prompt and input. */
  search?: string;
}

interface Latest { keys: PromptKeys; focus: boolean; searching: boolean }

/** A key while Ctrl-R searches; true when it was used. */
function searchKey(keys: PromptKeys, input: string, key: Key): boolean {
  const s = keys.search;
  if (!s) return false;
  if (key.ctrl && input === 'r') s.start();
  else if ((key.ctrl && input === 'g') || key.escape) s.cancel();
  else if (key.ctrl && input === 'c') {
    s.cancel();
    keys.onClearLine();
  } else if (key.return) s.accept();
  else if (key.backspace || key.delete) s.backspace();
  else if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) s.edit();
  else if (input) s.input(input);
  return true;
}

/**
 * The REPL's key handler. Its callback never changes, so Ink keeps it registered once, ahead of
 * the line input: it sees each key first and holds back any change the input would make for a
 * Ctrl-<letter> key (LineInput inserts none; the guard keeps that true whatever edits it gains).
 */
function KeyHandler({ latest, block }: { latest: MutableRefObject<Latest>; block: MutableRefObject<boolean> }): null {
  const handler = useCallback((input: string, key: Key) => {
    const { keys, focus, searching } = latest.current;
    if (searching && focus) {
      if (key.ctrl && /^[a-z]$/.test(input)) {
        block.current = true;
        queueMicrotask(() => {
          block.current = false;
        });
      }
      searchKey(keys, input, key);
      return;
    }
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
      else if (input === 'r' && focus) keys.search?.start();
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

export function Prompt({ value, onChange, onSubmit, focus, epoch, keys, search }: PromptProps): JSX.Element {
  const latest = useRef<Latest>({ keys, focus, searching: search !== undefined });
  latest.current = { keys, focus, searching: search !== undefined };
  const block = useRef(false);
  const handleChange = (next: string): void => {
    if (!block.current) onChange(next);
  };
  return (
    <Box>
      <KeyHandler latest={latest} block={block} />
      {search !== undefined ? (
        <Text wrap="truncate-end">{search}</Text>
      ) : (
        <>
          <Text>{PROMPT}</Text>
          <LineInput epoch={epoch} value={value} onChange={handleChange} onSubmit={onSubmit} focus={focus} />
        </>
      )}
    </Box>
  );
}
