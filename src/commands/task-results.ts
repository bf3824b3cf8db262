/** Results of the task commands (ps, bt, set, task); rendered by format/ps.ts, bt.ts, context.ts, task.ts. */
import type { Backtrace, TextScan } from '../kernel/helpers/backtrace.js';

/** What the standard task header shows (task.c print_task_header). */
export interface TaskHeaderInfo {
  pid: number;
  task: bigint;
  /** undefined: crash's `?` */
  cpu?: number;
  comm: string;
}

export interface TaskHeaderResult {
  kind: 'taskheader';
  header: TaskHeaderInfo;
  /** a blank line before it (not the first header of the command) */
  newline?: boolean;
}

export interface PsRow {
  active: boolean;
  pid: number;
  ppid: number;
  cpu?: number;
  /** task address, or the kernel stack pointer with -s */
  task: bigint;
  state: string;
  pctMem: number;
  /** KiB */
  vsz: bigint;
  rss: bigint;
  comm: string;
  kernelThread: boolean;
}

export interface PsResult {
  kind: 'ps';
  rows: PsRow[];
  header: boolean;
  /** -s: the TASK column is KSTACKP */
  kstackp: boolean;
}

/** ps -p / -c / -g / -t / -l and friends: blocks of (indented) task headers and detail lines. */
export interface PsTreeResult {
  kind: 'pstree';
  blocks: { lines: ({ indent: number; header: TaskHeaderInfo; prefix?: string } | { text: string })[]; blankAfter: boolean }[];
}

export interface BtResult {
  kind: 'bt';
  traces: (Backtrace | (TextScan & { text: true }))[];
  radix: 10 | 16;
  /** -s: name+offset in frame lines */
  symbolOffsets: boolean;
}

/** show_context(): the current context block of `set`. */
export interface ContextResult {
  kind: 'context';
  header: TaskHeaderInfo;
  threadInfo?: bigint;
  /** tasks sharing the pid: `(1 of N)` */
  ofPid: number;
  state: string;
  /** (PANIC), (ACTIVE), (SYSRQ) ... */
  tag?: string;
  /** 5 at startup, 0 at runtime */
  indent: number;
}

export type TaskCommandResult = TaskHeaderResult | PsResult | PsTreeResult | BtResult | ContextResult;
