/** Results of the task commands (ps, bt, set, task); rendered by format/ps.ts, bt.ts, context.ts, task.ts. */
import type { Backtrace, BtEntry, TextScan } from '../kernel/helpers/backtrace.js';
import type { FoundEframe, OverflowFinding, StackSearch } from '../kernel/helpers/backtrace-search.js';

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

/** bt -e: the exception frames found on one task's stack. */
export interface EframeSearchTrace {
  task: TaskHeaderInfo;
  eframes: FoundEframe[];
}

export interface BtResult {
  kind: 'bt';
  traces: (Backtrace | (TextScan & { text: true }) | EframeSearchTrace)[];
  radix: 10 | 16;
  /** -s: name+offset in frame lines */
  symbolOffsets: boolean;
  /** -U (beyond crash): say after each frame how the unwinder reached it */
  unwindSources?: boolean;
  /** -X (beyond crash): lines after each trace explaining the oops header and preempt_count */
  explain?: Map<bigint, string[]>;
  /** -E: the IRQ and exception stacks searched (no task traces) */
  stackSearches?: StackSearch[];
  /** -E on arm64: each cpu's IRQ stack, its label line and what follows it */
  arm64Searches?: { label: string; entries: BtEntry[] }[];
  /** -v: the stack-overflow findings (none: `No stack overflows detected`) */
  overflows?: OverflowFinding[];
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
