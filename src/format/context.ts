import type { ContextResult } from '../commands/task-results.js';

/**
 * The context block (task.c show_context): PID, COMMAND, TASK [THREAD_INFO], CPU, STATE with its
 * (PANIC)/(ACTIVE) tag; at startup every line is indented 5 more to line up with `sys`.
 */
export function formatContext(r: ContextResult): string {
  const pad = ' '.repeat(r.indent);
  const h = r.header;
  const task = `${h.task.toString(16)}  ${r.ofPid > 1 ? `(1 of ${r.ofPid})  ` : ''}${r.threadInfo !== undefined ? `[THREAD_INFO: ${r.threadInfo.toString(16)}]` : ''}`;
  return [
    `    PID: ${h.pid}`,
    `COMMAND: "${h.comm}"`,
    `   TASK: ${task}`,
    `    CPU: ${h.cpu === undefined ? '(unknown)' : h.cpu}`,
    `  STATE: ${r.state} ${r.tag ?? ''}`,
  ]
    .map((l) => pad + l + '\n')
    .join('');
}
