/** One line under the log: the dump, the current task, CPU and radix; what is running; scroll position; pane focus. */
import { Text } from 'ink';
import type { JSX } from 'react';
import type { StatusInfo } from '../state/runner.js';

export interface StatusBarProps {
  status: StatusInfo;
  width: number;
  running?: string;
  /** How far the running line is (`kmem -p  41%`); shown instead of "running…". */
  progress?: string;
  /** Rows scrolled up from the bottom of the log. */
  scrolled?: number;
  plain?: boolean;
  /** Which pane has the keyboard and the keys to move (Tab: panes, Esc: prompt). */
  panes?: string;
}

function radixName(radix: number): string {
  return radix === 16 ? 'hex' : radix === 10 ? 'decimal' : `base ${radix}`;
}

/** The bar's text, padded or cut to exactly `width` columns. */
export function statusText({ status, width, running, progress, scrolled, panes }: StatusBarProps): string {
  const left = [status.dump];
  const task = [status.pid !== undefined ? `PID: ${status.pid}` : '', status.task !== undefined ? `TASK: ${status.task}` : '']
    .filter(Boolean)
    .join('  ');
  if (task) left.push(task);
  if (status.cpu !== undefined) left.push(`CPU: ${status.cpu}`);
  left.push(`radix: ${status.radix} (${radixName(status.radix)})`);
  const right: string[] = [];
  if (scrolled) right.push(`scrolled ${scrolled} rows (PgDn)`);
  if (progress !== undefined) right.push(`${progress}  Ctrl-C cancels`);
  else if (running !== undefined) right.push('running… Ctrl-C cancels');
  if (panes) right.push(panes);
  const l = ' ' + left.join(' | ');
  const r = right.length ? right.join(' | ') + ' ' : '';
  // The right side (what is going on now) wins; the left side is cut with an ellipsis.
  const room = Math.max(0, width - r.length - 1);
  const lt = l.length <= room ? l : room > 1 ? l.slice(0, room - 1) + '…' : '';
  const line = lt + ' '.repeat(Math.max(1, width - lt.length - r.length)) + r;
  return line.slice(0, Math.max(0, width));
}

export function StatusBar(props: StatusBarProps): JSX.Element {
  const text = statusText(props);
  return props.plain ? <Text wrap="truncate-end">{text}</Text> : <Text inverse wrap="truncate-end">{text}</Text>;
}
