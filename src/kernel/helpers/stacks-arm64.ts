/**
 * arm64's per-cpu alternate stacks, as crash's arm64_irq_stack_init / arm64_overflow_stack_init
 * find them: the IRQ stack (per-cpu irq_stack_ptr, v4.14+ with VMAP_STACK, pointing at the base of
 * a THREAD_SIZE stack; before, the per-cpu array irq_stack) and the overflow stack (per-cpu array
 * overflow_stack, v4.14 872d8327ce89).
 */
import type { Kernel } from '../kernel.js';
import { perCpuInfo, perCpuPtr } from './percpu.js';
import { cpuState } from './sched.js';
import { threadSize, type StackRange } from './stack.js';

/** The byte size of a per-cpu array variable, from BTF (crash: gdb's type length). */
function perCpuArraySize(k: Kernel, name: string): bigint | undefined {
  const v = k.btf?.findVar(name);
  return v?.size ? BigInt(v.size) : undefined;
}

function perCpuStacks(k: Kernel, key: string, fn: (cpu: number) => StackRange | undefined): (StackRange | undefined)[] {
  return k.memo(key, () => {
    const out: (StackRange | undefined)[] = [];
    if (!perCpuInfo(k)) return out;
    for (let c = 0; c < cpuState(k).present; c++) {
      try {
        out.push(fn(c));
      } catch {
        out.push(undefined);
      }
    }
    return out;
  });
}

/** Each cpu's IRQ stack: IRQ_STACK_SIZE is THREAD_SIZE since v4.14 (crash reads thread_union.stack's size). */
export function arm64IrqStack(k: Kernel, cpu: number): StackRange | undefined {
  return perCpuStacks(k, 'arm64-irq-stacks', (c) => {
    const ptr = k.symbol('irq_stack_ptr');
    if (ptr) {
      const base = k.readPtr(perCpuPtr(k, ptr.address, c), 'IRQ stack pointer');
      return base ? { base, top: base + threadSize(k), kind: 'irq', cpu: c } : undefined;
    }
    const arr = k.symbol('irq_stack');
    const size = perCpuArraySize(k, 'irq_stack') ?? threadSize(k);
    if (!arr) return undefined;
    const base = perCpuPtr(k, arr.address, c);
    return { base, top: base + size, kind: 'irq', cpu: c };
  })[cpu];
}

/** Each cpu's overflow stack (ARM64_OVERFLOW_STACK_SIZE 4K; its array's size where BTF has it). */
export function arm64OverflowStack(k: Kernel, cpu: number): StackRange | undefined {
  return perCpuStacks(k, 'arm64-overflow-stacks', (c) => {
    const arr = k.symbol('overflow_stack');
    if (!arr) return undefined;
    const base = perCpuPtr(k, arr.address, c);
    return { base, top: base + (perCpuArraySize(k, 'overflow_stack') ?? 0x1000n), kind: 'exception', name: 'Overflow', cpu: c };
  })[cpu];
}

export const onStack = (st: StackRange | undefined, a: bigint): boolean => !!st && a >= st.base && a < st.top;
