/**
 * The interactive session: the scrollback fills the screen, then an optional hint line
 * (completion candidates, "type q to quit"), the status bar, and the `crash> ` prompt.
 */
import { Box, Text } from 'ink';
import type { JSX } from 'react';
import type { LineRunner, StatusInfo } from '../state/runner.js';
import { useRepl } from '../state/use-repl.js';
import { OutputLog } from './OutputLog.js';
import { Prompt } from './Prompt.js';
import { StatusBar } from './StatusBar.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface ReplProps {
  runner: LineRunner;
  status: StatusInfo;
  banner?: string;
  onQuit: () => void;
  /** History file; default: the user's data dir; false: keep history in memory only. */
  historyFile?: string | false;
}

/** https://no-color.org: present and not empty. */
const noColor = (): boolean => Boolean(process.env.NO_COLOR);

export function Repl({ runner, status, banner, onQuit, historyFile }: ReplProps): JSX.Element {
  const { columns, rows } = useTerminalSize();
  const repl = useRepl({ runner, onQuit, banner, historyFile });
  const plain = noColor();
  // One row is left free: an Ink frame as tall as the terminal is redrawn by clearing the screen.
  const fixed = 2 + (repl.hint !== undefined ? 1 : 0);
  const logHeight = Math.max(1, rows - 1 - fixed);
  const win = repl.view(columns, logHeight);

  return (
    <Box flexDirection="column" width={columns}>
      <OutputLog rows={win.rows} height={logHeight} width={columns} />
      {repl.hint !== undefined &&
        (plain ? <Text wrap="truncate-end">{repl.hint}</Text> : <Text dimColor wrap="truncate-end">{repl.hint}</Text>)}
      <StatusBar status={status} width={columns} running={repl.running} scrolled={win.offset} plain={plain} />
      <Prompt
        value={repl.input}
        onChange={repl.setInput}
        onSubmit={repl.submitInput}
        focus={repl.running === undefined}
        epoch={repl.inputEpoch}
        keys={{
          onUp: repl.historyUp,
          onDown: repl.historyDown,
          onTab: repl.complete,
          onInterrupt: repl.interrupt,
          onEof: repl.eof,
          onClearLine: repl.clearLine,
          onPageUp: repl.pageUp,
          onPageDown: repl.pageDown,
        }}
      />
    </Box>
  );
}
