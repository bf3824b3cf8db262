import type { TaskHeaderInfo, TaskHeaderResult } from '../commands/task-results.js';

/**
 * The standard task header (task.c print_task_header; widths of crash 8.0.2, d8869b0):
 * `PID: %-7ld  TASK: %-16lx  CPU: %-3s  COMMAND: "%s"`.
 */
export function taskHeaderLine(h: TaskHeaderInfo): string {
  const cpu = h.cpu === undefined ? '?' : String(h.cpu);
  return `PID: ${String(h.pid).padEnd(7)}  TASK: ${h.task.toString(16).padEnd(16)}  CPU: ${cpu.padEnd(3)}  COMMAND: "${h.comm}"`;
}

export function formatTaskHeader(r: TaskHeaderResult): string {
  return `${r.newline ? '\n' : ''}${taskHeaderLine(r.header)}\n`;
}
