/**
 * bt -o on x86_64: crash's "old" backtrace, which takes every kernel text return address found on
 * the stack from where the trace starts for a frame (stale ones included: with ORC crash does not
 * check that the word follows a call). The exception frames the ORC unwind found are shown where
 * they lie, and the words inside them are not taken for frames.
 */
import type { Kernel } from '../kernel.js';
import type { TaskContext } from './task.js';
import { backtrace, textScan, type Backtrace, type BtEntry, type BtFrame, type BtRegs } from './backtrace.js';
import { stackContaining } from './stack.js';
import { PT_REGS_SIZE } from '../../arch/unwind-orc.js';

export function oldBacktrace(k: Kernel, tc: TaskContext): Backtrace {
  const bt = backtrace(k, tc);
  if (k.dump.machine !== 'x86_64' || bt.error || !bt.entries.some((e) => e.kind === 'frame')) return bt;
  const first = bt.entries.find((e): e is BtFrame => e.kind === 'frame');
  const regs = bt.entries.filter((e): e is BtRegs & { addr: bigint } => e.kind === 'regs' && e.addr !== undefined);
  const scan = textScan(k, tc);
  const out: BtEntry[] = [];
  let level = 0;
  const pending = [...regs];
  const size = BigInt(PT_REGS_SIZE);
  // the trace's first frame comes first; after an exact one (an active task's registers) the
  // word at its stack pointer is scanned too, after a saved return address only the words above it
  if (!first) return bt;
  out.push({ ...first, level: level++ });
  const from = first.exact ? first.sp : first.sp + 8n;
  const flushRegs = (upTo: bigint, stack: ReturnType<typeof stackContaining>) => {
    while (pending.length && pending[0].addr <= upTo && stackContaining(k, tc, pending[0].addr)?.base === stack?.base) out.push(pending.shift()!);
  };
  for (const e of scan.entries) {
    if (e.kind === 'regs') continue; // the trace's own regs blocks come from `regs`
    if (e.kind === 'switch') {
      out.push(e);
      continue;
    }
    const stack = stackContaining(k, tc, e.sp);
    if (stack?.base === stackContaining(k, tc, first.sp)?.base && e.sp < from) continue;
    flushRegs(e.sp, stack);
    if (regs.some((r) => e.sp >= r.addr && e.sp < r.addr + size)) continue;
    out.push({ kind: 'frame', level: level++, sp: e.sp, ip: e.ip, exact: false, name: e.name, offset: e.ip - (k.symbols.containing(e.ip)?.sym.address ?? e.ip) });
  }
  out.push(...pending);
  return { task: tc, entries: out };
}
