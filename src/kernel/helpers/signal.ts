import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';

/**
 * Signal state of a task (include/linux/sched/signal.h): the thread group's signal_struct and
 * sighand_struct (dispositions), the task's pending and blocked sets. _NSIG is 64 on every
 * architecture crash-tui reads, so a sigset_t is one 64-bit word.
 */

export interface SigActionInfo {
  sig: number;
  kaddr: bigint;
  handler: bigint;
  mask: bigint;
  flags: bigint;
}

export const NSIG = 64;

const off = (k: Kernel, s: string, m: string) => BigInt(k.offsetOf(s, m));

export function taskSignalStruct(k: Kernel, task: bigint): bigint {
  return k.readPtr(task + off(k, 'struct task_struct', 'signal'), 'task_struct signal');
}

export function signalNrThreads(k: Kernel, signal: bigint): number | undefined {
  const o = k.memberByteOffset('struct signal_struct', 'nr_threads');
  return o === undefined ? undefined : k.readS32(signal + BigInt(o), 'signal_struct nr_threads');
}

/** The 64 k_sigaction entries of the task's sighand_struct. */
export function sigActions(k: Kernel, task: bigint): SigActionInfo[] {
  const sighand = k.readPtr(task + off(k, 'struct task_struct', 'sighand'), 'task_struct sighand');
  const base = sighand + off(k, 'struct sighand_struct', 'action');
  const size = BigInt(k.sizeOf('struct k_sigaction'));
  const h = off(k, 'struct k_sigaction', 'sa.sa_handler');
  const f = off(k, 'struct k_sigaction', 'sa.sa_flags');
  const m = off(k, 'struct k_sigaction', 'sa.sa_mask');
  const bytes = k.readBytes(base, Number(size) * NSIG, 'sighand_struct buffer');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: SigActionInfo[] = [];
  for (let i = 0; i < NSIG; i++) {
    const at = BigInt(i) * size;
    out.push({
      sig: i + 1,
      kaddr: base + at,
      handler: dv.getBigUint64(Number(at + h), true),
      flags: dv.getBigUint64(Number(at + f), true),
      mask: dv.getBigUint64(Number(at + m), true),
    });
  }
  return out;
}

/** A struct sigpending: its signal set and the siginfo of each queued sigqueue. */
export function sigPending(k: Kernel, pending: bigint): { signal: bigint; queue: { sig: number; info: bigint }[] } {
  const signal = k.readU64(pending + off(k, 'struct sigpending', 'signal'), 'sigpending signal');
  const head = pending + off(k, 'struct sigpending', 'list');
  const listOff = off(k, 'struct sigqueue', 'list');
  const infoOff = off(k, 'struct sigqueue', 'info');
  const signo = infoOff + BigInt(k.memberByteOffset('struct kernel_siginfo', 'si_signo') ?? k.memberByteOffset('struct siginfo', 'si_signo') ?? 0);
  const queue: { sig: number; info: bigint }[] = [];
  for (const node of listForEach(k, head, 'sigqueue list')) {
    if (queue.length >= 4096) break;
    const q = node - listOff;
    queue.push({ sig: k.readS32(q + signo, 'sigqueue info'), info: q + infoOff });
  }
  return { signal, queue };
}

/** TIF_SIGPENDING in thread_info.flags (arch/x86: 2, arm64: 0). */
export function taskSigpending(k: Kernel, task: bigint, threadInfo: bigint): boolean {
  const sp = k.memberByteOffset('struct task_struct', 'sigpending');
  if (sp !== undefined) return k.readS32(task + BigInt(sp), 'task_struct sigpending') !== 0;
  const fo = k.memberByteOffset('struct thread_info', 'flags');
  if (fo === undefined) return false;
  const bit = k.arch.name === 'arm64' ? 0n : 2n;
  return ((k.readU64(threadInfo + BigInt(fo), 'thread_info flags') >> bit) & 1n) === 1n;
}

export function taskBlocked(k: Kernel, task: bigint): bigint {
  return k.readU64(task + off(k, 'struct task_struct', 'blocked'), 'task_struct blocked');
}

// crash task.c signame[]: the classic names, then SIGRTMIN(+n)/SIGRTMAX(-n)
const NAMES = ['', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];
export const SIG_ALTNAMES: Record<number, string> = { 6: 'SIGIOT', 17: 'SIGCLD', 29: 'SIGPOLL', 31: 'SIGUNUSED' };
const SIGRTMIN = 32;

/** The name crash gives signal `i` (1..64). */
export function signalName(i: number): string {
  if (i < SIGRTMIN) return NAMES[i] ?? '';
  if (i === SIGRTMIN) return 'SIGRTMIN';
  if (i === NSIG) return 'SIGRTMAX';
  const j = NSIG - SIGRTMIN - 1;
  const max = Math.floor(j / 2);
  const min = j - max;
  return i - SIGRTMIN <= min ? `SIGRTMIN+${i - SIGRTMIN}` : `SIGRTMAX-${NSIG - i}`;
}
