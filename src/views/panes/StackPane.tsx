/**
 * The current context's backtrace, one `bt` line each, as the PaneSource gives it. Keys when
 * focused: Up/Down pick a frame, Enter makes its stack slot the current address (the Memory pane
 * shows the stack there). Without an unwinder it says so in one line.
 */
import { useInput } from 'ink';
import { useMemo, useRef, useState, type JSX } from 'react';
import type { CurrentAddress } from '../../state/current-address.js';
import type { Frame, PaneSource } from '../../state/pane-data.js';
import type { DisplayStyle } from '../../state/panes.js';
import { PaneFrame, PaneLine } from './PaneFrame.js';

export interface StackPaneProps {
  source: PaneSource;
  generation: number;
  focused: boolean;
  width: number;
  height: number;
  style: DisplayStyle;
  onSelect(to: CurrentAddress): void;
}

export const NO_UNWINDER = '(bt comes with the stack unwinder)';

export function StackPane(p: StackPaneProps): JSX.Element {
  const rows = Math.max(1, p.height - 3);
  const frames = useMemo((): Frame[] | string => {
    if (!p.source.backtrace) return NO_UNWINDER;
    try {
      return p.source.backtrace() ?? '(no current context)';
    } catch (e) {
      return `bt: ${(e as Error).message}`;
    }
    // generation: the context may have changed with the last command
  }, [p.source, p.generation]);
  const list = typeof frames === 'string' ? [] : frames;
  const selectable = list.flatMap((f, i) => (f.sp !== undefined ? [i] : []));
  const [pick, setPick] = useState(0);
  const at = Math.min(pick, Math.max(0, selectable.length - 1));
  const line = selectable[at];
  // Keys act on the latest pick, even when several arrive before the next render.
  const latest = useRef({ at, list, selectable });
  latest.current = { at, list, selectable };
  useInput(
    (_input, key) => {
      const l = latest.current;
      if (key.upArrow || key.downArrow) {
        const next = Math.max(0, Math.min(l.selectable.length - 1, l.at + (key.upArrow ? -1 : 1)));
        l.at = next;
        setPick(next);
      } else if (key.return) {
        const f = l.list[l.selectable[l.at] ?? -1];
        if (f?.sp !== undefined) p.onSelect({ address: f.sp, space: 'kvaddr' });
      }
    },
    { isActive: p.focused },
  );
  if (typeof frames === 'string' || !list.length) {
    return (
      <PaneFrame title="Stack" focused={p.focused} width={p.width} height={p.height} style={p.style}>
        <PaneLine text={typeof frames === 'string' ? frames : '(no frames)'} />
      </PaneFrame>
    );
  }
  // keep the picked frame in view
  const first = line === undefined ? 0 : Math.max(0, Math.min(line - Math.floor(rows / 2), list.length - rows));
  const shown = list.slice(first, first + rows);
  return (
    <PaneFrame title={p.focused ? 'Stack  Enter: show the frame in Memory' : 'Stack'} focused={p.focused} width={p.width} height={p.height} style={p.style}>
      {shown.map((f, i) => (
        <PaneLine key={first + i} text={(first + i === line && p.focused ? '> ' : '  ') + f.text} />
      ))}
    </PaneFrame>
  );
}
