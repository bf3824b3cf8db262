/**
 * The panes beside the REPL (Stack, Memory, Page flags): which are shown, which has the keyboard
 * (Tab / Shift-Tab cycle prompt → panes → prompt, Esc returns to the prompt), and where they go
 * for a terminal size: a small terminal stacks one pane (the focused or last-used one) under the
 * output; a wide one (≥ 160 columns) puts them side by side to the right of the log.
 */

export type PaneId = 'stack' | 'memory' | 'pageflags';
export type Focus = 'prompt' | PaneId;

export const PANES: readonly PaneId[] = ['stack', 'memory', 'pageflags'];
export const PANE_TITLES: Record<PaneId, string> = { stack: 'Stack', memory: 'Memory', pageflags: 'Page flags' };

export interface PanesState {
  /** Ctrl-T hides or shows the whole pane area. */
  shown: boolean;
  /** Panes the user closed (x in a pane). */
  closed: readonly PaneId[];
  focus: Focus;
  /** The pane a small terminal shows when the prompt has focus. */
  lastUsed: PaneId;
}

export type PanesAction =
  | { type: 'next' }
  | { type: 'prev' }
  | { type: 'prompt' }
  | { type: 'focus'; pane: PaneId }
  | { type: 'toggle' }
  | { type: 'close'; pane: PaneId }
  /** A command was about this pane: a small terminal shows it next (focus does not move). */
  | { type: 'look'; pane: PaneId };

export const initialPanes: PanesState = { shown: true, closed: [], focus: 'prompt', lastUsed: 'memory' };

export function visiblePanes(s: PanesState): PaneId[] {
  return s.shown ? PANES.filter((p) => !s.closed.includes(p)) : [];
}

function cycle(s: PanesState, step: 1 | -1): PanesState {
  const ring: Focus[] = ['prompt', ...visiblePanes(s)];
  const at = Math.max(0, ring.indexOf(s.focus));
  const focus = ring[(at + step + ring.length) % ring.length]!;
  return withFocus(s, focus);
}

function withFocus(s: PanesState, focus: Focus): PanesState {
  return { ...s, focus, lastUsed: focus === 'prompt' ? s.lastUsed : focus };
}

export function panesReducer(s: PanesState, a: PanesAction): PanesState {
  switch (a.type) {
    case 'next':
      return cycle(s, 1);
    case 'prev':
      return cycle(s, -1);
    case 'prompt':
      return s.focus === 'prompt' ? s : { ...s, focus: 'prompt' };
    case 'focus':
      return visiblePanes(s).includes(a.pane) ? withFocus(s, a.pane) : s;
    case 'toggle': {
      if (s.shown && visiblePanes(s).length) return { ...s, shown: false, focus: 'prompt' };
      return { ...s, shown: true, closed: [] };
    }
    case 'close': {
      const closed = s.closed.includes(a.pane) ? s.closed : [...s.closed, a.pane];
      const next: PanesState = { ...s, closed };
      const left = visiblePanes(next);
      const lastUsed = left.includes(s.lastUsed) ? s.lastUsed : (left[0] ?? s.lastUsed);
      return { ...next, lastUsed, focus: s.focus === a.pane ? 'prompt' : s.focus };
    }
    case 'look':
      return s.focus === 'prompt' ? { ...s, lastUsed: a.pane } : s;
  }
}

export const WIDE_COLUMNS = 160;
/** Below this many rows for the log and panes together, a small terminal shows no pane. */
export const MIN_STACKED_ROWS = 14;

export interface PaneBox {
  id: PaneId;
  width: number;
  height: number;
}

export interface Layout {
  mode: 'log' | 'stacked' | 'wide';
  logWidth: number;
  logHeight: number;
  /** stacked: the one pane under the log (full width); wide: the column right of the log, top to bottom. */
  panes: PaneBox[];
}

export interface LayoutInput {
  columns: number;
  rows: number;
  /** Rows under the log and panes: status bar, prompt, hint line. */
  bottomRows: number;
  panes: PanesState;
  /** False when there is nothing to show in panes (no pane source). */
  enabled: boolean;
}

/** Stack, Memory, Page flags heights for a column of `height` rows (Page flags needs about 11). */
function columnHeights(ids: PaneId[], height: number): number[] {
  const want: Record<PaneId, number> = { stack: 4, memory: 5, pageflags: 3 };
  const min = 4;
  const pf = ids.includes('pageflags') && ids.length > 1 ? Math.min(12, Math.max(min, Math.floor(height / 4))) : 0;
  const rest = ids.filter((i) => i !== 'pageflags' || pf === 0);
  const room = height - pf;
  const total = rest.reduce((n, i) => n + want[i], 0);
  const out = new Map<PaneId, number>();
  let used = 0;
  rest.forEach((id, i) => {
    const h = i === rest.length - 1 ? room - used : Math.max(min, Math.floor((room * want[id]) / total));
    out.set(id, h);
    used += h;
  });
  if (pf) out.set('pageflags', pf);
  return ids.map((i) => out.get(i)!);
}

export function computeLayout({ columns, rows, bottomRows, panes, enabled }: LayoutInput): Layout {
  // One row is left free: an Ink frame as tall as the terminal is redrawn by clearing the screen.
  const main = Math.max(1, rows - 1 - bottomRows);
  const visible = enabled ? visiblePanes(panes) : [];
  const logOnly: Layout = { mode: 'log', logWidth: columns, logHeight: main, panes: [] };
  if (!visible.length) return logOnly;
  if (columns >= WIDE_COLUMNS && main >= 3 * visible.length + 6) {
    const paneWidth = Math.min(120, Math.max(80, Math.floor(columns / 2)));
    const heights = columnHeights(visible, main);
    return {
      mode: 'wide',
      logWidth: columns - paneWidth,
      logHeight: main,
      panes: visible.map((id, i) => ({ id, width: paneWidth, height: heights[i]! })),
    };
  }
  if (main < MIN_STACKED_ROWS) return logOnly;
  const focused = panes.focus !== 'prompt' && visible.includes(panes.focus) ? panes.focus : undefined;
  const id = focused ?? (visible.includes(panes.lastUsed) ? panes.lastUsed : visible[0]!);
  const height = Math.min(16, Math.max(7, Math.floor(main * 0.42)));
  return { mode: 'stacked', logWidth: columns, logHeight: main - height, panes: [{ id, width: columns, height }] };
}

export interface DisplayStyle {
  /** No colours, no inverse video: NO_COLOR, or a terminal that cannot do them. */
  mono: boolean;
  borderStyle: 'round' | 'classic';
}

/** https://no-color.org (present and not empty), or TERM=dumb / vt100: monochrome with ASCII borders. */
export function displayStyle(env: NodeJS.ProcessEnv = process.env): DisplayStyle {
  const term = env.TERM ?? '';
  const mono = Boolean(env.NO_COLOR) || term === 'dumb' || /^vt1\d\d\b/.test(term);
  return { mono, borderStyle: mono ? 'classic' : 'round' };
}

/** The status bar's note on focus and keys. */
export function paneHint(s: PanesState, layout: Layout): string | undefined {
  if (!layout.panes.length) return undefined;
  if (s.focus === 'prompt') return 'Tab: panes';
  return `[${PANE_TITLES[s.focus]}] Tab: next  Esc: prompt`;
}
