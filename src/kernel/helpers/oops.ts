/**
 * Beyond crash: what an oops header means. The x86 page-fault error code of `Oops: 0003`
 * (arch/x86/include/asm/trap_pf.h X86_PF_*), the arm64 ESR of `ESR = 0x96000045` (EC, IL, ISS and,
 * for aborts, WnR and the fault status code: ARM ARM D17.2.37), and the preempt_count of the cpu
 * or task (include/linux/preempt.h masks; PREEMPT_NEED_RESCHED is stored inverted on x86 and arm64).
 */
import type { Kernel } from '../kernel.js';
import type { TaskContext } from './task.js';
import { readPrintkRingbuffer, recordText } from './printk.js';
import { perCpuPtr } from './percpu.js';

const PF_BITS: [number, string, string, string][] = [
  [0, 'P', 'protection fault (the page was present)', 'page not present'],
  [1, 'W', 'write', 'read'],
  [2, 'U', 'user mode', 'kernel mode'],
  [3, 'RSVD', 'reserved bit set in a page table entry', ''],
  [4, 'I', 'instruction fetch', ''],
  [5, 'PK', 'protection-key violation', ''],
  [6, 'SHSTK', 'shadow stack access', ''],
  [15, 'SGX', 'SGX (EPCM) violation', ''],
];

/** The X86_PF_* bits of a page-fault error code: a one-line summary, then one line per bit. */
export function explainX86PageFault(code: number): string[] {
  const summary = PF_BITS.filter(([b, , set, clear]) => (code >> b) & 1 ? set : clear).map(([b, , set, clear]) => ((code >> b) & 1 ? set : clear));
  const lines = [`page-fault error code 0x${code.toString(16)}: ${summary.join(', ')}`];
  for (const [b, name, set, clear] of PF_BITS) {
    const on = (code >> b) & 1;
    if (on || clear) lines.push(`  bit ${String(b).padStart(2)} ${name.padEnd(5)} ${on ? 'set  ' : 'clear'}  ${on ? set : clear}`);
  }
  return lines;
}

const EC_NAMES: Record<number, string> = {
  0x00: 'unknown reason', 0x01: 'WFI/WFE', 0x07: 'SVE/SIMD/FP access', 0x0e: 'illegal execution state',
  0x15: 'SVC in AArch64', 0x18: 'MSR/MRS/system instruction', 0x19: 'SVE access', 0x20: 'instruction abort from a lower EL',
  0x21: 'instruction abort from the current EL', 0x22: 'PC alignment fault', 0x24: 'data abort from a lower EL',
  0x25: 'data abort from the current EL', 0x26: 'SP alignment fault', 0x2c: 'floating-point exception', 0x2f: 'SError interrupt',
  0x30: 'breakpoint from a lower EL', 0x31: 'breakpoint from the current EL', 0x32: 'software step from a lower EL',
  0x33: 'software step from the current EL', 0x34: 'watchpoint from a lower EL', 0x35: 'watchpoint from the current EL', 0x3c: 'BRK instruction',
};

/** DFSC/IFSC: the fault status code of an abort. */
function faultStatus(fsc: number): string {
  const level = fsc & 3;
  switch (fsc & 0x3c) {
    case 0x00: return `address size fault, level ${level}`;
    case 0x04: return `translation fault, level ${level}`;
    case 0x08: return `access flag fault, level ${level}`;
    case 0x0c: return `permission fault, level ${level}`;
  }
  if (fsc === 0x10) return 'synchronous external abort';
  if (fsc === 0x21) return 'alignment fault';
  if (fsc === 0x30) return 'TLB conflict abort';
  return `fault status 0x${fsc.toString(16)}`;
}

/** ESR_ELx: exception class, instruction length and syndrome; aborts also WnR and the fault status. */
export function explainArm64Esr(esr: bigint): string[] {
  const ec = Number((esr >> 26n) & 0x3fn);
  const il = (esr >> 25n) & 1n;
  const iss = Number(esr & 0x1ffffffn);
  const lines = [
    `ESR 0x${esr.toString(16)}:`,
    `  EC  0x${ec.toString(16).padStart(2, '0')}  ${EC_NAMES[ec] ?? 'reserved/unallocated'}`,
    `  IL  ${il}     ${il ? '32-bit instruction' : '16-bit instruction'}`,
    `  ISS 0x${iss.toString(16).padStart(7, '0')}`,
  ];
  if (ec === 0x24 || ec === 0x25) {
    lines.push(`  WnR ${(iss >> 6) & 1}     ${(iss >> 6) & 1 ? 'write' : 'read'}`);
    lines.push(`  DFSC 0x${(iss & 0x3f).toString(16).padStart(2, '0')} ${faultStatus(iss & 0x3f)}`);
  } else if (ec === 0x20 || ec === 0x21) lines.push(`  IFSC 0x${(iss & 0x3f).toString(16).padStart(2, '0')} ${faultStatus(iss & 0x3f)}`);
  return lines;
}

/** include/linux/preempt.h: PREEMPT 0-7, SOFTIRQ 8-15, HARDIRQ 16-19, NMI 20-23; need_resched inverted at bit 31 (x86) or 32 (arm64). */
export function explainPreemptCount(v: bigint, needReschedBit: number): string[] {
  const field = (shift: bigint, bits: bigint) => (v >> shift) & ((1n << bits) - 1n);
  const nmi = field(20n, 4n);
  const hard = field(16n, 4n);
  const soft = field(8n, 8n);
  const pre = field(0n, 8n);
  const ctx = nmi ? 'NMI' : hard ? 'hard IRQ' : soft & 1n ? 'serving a softirq' : soft ? 'softirqs disabled' : pre ? 'preemption disabled' : 'preemptible task context';
  return [
    `preempt_count 0x${v.toString(16)}: ${ctx}`,
    `  NMI ${nmi}  HARDIRQ ${hard}  SOFTIRQ 0x${soft.toString(16)} (${soft & 1n ? 'in softirq' : 'not in softirq'}, disable depth ${soft >> 1n})  PREEMPT ${pre}`,
    `  NEED_RESCHED ${(v >> BigInt(needReschedBit)) & 1n ? 'no' : 'yes'} (bit ${needReschedBit} is stored inverted)`,
  ];
}

/** The preempt_count that applies to a task: x86's per-cpu __preempt_count of its cpu, else thread_info.preempt_count. */
export function preemptCountOf(k: Kernel, tc: TaskContext): { value: bigint; bit: number; where: string } | undefined {
  try {
    if (k.dump.machine === 'x86_64') {
      const direct = k.symbol('__preempt_count');
      const hot = k.symbol('pcpu_hot');
      const hotOff = k.memberByteOffset('struct pcpu_hot', 'preempt_count');
      const addr = direct ? perCpuPtr(k, direct.address, tc.cpu ?? 0) : hot && hotOff !== undefined ? perCpuPtr(k, hot.address, tc.cpu ?? 0) + BigInt(hotOff) : undefined;
      if (addr === undefined) return undefined;
      return { value: BigInt(k.readU32(addr, '__preempt_count')), bit: 31, where: `cpu ${tc.cpu ?? 0}'s __preempt_count` };
    }
    const off = k.memberByteOffset('struct thread_info', 'preempt_count');
    if (off === undefined) return undefined;
    return { value: k.readU64(tc.threadInfo + BigInt(off), 'thread_info preempt_count'), bit: 32, where: 'thread_info.preempt_count' };
  } catch {
    return undefined;
  }
}

/** The last oops header the log holds: `Oops: 0003 ...` (x86 page faults) or `ESR = 0x...` (arm64 aborts). */
export function oopsHeader(k: Kernel): { line: string; x86Code?: number; esr?: bigint } | undefined {
  let text: string[];
  try {
    text = readPrintkRingbuffer(k).flatMap((r) => recordText(r).split('\n'));
  } catch {
    return undefined;
  }
  for (let i = text.length - 1; i >= 0; i--) {
    const l = text[i];
    const x = /Oops: ([0-9a-f]{4,}) \[#/.exec(l) ?? /#PF: error_code\(0x([0-9a-f]+)\)/.exec(l);
    if (x) return { line: l.trim(), x86Code: parseInt(x[1], 16) };
    const e = /\bESR = 0x([0-9a-f]+)/.exec(l);
    if (e) return { line: l.trim(), esr: BigInt('0x' + e[1]) };
  }
  return undefined;
}

/** bt -X: the oops header found in the log, explained, and the task's preempt_count. */
export function explainOops(k: Kernel, tc: TaskContext): string[] {
  const out: string[] = [];
  const h = oopsHeader(k);
  if (!h) out.push('no oops header (Oops: / #PF: error_code / ESR =) in the log');
  else {
    out.push(`log: ${h.line}`);
    if (h.x86Code !== undefined) out.push(...explainX86PageFault(h.x86Code));
    if (h.esr !== undefined) out.push(...explainArm64Esr(h.esr));
  }
  const p = preemptCountOf(k, tc);
  if (p) out.push(`${p.where}:`, ...explainPreemptCount(p.value, p.bit).map((l) => '  ' + l));
  return out;
}
