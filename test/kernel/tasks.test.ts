/**
 * The task and stack helpers on the reference dump (Debian 6.1): the PID IDR walk, task state
 * bits from task_state_array, stack ranges, NT_PRSTATUS registers and the kernel's ORC tables.
 * Expectations are facts of this kernel (System.map, include/linux/sched.h of 6.1, the notes).
 */
import { describe, expect, it } from 'vitest';
import { rs, skipReason } from '../support/ref-session.js';
import { pidHashTasks } from '../../src/kernel/helpers/pid.js';
import { taskStateArray, taskStateBits } from '../../src/kernel/helpers/task-state.js';
import { panicTask, resolveTaskArg, taskTable, taskByAddress } from '../../src/kernel/helpers/task.js';
import { cpuRegisters, exceptionStacks, irqStack, stackContaining, threadSize } from '../../src/kernel/helpers/stack.js';
import { kernelOrcTable, orcVersion } from '../../src/kernel/helpers/orc.js';
import { OrcTable } from '../../src/arch/unwind-orc.js';

const skip = skipReason('kernel task helper tests');

describe.skipIf(!!skip)('tasks', () => {
  it('the PID IDR of init_pid_ns holds every task but the idle ones (59 of 61)', () => {
    const k = rs().kernel;
    const idr = pidHashTasks(k)!;
    expect(idr).toHaveLength(59);
    const table = taskTable(k);
    expect(table).toHaveLength(61);
    expect(new Set(idr)).toEqual(new Set(table.filter((t) => t.pid !== 0).map((t) => t.task)));
  });

  it('task state bits come from the dump\'s task_state_array (6.1: TASK_PARKED 0x40, then DEAD, WAKEKILL, WAKING, NOLOAD, NEW)', () => {
    const k = rs().kernel;
    expect(taskStateArray(k)).toEqual(['R (running)', 'S (sleeping)', 'D (disk sleep)', 'T (stopped)', 't (tracing stop)', 'X (dead)', 'Z (zombie)', 'P (parked)', 'I (idle)']);
    expect(taskStateBits(k)).toEqual({
      running: 0n, interruptible: 1n, uninterruptible: 2n, stopped: 4n, traced: 8n, dead: 0x10n | 0x80n, zombie: 0x20n, parked: 0x40n,
      wakekill: 0x100n, waking: 0x200n, noload: 0x400n, new: 0x800n,
    });
  });

  it('a task argument is a decimal pid, else a task address (hex)', () => {
    const k = rs().kernel;
    expect(resolveTaskArg(k, '1').tasks.map((t) => t.comm)).toEqual(['init']);
    expect(resolveTaskArg(k, '0').tasks.map((t) => t.comm)).toEqual(['swapper/0', 'swapper/1']);
    expect(resolveTaskArg(k, 'ffff8b3e826b4200')).toMatchObject({ kind: 'task', tasks: [{ pid: 106 }] });
    expect(() => resolveTaskArg(k, 'zz')).toThrow('invalid task or pid value: zz');
    expect(panicTask(k)?.task).toBe(0xffff8b3e81210000n);
  });
});

describe.skipIf(!!skip)('stacks and registers', () => {
  it('THREAD_SIZE is 16K (init_stack..__end_init_task); IRQ stacks come from hardirq_stack_ptr', () => {
    const r = rs();
    const k = r.kernel;
    expect(threadSize(k)).toBe(0x4000n);
    const ptr0 = r.u64(r.perCpu('hardirq_stack_ptr', 0));
    expect(irqStack(k, 0)).toEqual({ base: ptr0 + 8n - 0x4000n, top: ptr0 + 8n, kind: 'irq', cpu: 0 });
    expect(exceptionStacks(k, 1).map((s) => s.name)).toEqual(['DOUBLEFAULT', 'NMI', 'DEBUG', 'MCE', 'VC', 'VC2']);
  });

  it('NT_PRSTATUS: cpu 0 stopped on its IRQ stack in stop_this_cpu, cpu 1 in delay_tsc on init\'s stack', () => {
    const k = rs().kernel;
    const c0 = cpuRegisters(k, 0)!;
    const c1 = cpuRegisters(k, 1)!;
    expect(k.symbols.containing(c0.ip)?.sym.name).toBe('stop_this_cpu');
    expect(k.symbols.containing(c1.ip)?.sym.name).toBe('delay_tsc');
    const swapper0 = taskByAddress(k, 0xffffffff8d01aa40n)!;
    expect(stackContaining(k, swapper0, c0.sp)?.kind).toBe('irq');
    expect(stackContaining(k, taskByAddress(k, 0xffff8b3e81210000n)!, c1.sp)?.kind).toBe('task');
  });

  it('the kernel ORC tables: v6.1\'s entry layout (struct orc_entry has `end`), orc_lookup agrees with a full search', () => {
    const r = rs();
    const k = r.kernel;
    expect(orcVersion(k)).toBe(1);
    const t = kernelOrcTable(k)!;
    expect(t.spec.count).toBe(Number((r.mapAddr('__stop_orc_unwind_ip') - r.mapAddr('__start_orc_unwind_ip')) / 4n));
    const full = new OrcTable({ ...t.spec, lookup: undefined });
    for (const name of ['panic', 'do_syscall_64', 'vfs_write', 'schedule', 'start_kernel', 'secondary_startup_64_no_verify']) {
      const a = r.mapAddr(name);
      for (const off of [0n, 1n, 0x10n, 0x5dn]) expect(t.find(a + off), `${name}+${off}`).toEqual(full.find(a + off));
    }
    // entry_SYSCALL_64_after_hwframe+0x6e, just after the call to do_syscall_64: pt_regs at sp (UNWIND_HINT_REGS)
    expect(t.find(r.mapAddr('entry_SYSCALL_64_after_hwframe') + 0x6dn)).toMatchObject({ type: 'regs', spReg: 'sp', spOffset: 0 });
  });
});
