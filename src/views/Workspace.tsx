/**
 * The screen above the status bar: the scrollback and the panes, placed by the layout decision
 * (state/panes.ts computeLayout): log alone, one pane under the log, or a column of panes to the
 * right of it. Also the pane keys that work whatever has focus (Tab, Shift-Tab, Esc, Ctrl-T, x).
 */
import { Box, useInput, type Key } from 'ink';
import { useCallback, useRef, type JSX, type ReactNode } from 'react';
import type { PaneSource } from '../state/pane-data.js';
import type { DisplayStyle, Focus, Layout, PaneBox, PanesAction } from '../state/panes.js';
import type { PanesController } from '../state/use-panes.js';
import { MemoryPane } from './panes/MemoryPane.js';
import { PageFlagsPane } from './panes/PageFlagsPane.js';
import { StackPane } from './panes/StackPane.js';

export interface WorkspaceProps {
  layout: Layout;
  log: ReactNode;
  renderPane(box: PaneBox): ReactNode;
}

export function Workspace({ layout, log, renderPane }: WorkspaceProps): JSX.Element {
  if (layout.mode === 'wide') {
    return (
      <Box flexDirection="row" height={layout.logHeight}>
        {log}
        <Box flexDirection="column">{layout.panes.map((b) => <Box key={b.id}>{renderPane(b)}</Box>)}</Box>
      </Box>
    );
  }
  return (
    <>
      {log}
      {layout.panes.map((b) => (
        <Box key={b.id}>{renderPane(b)}</Box>
      ))}
    </>
  );
}

export interface PaneViewProps {
  box: PaneBox;
  source: PaneSource;
  panes: PanesController;
  focus: Focus;
  style: DisplayStyle;
  /** One pane at a time (a small terminal): showing a frame in Memory moves the keyboard there too. */
  stacked?: boolean;
}

/** The pane a box holds, wired to the shared pane state. */
export function PaneView({ box, source, panes, focus, style, stacked }: PaneViewProps): JSX.Element {
  const common = { source, width: box.width, height: box.height, style, generation: panes.generation, focused: focus === box.id };
  const { current, back, serial } = panes.address;
  switch (box.id) {
    case 'stack':
      return (
        <StackPane
          {...common}
          onSelect={(to) => {
            panes.selectAddress(to, 'memory');
            if (stacked) panes.dispatch({ type: 'focus', pane: 'memory' });
          }}
        />
      );
    case 'memory':
      return <MemoryPane {...common} address={current} serial={serial} backDepth={back.length} onFollow={panes.follow} onBack={panes.back} />;
    case 'pageflags':
      return <PageFlagsPane {...common} address={current} />;
  }
}

interface KeysState { focus: Focus; hasPanes: boolean; dispatch(a: PanesAction): void }

/**
 * Keys that move between the prompt and the panes. The handler never changes (it reads the latest
 * state from a ref), so Ink keeps it registered once. Plain Tab at the prompt belongs to the
 * prompt (completion; on an empty line it comes here through the prompt's onTab).
 */
export function PaneKeys(props: KeysState): null {
  const latest = useRef(props);
  latest.current = props;
  const handler = useCallback((input: string, key: Key) => {
    const { focus, hasPanes, dispatch } = latest.current;
    if (key.ctrl && input === 't') return dispatch({ type: 'toggle' });
    if (!hasPanes) return;
    if (key.tab && key.shift) return dispatch({ type: 'prev' });
    if (focus === 'prompt') return;
    if (key.tab) dispatch({ type: 'next' });
    else if (key.escape) dispatch({ type: 'prompt' });
    else if (input === 'x' && !key.ctrl && !key.meta) dispatch({ type: 'close', pane: focus });
  }, []);
  useInput(handler);
  return null;
}
