/**
 * The Memory pane's behaviour without Ink: the cursor and window (memory-view.ts), recentred
 * whenever the current address is set; the lines read for the window; Enter follows the word
 * under the cursor when it is a kernel address, Backspace goes back.
 */
import { useMemo, useRef, useState } from 'react';
import type { CurrentAddress } from './current-address.js';
import { cursorValue, initView, keepVisible, moveWords, movePage, readLines, type MemLine, type MemView } from './memory-view.js';
import type { PaneSource } from './pane-data.js';

export interface UseMemoryViewOptions {
  source: PaneSource;
  address: CurrentAddress | undefined;
  /** Changes when the current address is set (even to the same value). */
  serial: number;
  /** Lines of memory on screen. */
  rows: number;
  /** Changes after every command: memory is read again. */
  generation: number;
  canGoBack: boolean;
  onFollow(from: CurrentAddress, to: CurrentAddress): void;
  onBack(): void;
}

export interface MemoryViewController {
  view: MemView;
  lines: MemLine[];
  /** A one-line notice from the last key (not a kernel address, nothing to go back to). */
  message?: string;
  move(words: number): void;
  page(pages: number): void;
  /** Back to the current address itself. */
  home(): void;
  follow(): void;
  back(): void;
}

interface Local { serial: number; view: MemView; message?: string }

export function useMemoryView(o: UseMemoryViewOptions): MemoryViewController {
  const { source, address, serial, rows, generation } = o;
  const fresh = (): Local => ({ serial, view: initView(address?.address ?? 0n, rows) });
  const [local, setLocal] = useState<Local>(fresh);
  let cur = local;
  if (local.serial !== serial) {
    cur = fresh();
    setLocal(cur);
  }
  const view = keepVisible(cur.view, rows);
  const space = address?.space;
  const lines = useMemo(
    () => (space === undefined ? [] : readLines(source, space, view.top, rows)),
    // generation: memory is read again after each command
    [source, space, view.top, rows, generation],
  );
  // Keys act on the latest state, even when several arrive before the next render.
  const latest = useRef({ view, lines });
  latest.current = { view, lines };
  const set = (v: MemView, message?: string): void => {
    latest.current = { ...latest.current, view: v };
    setLocal({ serial, view: v, message });
  };
  const now = (): MemView => latest.current.view;

  return {
    view,
    lines,
    message: cur.message,
    move: (words) => set(moveWords(now(), words, rows)),
    page: (pages) => set(movePage(now(), pages, rows)),
    home: () => set(initView(address?.address ?? 0n, rows)),
    follow: () => {
      if (!address) return;
      const v = now();
      const cv = cursorValue(v, latest.current.lines);
      if (!cv) return set(v, 'nothing readable under the cursor');
      if (!source.isKernelAddress(cv.value)) return set(v, `${cv.value.toString(16)} is not a kernel address`);
      o.onFollow({ address: v.cursor, space: address.space }, { address: cv.value, space: 'kvaddr' });
    },
    back: () => {
      if (o.canGoBack) o.onBack();
      else set(now(), 'nothing to go back to');
    },
  };
}
