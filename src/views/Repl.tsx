/**
 * The interactive session: the scrollback (and, given a PaneSource, the Stack / Memory / Page-flags
 * panes placed by the layout decision), then an optional hint line (completion candidates, "type q
 * to quit"), the status bar with the pane focus and keys, and the `crash> ` prompt.
 */
import { Box, Text } from 'ink';
import { useEffect, type JSX } from 'react';
import type { PaneSource } from '../state/pane-data.js';
import { computeLayout, displayStyle, paneHint } from '../state/panes.js';
import type { LineRunner, StatusInfo } from '../state/runner.js';
import { usePanes } from '../state/use-panes.js';
import { useRepl } from '../state/use-repl.js';
import { OutputLog } from './OutputLog.js';
import { Prompt } from './Prompt.js';
import { StatusBar } from './StatusBar.js';
import { useTerminalSize } from './use-terminal-size.js';
import { PaneKeys, PaneView, Workspace } from './Workspace.js';

export interface ReplProps {
  runner: LineRunner;
  /** The status bar's facts; a function is read again at each render (after each command). */
  status: StatusInfo | (() => StatusInfo);
  banner?: string;
  onQuit: () => void;
  /** History file; default: the user's data dir; false: keep history in memory only. */
  historyFile?: string | false;
  /** What the panes show; without it the REPL has no panes. */
  paneSource?: PaneSource;
}

export function Repl({ runner, status, banner, onQuit, historyFile, paneSource }: ReplProps): JSX.Element {
  const { columns, rows } = useTerminalSize();
  const panes = usePanes(paneSource);
  const repl = useRepl({ runner: panes.observe(runner), onQuit, banner, historyFile });
  const style = displayStyle();
  const bottomRows = 2 + (repl.hint !== undefined ? 1 : 0);
  const layout = computeLayout({ columns, rows, bottomRows, panes: panes.panes, enabled: paneSource !== undefined });
  // A pane that is not on screen cannot hold the keyboard.
  const focus = layout.panes.some((b) => b.id === panes.panes.focus) ? panes.panes.focus : 'prompt';
  useEffect(() => {
    if (focus !== panes.panes.focus) panes.dispatch({ type: 'prompt' });
  }, [focus, panes]);
  const atPrompt = focus === 'prompt';
  const win = repl.view(layout.logWidth, layout.logHeight);
  const hasPanes = layout.panes.length > 0;

  return (
    <Box flexDirection="column" width={columns}>
      <PaneKeys focus={focus} hasPanes={hasPanes} dispatch={panes.dispatch} />
      <Workspace
        layout={layout}
        log={<OutputLog rows={win.rows} height={layout.logHeight} width={layout.logWidth} />}
        renderPane={(box) => paneSource && <PaneView box={box} source={paneSource} panes={panes} focus={focus} style={style} stacked={layout.mode === 'stacked'} />}
      />
      {repl.hint !== undefined &&
        (style.mono ? <Text wrap="truncate-end">{repl.hint}</Text> : <Text dimColor wrap="truncate-end">{repl.hint}</Text>)}
      <StatusBar
        status={typeof status === 'function' ? status() : status}
        width={columns}
        running={repl.running}
        scrolled={win.offset}
        plain={style.mono}
        panes={paneHint({ ...panes.panes, focus }, layout)}
      />
      <Prompt
        value={repl.input}
        onChange={repl.setInput}
        onSubmit={repl.submitInput}
        focus={repl.running === undefined && atPrompt}
        epoch={repl.inputEpoch}
        search={repl.search}
        keys={{
          onUp: repl.historyUp,
          onDown: repl.historyDown,
          // Tab on an empty line goes to the panes; with text it completes
          onTab: () => (hasPanes && repl.input === '' ? panes.dispatch({ type: 'next' }) : repl.complete()),
          onInterrupt: repl.interrupt,
          onEof: () => atPrompt && repl.eof(),
          onClearLine: repl.clearLine,
          onPageUp: () => atPrompt && repl.pageUp(),
          onPageDown: () => atPrompt && repl.pageDown(),
          search: {
            start: repl.reverseSearch,
            input: repl.searchInput,
            backspace: repl.searchBackspace,
            accept: repl.searchAccept,
            cancel: repl.searchCancel,
            edit: repl.searchEdit,
          },
        }}
      />
    </Box>
  );
}
