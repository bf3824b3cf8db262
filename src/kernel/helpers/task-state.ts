import type { Kernel } from '../kernel.js';

/**
 * Task state bits as crash derives them (task.c initialize_task_state): from the kernel's own
 * task_state_array[] strings ("R (running)", "S (sleeping)" ...; fs/proc/array.c), the i-th
 * string naming bit i-1 (bit value 0 for "running"). The bits after TASK_PARKED are not listed
 * there; since v4.14 (06eb61844d84 "sched/debug: Add explicit TASK_IDLE printing" and
 * 8ef9925b02c2 "sched/debug: Add explicit TASK_PARKED printing") they follow it: TASK_DEAD,
 * TASK_WAKEKILL, TASK_WAKING, TASK_NOLOAD, TASK_NEW. Older arrays end at "(dead)", after which
 * TASK_DEAD, TASK_WAKEKILL and TASK_WAKING follow.
 */
export interface TaskStateBits {
  running: bigint;
  interruptible: bigint;
  uninterruptible: bigint;
  stopped: bigint;
  traced: bigint;
  zombie: bigint;
  dead: bigint;
  parked?: bigint;
  wakekill?: bigint;
  waking?: bigint;
  noload?: bigint;
  new?: bigint;
}

/** Bit values from before task_state_array (include/linux/sched.h of 2.6). */
const OLD_DEFAULTS: TaskStateBits = { running: 0n, interruptible: 1n, uninterruptible: 2n, zombie: 4n, stopped: 8n, traced: 0n, dead: 0n };

export function taskStateBits(k: Kernel): TaskStateBits {
  return k.memo('task-state-bits', () => {
    const names = taskStateArray(k);
    if (!names.length) return OLD_DEFAULTS;
    const b: Partial<TaskStateBits> & { dead: bigint; traced: bigint } = { dead: 0n, traced: 0n };
    let bit = 0n;
    for (const s of names) {
      if (s.includes('(running)')) b.running = bit;
      else if (s.includes('(sleeping)')) b.interruptible = bit;
      else if (s.includes('(disk sleep)')) b.uninterruptible = bit;
      else if (s.includes('(stopped)')) b.stopped = bit;
      else if (s.includes('(zombie)')) b.zombie = bit;
      else if (s.includes('(dead)')) b.dead |= bit;
      else if (s.includes('(tracing stop)')) b.traced |= bit;
      else if (s.includes('(parked)')) b.parked = bit;
      bit = bit ? bit << 1n : 1n;
    }
    if (b.parked !== undefined) {
      b.dead |= b.parked << 1n;
      b.wakekill = b.parked << 2n;
      b.waking = b.parked << 3n;
      b.noload = b.parked << 4n;
      b.new = b.parked << 5n;
    } else if (b.dead && (b.dead & (b.dead - 1n)) === 0n) {
      b.dead |= b.dead << 1n;
      b.wakekill = b.dead << 1n;
      b.waking = b.dead << 2n;
    }
    if (b.running === undefined || b.interruptible === undefined || b.uninterruptible === undefined || b.zombie === undefined || b.stopped === undefined) return OLD_DEFAULTS;
    return b as TaskStateBits;
  });
}

/** The strings of task_state_array[], read from the dump (stops at the first non-state entry). */
export function taskStateArray(k: Kernel): string[] {
  return k.memo('task-state-array', () => {
    const sym = k.symbol('task_state_array');
    if (!sym) return [];
    const out: string[] = [];
    for (let i = 0; i < 32; i++) {
      try {
        const p = k.readPtr(sym.address + BigInt(i * 8), 'task_state_array');
        if (!k.arch.isKernelAddr(p)) break;
        const s = k.readCString(p, 32, 'task_state_array string');
        if (!/^[A-Za-z] \(.*\)$/.test(s)) break;
        out.push(s);
      } catch {
        break;
      }
    }
    return out;
  });
}

/** task_struct.__state (v5.14 2f064a59a11f) or .state, OR'ed with exit_state. */
export function taskStateValue(k: Kernel, task: bigint): bigint {
  const T = 'struct task_struct';
  const m = k.hasMember(T, '__state') ? '__state' : 'state';
  const info = k.types.memberOf(T, m);
  const size = info ? k.types.sizeof(info.type) : 8;
  const at = task + BigInt(k.offsetOf(T, m));
  let state = size === 8 ? k.readU64(at, 'task_struct state') : BigInt(k.readU32(at, 'task_struct state'));
  const ex = k.memberByteOffset(T, 'exit_state');
  if (ex !== undefined) state |= BigInt(k.readU32(task + BigInt(ex), 'task_struct exit_state'));
  return state;
}

/** crash's task_state_string(): RU IN UN ID ZO ST TR DE PA WA NE, or "??". */
export function taskStateShort(k: Kernel, task: bigint): string {
  const b = taskStateBits(k);
  const state = taskStateValue(k, task);
  let s = '??';
  let set = false;
  if (state === b.running) s = 'RU';
  if (state & b.interruptible) (s = 'IN'), (set = true);
  if (state & b.uninterruptible) (s = b.noload !== undefined && state & b.noload ? 'ID' : 'UN'), (set = true);
  if (state & b.zombie) (s = 'ZO'), (set = true);
  if (state & b.stopped) (s = 'ST'), (set = true);
  if (b.traced && state & b.traced) (s = 'TR'), (set = true);
  if (state & b.dead && !set) s = 'DE';
  if (b.parked !== undefined && state === b.parked) s = 'PA';
  if (b.waking !== undefined && state === b.waking) s = 'WA';
  if (b.new !== undefined && state === b.new) s = 'NE';
  return s;
}

/** crash's task_state_string_verbose(): TASK_RUNNING, TASK_INTERRUPTIBLE|TASK_WAKEKILL ... */
export function taskStateVerbose(k: Kernel, task: bigint): string {
  const b = taskStateBits(k);
  const state = taskStateValue(k, task);
  if (state === b.running) return 'TASK_RUNNING';
  if (b.parked !== undefined && state === b.parked) return 'TASK_PARKED';
  const out: string[] = [];
  if (state & b.interruptible) out.push('TASK_INTERRUPTIBLE');
  if (state & b.uninterruptible) out.push('TASK_UNINTERRUPTIBLE');
  if (state & b.stopped) out.push('TASK_STOPPED');
  if (b.traced && state & b.traced) out.push('TASK_TRACED');
  const dead = state & b.dead;
  if (dead) out.push(dead & (dead - 1n) ? 'EXIT_DEAD|TASK_DEAD' : 'EXIT_DEAD');
  if (state & b.zombie) out.push('EXIT_ZOMBIE');
  if (b.waking && state & b.waking) out.push('TASK_WAKING');
  if (b.wakekill && state & b.wakekill) out.push('TASK_WAKEKILL');
  if (b.noload && state & b.noload) out.push('TASK_NOLOAD');
  if (b.new && state & b.new) out.push('TASK_NEW');
  return out.join('|');
}
