import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addEntry, createHistory, historyDown, historyPath, historyUp, loadHistory, saveHistory, HISTORY_LIMIT,
} from '../../src/state/history.js';

describe('history model', () => {
  it('adds entries, skipping blanks and consecutive duplicates', () => {
    let h = createHistory();
    for (const l of ['bt', 'bt', '', '   ', 'ps', 'bt']) h = addEntry(h, l);
    expect(h.entries).toEqual(['bt', 'ps', 'bt']);
    expect(h.index).toBe(3);
  });

  it('is bounded, dropping the oldest', () => {
    let h = createHistory([], 3);
    for (const l of ['a', 'b', 'c', 'd', 'e']) h = addEntry(h, l);
    expect(h.entries).toEqual(['c', 'd', 'e']);
    expect(createHistory(Array.from({ length: 1500 }, (_, i) => `c${i}`)).entries).toHaveLength(HISTORY_LIMIT);
    expect(createHistory(['x', 'x', '', 'y']).entries).toEqual(['x', 'y']);
  });

  it('navigates up and down and gives back the line being edited', () => {
    const h0 = createHistory(['sym jiffies', 'bt -a', 'ps']);
    let m = historyUp(h0, 'kmem -');
    expect(m.value).toBe('ps');
    m = historyUp(m.history, m.value);
    expect(m.value).toBe('bt -a');
    m = historyUp(m.history, m.value);
    expect(m.value).toBe('sym jiffies');
    m = historyUp(m.history, m.value); // at the oldest: stays
    expect(m.value).toBe('sym jiffies');
    m = historyDown(m.history, m.value);
    expect(m.value).toBe('bt -a');
    m = historyDown(m.history, m.value);
    expect(m.value).toBe('ps');
    m = historyDown(m.history, m.value);
    expect(m.value).toBe('kmem -'); // the draft
    m = historyDown(m.history, 'kmem -'); // already at the draft: no change
    expect(m.value).toBe('kmem -');
  });

  it('does nothing with no entries and resets navigation on add', () => {
    const empty = createHistory();
    expect(historyUp(empty, 'x')).toEqual({ history: empty, value: 'x' });
    expect(historyDown(empty, 'x').value).toBe('x');
    let m = historyUp(createHistory(['a', 'b']), '');
    m = historyUp(m.history, m.value);
    const h = addEntry(m.history, 'c');
    expect(h.index).toBe(3);
    expect(historyUp(h, '').value).toBe('c');
  });
});

describe('history file', () => {
  let dir: string;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('uses XDG_DATA_HOME, else ~/.local/share', () => {
    expect(historyPath({ XDG_DATA_HOME: '/x/data' }, '/home/u')).toBe('/x/data/crash-tui/history');
    expect(historyPath({}, '/home/u')).toBe('/home/u/.local/share/crash-tui/history');
    expect(historyPath({ XDG_DATA_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/share/crash-tui/history');
  });

  it('saves (creating the directory) and loads', () => {
    dir = mkdtempSync(join(tmpdir(), 'crash-tui-hist-'));
    const file = historyPath({ XDG_DATA_HOME: dir });
    saveHistory(['bt', 'ps -k', 'multi\nline'], file);
    expect(readFileSync(file, 'utf8')).toBe('bt\nps -k\n');
    expect(loadHistory(file)).toEqual(['bt', 'ps -k']);
  });

  it('ignores failures', () => {
    dir = mkdtempSync(join(tmpdir(), 'crash-tui-hist-'));
    expect(loadHistory(join(dir, 'missing', 'history'))).toEqual([]);
    const blocker = join(dir, 'file');
    writeFileSync(blocker, '');
    expect(() => saveHistory(['bt'], join(blocker, 'sub', 'history'))).not.toThrow();
    mkdirSync(join(dir, 'adir'));
    expect(loadHistory(join(dir, 'adir'))).toEqual([]);
  });
});
