import { describe, expect, it } from 'vitest';
import { computeLayout, displayStyle, initialPanes, paneHint, panesReducer, visiblePanes, type PanesAction, type PanesState } from '../../src/state/panes.js';

const run = (...actions: PanesAction[]): PanesState => actions.reduce(panesReducer, initialPanes);

describe('panes reducer', () => {
  it('starts at the prompt with every pane shown', () => {
    expect(initialPanes.focus).toBe('prompt');
    expect(visiblePanes(initialPanes)).toEqual(['stack', 'memory', 'pageflags']);
  });

  it('cycles prompt → stack → memory → page flags → prompt with Tab, backwards with Shift-Tab', () => {
    const foci = [1, 2, 3, 4].map((n) => run(...Array<PanesAction>(n).fill({ type: 'next' })).focus);
    expect(foci).toEqual(['stack', 'memory', 'pageflags', 'prompt']);
    expect(run({ type: 'prev' }).focus).toBe('pageflags');
    expect(run({ type: 'prev' }, { type: 'prev' }).focus).toBe('memory');
    expect(run({ type: 'next' }, { type: 'prev' }).focus).toBe('prompt');
  });

  it('Esc returns to the prompt and remembers the last pane used', () => {
    const s = run({ type: 'next' }, { type: 'next' }, { type: 'prompt' });
    expect(s.focus).toBe('prompt');
    expect(s.lastUsed).toBe('memory');
  });

  it('a command about a pane makes it the last used one, unless a pane has focus', () => {
    expect(run({ type: 'look', pane: 'stack' }).lastUsed).toBe('stack');
    const focused = run({ type: 'next' }, { type: 'next' }, { type: 'look', pane: 'pageflags' });
    expect(focused.lastUsed).toBe('memory');
  });

  it('closes a pane (focus goes back to the prompt, Tab skips it) and Ctrl-T toggles the area', () => {
    const s = run({ type: 'next' }, { type: 'close', pane: 'stack' });
    expect(s.focus).toBe('prompt');
    expect(visiblePanes(s)).toEqual(['memory', 'pageflags']);
    expect(panesReducer(s, { type: 'next' }).focus).toBe('memory');
    expect(panesReducer(s, { type: 'focus', pane: 'stack' }).focus).toBe('prompt');
    const hidden = panesReducer(s, { type: 'toggle' });
    expect(visiblePanes(hidden)).toEqual([]);
    expect(panesReducer(hidden, { type: 'next' }).focus).toBe('prompt');
    expect(visiblePanes(panesReducer(hidden, { type: 'toggle' }))).toEqual(['stack', 'memory', 'pageflags']);
  });
});

describe('layout decision', () => {
  const at = (columns: number, rows: number, panes: PanesState = initialPanes, enabled = true) =>
    computeLayout({ columns, rows, bottomRows: 2, panes, enabled });

  it('80x24: the log, then one pane (the last used) under it, full width; the frame fits in 23 rows', () => {
    const l = at(80, 24);
    expect(l.mode).toBe('stacked');
    expect(l.panes).toEqual([{ id: 'memory', width: 80, height: expect.any(Number) }]);
    expect(l.logWidth).toBe(80);
    expect(l.logHeight + l.panes[0]!.height + 2).toBe(23);
    expect(l.logHeight).toBeGreaterThanOrEqual(10);
  });

  it('a small terminal shows the focused pane', () => {
    expect(at(80, 24, run({ type: 'next' })).panes.map((p) => p.id)).toEqual(['stack']);
    expect(at(120, 40, run({ type: 'prev' })).panes.map((p) => p.id)).toEqual(['pageflags']);
  });

  it('200x60: the panes side by side to the right of the log, filling its height', () => {
    const l = at(200, 60);
    expect(l.mode).toBe('wide');
    expect(l.logWidth + l.panes[0]!.width).toBe(200);
    expect(l.logWidth).toBeGreaterThanOrEqual(80);
    expect(l.panes.map((p) => p.id)).toEqual(['stack', 'memory', 'pageflags']);
    expect(l.panes.reduce((n, p) => n + p.height, 0)).toBe(l.logHeight);
    expect(l.logHeight).toBe(57);
    const [stack, memory, flags] = l.panes;
    expect(memory!.height).toBeGreaterThan(stack!.height);
    expect(flags!.height).toBeGreaterThanOrEqual(9);
  });

  it('160 columns is wide; 159 is not', () => {
    expect(at(160, 50).mode).toBe('wide');
    expect(at(160, 50).logWidth).toBe(80);
    expect(at(159, 50).mode).toBe('stacked');
  });

  it('no panes: without a source, when hidden, or when the terminal is too short', () => {
    expect(at(200, 60, initialPanes, false)).toEqual({ mode: 'log', logWidth: 200, logHeight: 57, panes: [] });
    expect(at(80, 24, run({ type: 'toggle' })).mode).toBe('log');
    expect(at(80, 12).mode).toBe('log');
  });

  it('the status hint names the focused pane and the keys', () => {
    expect(paneHint(initialPanes, at(80, 24))).toBe('Tab: panes');
    expect(paneHint(run({ type: 'next' }, { type: 'next' }), at(80, 24))).toBe('[Memory] Tab: next  Esc: prompt');
    expect(paneHint(initialPanes, at(80, 24, initialPanes, false))).toBeUndefined();
  });
});

describe('display style', () => {
  it('colour with round borders by default; monochrome with ASCII borders for NO_COLOR, TERM=dumb or vt100', () => {
    expect(displayStyle({ TERM: 'xterm-256color' })).toEqual({ mono: false, borderStyle: 'round' });
    expect(displayStyle({ TERM: 'xterm', NO_COLOR: '1' })).toEqual({ mono: true, borderStyle: 'classic' });
    expect(displayStyle({ TERM: 'xterm', NO_COLOR: '' }).mono).toBe(false); // no-color.org: present and not empty
    expect(displayStyle({ TERM: 'dumb' }).borderStyle).toBe('classic');
    expect(displayStyle({ TERM: 'vt100' }).mono).toBe(true);
  });
});
