/** The ps views made of task headers (task.c parent_list, child_list, show_tgid_list, show_task_times ...). */
import type { Kernel } from '../kernel/kernel.js';
import type { CommandResult } from './result.js';
import type { PsTreeResult } from './task-results.js';
import { headerOf } from './task-context.js';
import { taskByAddress, type TaskContext } from '../kernel/helpers/task.js';
import { taskPgdPhys } from '../kernel/helpers/context.js';
import { formatUptime, jiffies64, kernelHz, sinceBoot } from '../kernel/helpers/time.js';

type Block = PsTreeResult['blocks'][number];
const tree = (blocks: Block[]): PsTreeResult => ({ kind: 'pstree', blocks });

/** task_struct.parent: the ptrace-aware parent crash's -p/-c follow (add_context's ptask). */
function parentOf(k: Kernel, task: bigint): bigint {
  const off = k.memberByteOffset('struct task_struct', 'parent') ?? k.offsetOf('struct task_struct', 'real_parent');
  return k.readPtr(task + BigInt(off), 'task parent');
}

/** ps -p: each task's ancestry from the root down, one more space of indent per generation. */
export function parentList(k: Kernel, tasks: TaskContext[]): PsTreeResult {
  return tree(
    tasks.map((tc) => {
      const chain = [tc.task];
      for (let child = tc.task, parent = parentOf(k, child); child !== parent && chain.length < 1000; child = parent, parent = parentOf(k, child)) chain.push(parent);
      const lines = chain.reverse().flatMap((t, j) => {
        const c = taskByAddress(k, t);
        return c ? [{ indent: j, header: headerOf(c) }] : [];
      });
      return { lines, blankAfter: true };
    }),
  );
}

/** ps -c: the task, then its children indented by two, or `(no children)`. */
export function childList(k: Kernel, tasks: TaskContext[], all: TaskContext[]): PsTreeResult {
  return tree(
    tasks.map((tc) => {
      const kids = all.filter((c) => parentOf(k, c.task) === tc.task);
      const lines: Block['lines'] = [{ indent: 0, header: headerOf(tc) }, ...kids.map((c) => ({ indent: 2, header: headerOf(c) }))];
      if (!kids.length) lines.push({ text: '  (no children)' });
      return { lines, blankAfter: true };
    }),
  );
}

/** ps -g: each thread group leader, then its other threads indented by two, or `(no threads)`. */
export function tgidList(k: Kernel, leaders: TaskContext[], all: TaskContext[]): PsTreeResult {
  let idleShown = false;
  const blocks: Block[] = [];
  for (const tc of leaders) {
    if (tc.pid === 0 && idleShown) continue;
    const threads = all.filter((c) => c.task !== tc.task && c.tgid === tc.tgid);
    if (threads.some((c) => c.pid === 0) || tc.pid === 0) idleShown = true;
    const lines: Block['lines'] = [{ indent: 0, header: headerOf(tc) }, ...threads.map((c) => ({ indent: 2, header: headerOf(c) }))];
    if (!threads.length) lines.push({ text: '  (no threads)' });
    blocks.push({ lines, blankAfter: true });
  }
  return tree(blocks);
}

/** ps -t: run time, start time (ns since boot), utime and stime, the whole table ordered by start time. */
export function taskTimes(k: Kernel, tasks: TaskContext[], sort = true): PsTreeResult {
  const T = 'struct task_struct';
  const u64 = (tc: TaskContext, m: string) => {
    const off = k.memberByteOffset(T, m);
    return off === undefined ? 0n : k.readU64(tc.task + BigInt(off), `task_struct ${m}`);
  };
  const hz = kernelHz(k);
  const j = jiffies64(k);
  const now = hz && j !== undefined ? sinceBoot(j, hz) : undefined;
  const rows = tasks.map((tc) => ({ tc, start: u64(tc, 'start_time') }));
  // the whole table is sorted by start time; selected tasks come one by one (show_task_times(tc))
  if (sort) rows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return tree(
    rows.map(({ tc, start }) => {
      // v3.17+ start_time is u64 nanoseconds (crash's START_TIME_NSECS)
      let run = '(cannot calculate: unknown HZ value)';
      if (hz && now !== undefined) {
        const ticks = (start / 1_000_000_000n) * BigInt(hz);
        run = formatUptime(ticks > now ? 0n : now - ticks, hz);
      }
      return {
        lines: [
          { indent: 0, header: headerOf(tc) },
          { text: `    RUN TIME: ${run}` },
          { text: `  START TIME: ${start}` },
          { text: `       UTIME: ${BigInt.asIntN(64, u64(tc, 'utime'))}` },
          { text: `       STIME: ${BigInt.asIntN(64, u64(tc, 'stime'))}` },
        ],
        blankAfter: true,
      };
    }),
  );
}

/** ps -a: ARG and ENV strings from the task's own memory (mm->arg_start.., env_start..). */
export function taskArgs(k: Kernel, tasks: TaskContext[]): CommandResult[] {
  const M = 'struct mm_struct';
  return tasks.map((tc): PsTreeResult => {
    const head = { indent: 0, header: headerOf(tc) };
    if (!tc.mm) return tree([{ lines: [head, { text: 'ps: no user stack' }], blankAfter: true }]);
    const rd = (m: string) => k.readU64(tc.mm + BigInt(k.offsetOf(M, m)), `mm_struct ${m}`);
    const root = taskPgdPhys(k, tc.task);
    const user = (start: bigint, end: bigint): number[] | undefined => {
      if (root === undefined || end <= start || end - start > 1n << 20n) return undefined;
      const out: number[] = [];
      for (let a = start; a < end; ) {
        const n = Math.min(Number(end - a), 4096 - Number(a % 4096n));
        try {
          out.push(...k.mem.read('uvaddr', a, n, 'user stack', root));
        } catch {
          return out.length ? out : undefined;
        }
        a += BigInt(n);
      }
      return out;
    };
    const arg = user(rd('arg_start'), rd('arg_end'));
    if (!arg) return tree([{ lines: [head], blankAfter: false }]);
    let text = 'ARG: ';
    for (let i = 0, c = 0; i < arg.length; i++) {
      if (arg[i] === 0) (text += c ? ' ' : ''), (c = 0);
      else (text += String.fromCharCode(arg[i])), c++;
    }
    const env = user(rd('env_start'), rd('env_end'));
    if (!env) return tree([{ lines: [head, { text }], blankAfter: false }]);
    text += '\nENV: ';
    let d = 0;
    for (let i = 0, c = 0; i < env.length; i++) {
      if (env[i] === 0) (text += c ? '\n' : ''), (c = 0);
      else (text += (!c && i ? '     ' : '') + String.fromCharCode(env[i])), c++, d++;
    }
    text += '\n' + (d ? '' : '\n');
    return tree([{ lines: [head, { text: text.replace(/\n$/, '') }], blankAfter: false }]);
  });
}
