/**
 * What a cpu's idle task stack holds when the crash stopped that cpu in its idle loop, per arch and
 * kernel era: the declarative tables idle-stacks.ts lays out for every cpu whose active task the
 * scenario gives no stack.
 *
 * Each call is a function of the idle path, innermost first, with
 *   ret    the offset of the return address into it (after the call/bl that went one level deeper)
 *   frame  its stack use: x86_64, the bytes from the slot holding the return address into it to
 *          the slot holding its own return address (the ORC sp_offset at its call site, less 8);
 *          arm64, the bytes from its frame record to its caller's
 *   since/until  the kernel versions [since, until) that have it (absent: all)
 * `halt` is where the stopping interrupt found the cpu: the instruction after x86's `sti; hlt`
 * in native_safe_halt, after arm64's `wfi` in cpu_do_idle. Offsets and frame sizes are those of
 * distribution kernels of each era (RHEL 7/8/9, Debian, Android GKI), rounded; only their
 * consistency matters to an unwinder (a function has one frame size at one call site).
 *
 * x86_64 (arch/x86/kernel/process.c, kernel/sched/idle.c, arch/x86/kernel/smpboot.c, head_64.S):
 *   native_safe_halt ← default_idle ← arch_cpu_idle (until 5.0: later a tail call through x86_idle)
 *   ← default_idle_call (4.2) ← do_idle (4.10; cpu_idle_loop inlined into cpu_startup_entry before)
 *   ← cpu_startup_entry ← start_secondary ← secondary_startup_64 (4.9: .Ljump_to_C_code's call;
 *   secondary_startup_64_no_verify 5.10; RHEL 7's 3.10 returns into start_cpu); the boot cpu:
 *   cpu_startup_entry ← rest_init ← arch_call_rest_init (5.1) ← start_kernel ←
 *   x86_64_start_reservations ← x86_64_start_kernel ← the same head entry.
 * arm64 (arch/arm64/kernel/idle.c, process.c, smp.c, head.S):
 *   cpu_do_idle ← arch_cpu_idle ← default_idle_call ← do_idle ← cpu_startup_entry ←
 *   secondary_start_kernel ← __secondary_switched (5.13: the final frame record in pt_regs); the
 *   boot cpu: cpu_startup_entry ← rest_init ← arch_call_rest_init (5.1) ← start_kernel ←
 *   __primary_switched (5.13).
 */

export type KernelVersion = [number, number];

export interface IdleCall {
  fn: string;
  ret: number;
  frame: number;
  since?: KernelVersion;
  until?: KernelVersion;
}

export interface IdleTemplate {
  /** where the cpu was stopped: the function and the offset of the next instruction */
  halt: { fn: string; at: number; frame: number; since?: KernelVersion; until?: KernelVersion }[];
  /** the idle loop, innermost first, common to every cpu */
  idle: IdleCall[];
  /** then a secondary cpu's way in */
  secondary: IdleCall[];
  /** or the boot cpu's */
  boot: IdleCall[];
}

const X86_HEAD: IdleCall[] = [
  { fn: 'start_cpu', ret: 0x5, frame: 0, until: [4, 9] },
  { fn: 'secondary_startup_64', ret: 0xa4, frame: 0, since: [4, 9], until: [5, 10] },
  { fn: 'secondary_startup_64_no_verify', ret: 0xe6, frame: 0, since: [5, 10] },
];

export const X86_64_IDLE: IdleTemplate = {
  halt: [{ fn: 'native_safe_halt', at: 0xb, frame: 0 }],
  idle: [
    { fn: 'default_idle', ret: 0x1c, frame: 0x20, until: [4, 2] },
    { fn: 'default_idle', ret: 0xe, frame: 0x8, since: [4, 2] },
    { fn: 'arch_cpu_idle', ret: 0x10, frame: 0x10, until: [5, 0] },
    { fn: 'default_idle_call', ret: 0x3b, frame: 0x20, since: [4, 2] },
    { fn: 'do_idle', ret: 0x1fd, frame: 0x48, since: [4, 10] },
    { fn: 'cpu_startup_entry', ret: 0x1ca, frame: 0x60, until: [4, 10] },
    { fn: 'cpu_startup_entry', ret: 0x19, frame: 0x20, since: [4, 10] },
  ],
  secondary: [{ fn: 'start_secondary', ret: 0x186, frame: 0x28 }, ...X86_HEAD],
  boot: [
    { fn: 'rest_init', ret: 0xae, frame: 0x10 },
    { fn: 'arch_call_rest_init', ret: 0xe, frame: 0x10, since: [5, 1] },
    { fn: 'start_kernel', ret: 0x4d0, frame: 0x90 },
    { fn: 'x86_64_start_reservations', ret: 0x24, frame: 0x10 },
    { fn: 'x86_64_start_kernel', ret: 0x7b, frame: 0x20 },
    ...X86_HEAD,
  ],
};

export const ARM64_IDLE: IdleTemplate = {
  halt: [
    { fn: 'cpu_do_idle', at: 0x8, frame: 0x10, until: [5, 11] },
    { fn: 'cpu_do_idle', at: 0x2c, frame: 0x20, since: [5, 11] },
  ],
  idle: [
    { fn: 'arch_cpu_idle', ret: 0x20, frame: 0x10 },
    { fn: 'default_idle_call', ret: 0x4c, frame: 0x20 },
    { fn: 'do_idle', ret: 0x210, frame: 0x50 },
    { fn: 'cpu_startup_entry', ret: 0x24, frame: 0x20 },
  ],
  secondary: [
    { fn: 'secondary_start_kernel', ret: 0x18c, frame: 0x30 },
    { fn: '__secondary_switched', ret: 0x58, frame: 0, since: [5, 13] },
  ],
  boot: [
    { fn: 'rest_init', ret: 0xd4, frame: 0x20 },
    { fn: 'arch_call_rest_init', ret: 0x14, frame: 0x10, since: [5, 1] },
    { fn: 'start_kernel', ret: 0x5ac, frame: 0x50 },
    { fn: '__primary_switched', ret: 0x5c, frame: 0, since: [5, 13] },
  ],
};

/**
 * arm64 (v5.15+: generic_handle_domain_irq, el1h_64_irq; call_on_irq_stack since 5.13): how kdump
 * stopped a cpu, in the IRQ it took from the idle loop. The crash IPI's handler runs on the cpu's
 * IRQ stack (per-cpu irq_stack_ptr, THREAD_SIZE): crash_save_cpu (its `ret` is where its last callee,
 * append_elf_note, returned into it; that callee's frame record stays below) ← ipi_handler
 * (ipi_cpu_crash_stop inlined) ← handle_percpu_devid_irq ← handle_irq_desc ←
 * generic_handle_domain_irq ← gic_handle_irq, whose record, `frame` bytes below the IRQ stack's
 * top, links back to the task stack; there (arch/arm64/kernel/entry.S, entry-common.c)
 * call_on_irq_stack ← do_interrupt_handler ← el1_interrupt ← el1h_64_irq_handler, whose record is
 * right below the struct pt_regs kernel_entry saved, ← el1h_64_irq, whose record is the pt_regs'
 * stackframe, holding the interrupted context. Offsets are Debian 6.1's (arm64 6.1.0-56).
 */
export const ARM64_IRQ_STOP: { irq: IdleCall[]; entry: IdleCall[]; since: KernelVersion } = {
  irq: [
    { fn: 'crash_save_cpu', ret: 0xa8, frame: 0x20 },
    { fn: 'ipi_handler', ret: 0xe0, frame: 0x50 },
    { fn: 'handle_percpu_devid_irq', ret: 0x90, frame: 0x30 },
    { fn: 'handle_irq_desc', ret: 0x48, frame: 0x10 },
    { fn: 'generic_handle_domain_irq', ret: 0x24, frame: 0x10 },
    { fn: 'gic_handle_irq', ret: 0x64, frame: 0x30 },
  ],
  entry: [
    { fn: 'call_on_irq_stack', ret: 0x30, frame: 0x10 },
    { fn: 'do_interrupt_handler', ret: 0x88, frame: 0x20 },
    { fn: 'el1_interrupt', ret: 0x34, frame: 0x20 },
    { fn: 'el1h_64_irq_handler', ret: 0x18, frame: 0x10 },
    { fn: 'el1h_64_irq', ret: 0x64, frame: 0 },
  ],
  since: [5, 15],
};

/**
 * x86_64: the crash NMI's frames on the NMI stack of a cpu kdump stopped (crash_nmi_callback, the
 * NMI handler nmi_shootdown_cpus() registered, under nmi_handle ← default_do_nmi ← exc_nmi (5.8;
 * do_nmi before) ← the entry's call from end_repeat_nmi, whose pt_regs hold the interrupted idle
 * context), innermost first, the last one the entry frame. `regsGap`: bytes between the pt_regs'
 * end and the NMI stack top (the "NMI executing" word and the saved and copied iret frames).
 */
export const X86_64_NMI: { calls: IdleCall[]; regsGap: number } = {
  calls: [
    { fn: 'crash_nmi_callback', ret: 0x33, frame: 0x8 },
    { fn: 'nmi_handle', ret: 0x63, frame: 0x48 },
    { fn: 'default_do_nmi', ret: 0x49, frame: 0x28 },
    { fn: 'exc_nmi', ret: 0x120, frame: 0x28, since: [5, 8] },
    { fn: 'do_nmi', ret: 0x138, frame: 0x28, until: [5, 8] },
    { fn: 'end_repeat_nmi', ret: 0x1b, frame: 0 },
  ],
  regsGap: 0x60,
};

/** The kernel version a release string starts with ("5.14.0-284.11.1.el9_2.x86_64" → [5, 14]). */
export function kernelVersion(release: string): KernelVersion {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

const before = (a: KernelVersion, b: KernelVersion) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
export const inEra = (e: { since?: KernelVersion; until?: KernelVersion }, v: KernelVersion) =>
  (!e.since || !before(v, e.since)) && (!e.until || before(v, e.until));
