/**
 * A real arm64 vmcore: Debian 12's arm64 kernel (4K pages, 48-bit VA, KASLR on, including the
 * linear-map randomisation that makes PHYS_OFFSET "negative") booted under qemu-system-aarch64
 * -M virt (TCG, cortex-a57, 2 CPUs, 1 GB), panicked by sysrq-c from a busybox initramfs, dumped
 * with dump-guest-memory. Captured by scripts/capture-arm64.sh into ~/.cache/crash-tui/arm64-debian12/
 * (new KASLR layout each capture). The test generates it when CRASH_TUI_CAPTURE=1; otherwise it
 * skips with the reason.
 *
 * Every expectation is a fact of the machine, taken from elsewhere than crash-tui: the dbg
 * package's System.map plus KERNELOFFSET, the VMCOREINFO note, the serial console (the kernel's
 * own messages, its panic call trace, and the `ps` the initramfs printed just before the sysrq),
 * the QEMU command line (2 CPUs, 1 GB), and the ELF's own PT_LOAD bytes.
 *
 * Debian's arm64 kernel is built without CONFIG_KALLSYMS_ALL: its kallsyms holds text symbols
 * only, so without a vmlinux there is no init_task, __per_cpu_offset or __start_BTF in it.
 * crash-tui recovers them from the image itself (src/kernel/recover-symbols.ts): the .BTF section
 * by its validated header, exported data symbols from the export table (__ksymtab), per-cpu
 * variables from BTF's .data..percpu offsets. The tests below check those against System.map and
 * the vmlinux-mode output. The capture also keeps the dbg package's vmlinux, for crash's usual
 * `crash vmlinux vmcore`.
 */
import { describe, expect, it } from 'vitest';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CACHE_DIR } from '../support/refdump.js';
import { runCli } from '../support/run-cli.js';
import { openKernel } from '../../src/kernel/open.js';
import { arm64IrqStack } from '../../src/kernel/helpers/stacks-arm64.js';
import { prstatusNotes } from '../../src/dump/prstatus.js';

const DIR = join(CACHE_DIR, 'arm64-debian12');
const DUMP = join(DIR, 'vmcore.elf');
const KDUMP = join(DIR, 'vmcore.kdump-zlib');
const VMLINUX = join(DIR, 'vmlinux');

function ensureDump(): string | undefined {
  if (existsSync(DUMP)) return undefined;
  if (process.env.CRASH_TUI_CAPTURE !== '1') return `${DUMP} absent (run scripts/capture-arm64.sh, or set CRASH_TUI_CAPTURE=1)`;
  try {
    execFileSync('bash', [resolve('scripts/capture-arm64.sh')], { stdio: 'inherit', timeout: 20 * 60_000 });
  } catch (e) {
    return `capture failed: ${(e as Error).message.split('\n')[0]}`;
  }
  return existsSync(DUMP) ? undefined : 'capture produced no dump';
}

const skip = ensureDump();
if (skip) console.log(`arm64 real-dump tests skipped: ${skip}`);
const noVmlinux = skip ?? (existsSync(VMLINUX) ? undefined : `${VMLINUX} absent (captured with NO_DBG or NO_VMLINUX)`);
if (!skip && noVmlinux) console.log(`arm64 vmlinux tests skipped: ${noVmlinux}`);

const U64 = (1n << 64n) - 1n;
const hex = (v: bigint) => v.toString(16);

// --- ground truth, read without crash-tui ------------------------------------------------------

let viText: string | undefined;
function vi(key: string): string {
  viText ??= readFileSync(join(DIR, 'vmcoreinfo.txt'), 'utf8');
  const v = new RegExp(`^${key.replace(/[()]/g, '\\$&')}=(.*)$`, 'm').exec(viText)?.[1];
  if (v === undefined) throw new Error(`vmcoreinfo.txt lacks ${key}`);
  return v;
}
/** NUMBER()s print as decimal (%d) or 0x-hex; SYMBOL()s and KERNELOFFSET as bare hex. */
const viNum = (key: string) => {
  const v = vi(key);
  return BigInt.asUintN(64, BigInt(/^(NUMBER|LENGTH|SIZE|OFFSET)\(/.test(key) || v.startsWith('0x') ? v : '0x' + v));
};
const kernelOffset = () => viNum('KERNELOFFSET');

/** The serial console, CRs dropped. */
const consoleText = () => readFileSync(join(DIR, 'console.log'), 'latin1').replace(/\r/g, '');
/** The kernel's own lines of the console ("[    4.109041] ..."), in order. */
const consoleKernelLines = () => consoleText().split('\n').filter((l) => /^\[ *\d+\.\d{6}\] /.test(l));

let smap: Map<string, { addr: bigint; type: string }[]> | undefined;
/** System.map of the dbg package, relocated by KERNELOFFSET: name -> every (address, type). */
function systemMap(): Map<string, { addr: bigint; type: string }[]> {
  if (smap) return smap;
  smap = new Map();
  const off = kernelOffset();
  for (const l of readFileSync(join(DIR, 'System.map'), 'latin1').split('\n')) {
    const f = l.split(' ');
    if (f.length !== 3) continue;
    const list = smap.get(f[2]) ?? [];
    list.push({ addr: BigInt('0x' + f[0]) + off, type: f[1] });
    smap.set(f[2], list);
  }
  return smap;
}
function mapAddr(name: string): bigint {
  const e = systemMap().get(name);
  if (!e || e.length !== 1) throw new Error(`System.map: ${name} ${e ? 'is ambiguous' : 'absent'}`);
  return e[0].addr;
}

/** Physical memory straight from the ELF's PT_LOADs (QEMU: p_paddr = guest physical). */
function elfPhys(paddr: bigint, len: number): Buffer {
  const fd = openSync(DUMP, 'r');
  try {
    const eh = Buffer.alloc(64);
    readSync(fd, eh, 0, 64, 0);
    expect(eh.readUInt16LE(18)).toBe(183); // EM_AARCH64
    const phoff = Number(eh.readBigUInt64LE(32));
    const phentsize = eh.readUInt16LE(54);
    const phnum = eh.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      if (ph.readUInt32LE(o) !== 1) continue; // PT_LOAD
      const off = ph.readBigUInt64LE(o + 8);
      const pa = ph.readBigUInt64LE(o + 24);
      const filesz = ph.readBigUInt64LE(o + 32);
      if (paddr >= pa && paddr + BigInt(len) <= pa + filesz) {
        const b = Buffer.alloc(len);
        readSync(fd, b, 0, len, Number(off + paddr - pa));
        return b;
      }
    }
    throw new Error(`physical ${hex(paddr)} is in no PT_LOAD`);
  } finally {
    closeSync(fd);
  }
}

/** The arm64 linear map (v5.4+ layout): PAGE_OFFSET = -(1 << VA_BITS), va = pa - PHYS_OFFSET + PAGE_OFFSET. */
function linearAlias(paddr: bigint): bigint {
  const pageOffset = (U64 + 1n - (1n << viNum('NUMBER(VA_BITS)'))) & U64;
  return (paddr - viNum('NUMBER(PHYS_OFFSET)') + pageOffset) & U64;
}
/** Physical address of a kernel-image symbol: its virtual address minus kimage_voffset. */
const imagePhys = (va: bigint) => (va - viNum('NUMBER(kimage_voffset)')) & U64;

/** The `ps` the initramfs printed just before the sysrq: pid, ppid, comm. */
function consolePs(): { pid: number; ppid: number; comm: string }[] {
  const m = /^refdump: ps begin\n([\s\S]*?)^refdump: ps end$/m.exec(consoleText());
  if (!m) throw new Error('console.log has no ps listing');
  return m[1]
    .split('\n')
    .map((l) => /^ *(\d+) +(\d+) (.+)$/.exec(l))
    .filter((x): x is RegExpExecArray => !!x)
    .map((x) => ({ pid: +x[1], ppid: +x[2], comm: x[3] }));
}
/** "CPU: 1 PID: 1 Comm: init Not tainted ..." of the panic. */
function panicTask(): { cpu: number; pid: number; comm: string } {
  const m = /^\[[ \d.]+\] CPU: (\d+) PID: (\d+) Comm: (\S+) /m.exec(consoleText());
  if (!m) throw new Error('console.log has no panic CPU line');
  return { cpu: +m[1], pid: +m[2], comm: m[3] };
}
/** The kernel's call trace of the panic, function names only (entries without '?'). */
function consoleTrace(): string[] {
  const t = /Call trace:\n([\s\S]*?)\n\[[ \d.]+\] SMP: stopping/.exec(consoleText());
  if (!t) throw new Error('console.log has no call trace');
  return t[1]
    .split('\n')
    .map((l) => /^\[[ \d.]+\]  ([\w.]+)\+0x/.exec(l)?.[1])
    .filter((x): x is string => !!x);
}

/**
 * A backtrace of the panic task, from panic() up, is the console's call trace. One entry may be
 * named either way: panic() is the last call of sysrq_handle_crash, so its return address is the
 * first byte of the next function, which the kernel prints (sysrq_reset_seq_param_set+0x0) and
 * an unwinder may print as the caller it really is (sysrq_handle_crash).
 */
function expectPanicChain(frames: string[]): void {
  const trace = consoleTrace();
  const p = trace.indexOf('panic');
  expect(p).toBeGreaterThanOrEqual(0);
  const chain = trace.slice(p);
  const ours = frames.slice(frames.indexOf('panic'), frames.indexOf('panic') + chain.length);
  expect(ours.length).toBe(chain.length);
  const tail = chain[1] === 'sysrq_reset_seq_param_set' ? ['sysrq_handle_crash', 'sysrq_reset_seq_param_set'] : [chain[1]];
  expect(tail).toContain(ours[1]);
  expect([ours[0], ...ours.slice(2)]).toEqual([chain[0], ...chain.slice(2)]);
}

/** System.map's text symbols, sorted: the function an address lies in, independently of kallsyms. */
let textSyms: { addr: bigint; name: string }[] | undefined;
function mapFunctionAt(a: bigint): string | undefined {
  textSyms ??= [...systemMap().entries()]
    .flatMap(([name, l]) => l.filter((e) => /^[tTwW]$/.test(e.type)).map((e) => ({ addr: e.addr, name })))
    .sort((x, y) => (x.addr < y.addr ? -1 : x.addr > y.addr ? 1 : 0));
  let lo = 0;
  let hi = textSyms.length - 1;
  let best: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (textSyms[mid].addr <= a) {
      best = textSyms[mid].name;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** The AArch64 call instruction at a kernel-text address (from the ELF's bytes): bl and its target, or blr/blraa(z)/blrab(z). */
function callAt(va: bigint): { bl?: bigint; blr?: true } | undefined {
  const insn = elfPhys(imagePhys(va), 4).readUInt32LE(0);
  if ((insn & 0xfc000000) >>> 0 === 0x94000000) return { bl: va + BigInt.asIntN(28, BigInt(insn & 0x3ffffff) << 2n) };
  if ((insn & 0xfffffc1f) >>> 0 === 0xd63f0000 || (insn & 0xfffff81f) >>> 0 === 0xd63f081f || (insn & 0xfffff800) >>> 0 === 0xd73f0800) return { blr: true };
  return undefined;
}

type BtItem = { kind: 'frame'; level: number; fp: bigint; name: string; at: bigint } | { kind: 'marker'; text: string } | { kind: 'eframe'; pc: bigint; lr: bigint; sp: bigint; pstate: bigint; x29: bigint };
/** One task's arm64 bt: frame lines, stack markers, exception frames (PC, LR, SP, PSTATE, X29). */
function parseArm64Bt(section: string): BtItem[] {
  const out: BtItem[] = [];
  const lines = section.split('\n');
  lines.forEach((l, i) => {
    const f = /^ ?#(\d+) \[([0-9a-f]+)\] (\S+) at ([0-9a-f]+)/.exec(l);
    if (f) out.push({ kind: 'frame', level: +f[1], fp: BigInt('0x' + f[2]), name: f[3], at: BigInt('0x' + f[4]) });
    else if (/^--- <.*> ---$/.test(l)) out.push({ kind: 'marker', text: l });
    else if (/^ {5}PC: [0-9a-f]{16}  \[/.test(l)) {
      const v = (re: RegExp, at: number) => BigInt('0x' + re.exec(lines[at])![1]);
      out.push({ kind: 'eframe', pc: v(/PC: ([0-9a-f]+)/, i), lr: v(/LR: ([0-9a-f]+)/, i + 1), sp: v(/SP: ([0-9a-f]+)/, i + 2), pstate: v(/PSTATE: ([0-9a-f]+)/, i + 2), x29: v(/X29: ([0-9a-f]+)/, i + 3) });
    }
  });
  return out;
}

/**
 * Each frame's return address (printed as `at` = pc - 4) follows a call in its function: a bl
 * whose target is the function of the frame below it, or a blr. Not for #0 (the stopped pc), nor
 * for the frame an exception frame interrupted (`at` = the interrupted pc - 4).
 */
function expectCallChain(items: BtItem[]): void {
  let below: string | undefined;
  let interrupted = false;
  for (const it of items) {
    if (it.kind === 'eframe') interrupted = true;
    if (it.kind !== 'frame') continue;
    expect(mapFunctionAt(it.at), `#${it.level} ${it.name}`).toBe(it.name);
    if (it.level > 0 && !interrupted) {
      const call = callAt(it.at);
      expect(call, `#${it.level} ${it.name} at ${hex(it.at)} is no bl/blr`).toBeDefined();
      if (call!.bl !== undefined && below !== undefined) expect(mapFunctionAt(call!.bl), `#${it.level} ${it.name}'s bl`).toBe(below);
    }
    interrupted = false;
    below = it.name;
  }
}

interface PsRow {
  active: boolean;
  pid: number;
  ppid: number;
  cpu: number;
  task: string;
  comm: string;
}
function psRows(text: string): PsRow[] {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM');
  return lines.slice(1).map((l) => {
    const m = /^([> ]) +(\d+) +(\d+) +(\d+)  ([0-9a-f]{16}) +(\S\S)  ( ?\d+\.\d) +(\d+) +(\d+)  (.*)$/.exec(l);
    expect(m, l).not.toBeNull();
    return { active: m![1] === '>', pid: +m![2], ppid: +m![3], cpu: +m![4], task: m![5], comm: m![10] };
  });
}

/** ps must list what the console's ps listed (except ps itself, gone, and kworkers, which come and go). */
function expectConsoleTasks(rows: PsRow[]): void {
  const pt = panicTask();
  const panicRow = rows.find((r) => r.pid === pt.pid);
  expect(panicRow).toMatchObject({ active: true, cpu: pt.cpu, comm: pt.comm });
  expect(rows.filter((r) => r.pid === 0).map((r) => [r.cpu, r.comm])).toEqual([
    [0, '[swapper/0]'],
    [1, '[swapper/1]'],
  ]);
  const seen = consolePs().filter((p) => p.comm !== 'ps' && !p.comm.startsWith('kworker/'));
  expect(seen.length).toBeGreaterThan(40);
  for (const p of seen) {
    const kthread = p.pid === 2 || p.ppid === 2;
    expect(rows.find((r) => r.pid === p.pid), `pid ${p.pid} ${p.comm}`).toMatchObject({ ppid: p.ppid, comm: kthread ? `[${p.comm}]` : p.comm });
  }
}

const NOT_EXPORTED =
  'tk_core (DATE, UPTIME), task_state_array (the ID state), and the hugetlb/swap/commit globals of kmem -i are neither exported, per-cpu, nor in VMCOREINFO: without CONFIG_KALLSYMS_ALL the dump does not name them';
const NEG_PHYS_OFFSET =
  'src/arch/arm64.ts linearToPhys/physToDirect do not wrap to 64 bits: with KASLR PHYS_OFFSET (memstart_addr) is "negative" (0xffff....) and every linear-map address translates to pa + 2^64 (needs BigInt.asUintN(64, ...))';

describe.skipIf(!!skip)('arm64 vmcore (Debian 12 kernel, QEMU virt, KASLR)', () => {
  it('is the machine the capture says: VMCOREINFO, console and config agree', () => {
    expect(vi('OSRELEASE')).toMatch(/^6\.1\.0-\d+-arm64$/);
    expect(vi('PAGESIZE')).toBe('4096');
    expect(vi('NUMBER(VA_BITS)')).toBe('48');
    // the console's own account of the layout (arch/arm64/kernel/setup.c dump_kernel_offset)
    expect(consoleText()).toContain(`Kernel Offset: 0x${hex(kernelOffset())} from 0xffff800008000000`);
    expect(consoleText()).toContain(`PHYS_OFFSET: 0x${hex(viNum('NUMBER(PHYS_OFFSET)'))}`);
    expect(kernelOffset()).not.toBe(0n);
    // the image sits in the virt machine's RAM (0x40000000, 1 GB), wherever KASLR put it virtually
    const textPhys = imagePhys(mapAddr('_text'));
    expect(textPhys >= 0x40000000n && textPhys < 0x80000000n, hex(textPhys)).toBe(true);
    expect(viNum('SYMBOL(_stext)')).toBe(mapAddr('_stext'));
    expect(viNum('SYMBOL(swapper_pg_dir)')).toBe(mapAddr('swapper_pg_dir'));
    expect(readFileSync(join(DIR, 'config'), 'latin1')).toMatch(/^# CONFIG_KALLSYMS_ALL is not set$/m);
  });

  it('kallsyms from the dump agree with System.map plus KERNELOFFSET, symbol for symbol', () => {
    const k = openKernel(DUMP);
    try {
      const all = k.symbols.all().filter((s) => !s.origin); // kallsyms' own (recovered ones are checked below)
      const textInMap = [...systemMap().values()].flat().filter((e) => /^[tTwW]$/.test(e.type)).length;
      expect(all.length).toBeGreaterThan(textInMap * 0.95);
      for (const s of all) {
        const e = systemMap().get(s.name);
        expect(e?.some((x) => x.addr === s.address && x.type === s.type), `${s.name} ${s.type} ${hex(s.address)}`).toBe(true);
      }
      for (const name of ['_stext', 'panic', 'sysrq_handle_crash', '__handle_sysrq', 'write_sysrq_trigger', 'el0t_64_sync']) {
        expect(k.symbolAddress(name), name).toBe(mapAddr(name));
      }
    } finally {
      k.dump.close();
    }
  });

  it('sys: RELEASE, VERSION, MACHINE, NODENAME and PANIC', () => {
    const { stdout } = runCli(['-s', DUMP], 'sys\n');
    const version = /Linux version (\S+) .* (#1 SMP .*)$/m.exec(consoleText())!;
    expect(stdout).toMatch(new RegExp(`^     RELEASE: ${vi('OSRELEASE')}$`, 'm'));
    expect(version[1]).toBe(vi('OSRELEASE'));
    expect(stdout).toContain(`     VERSION: ${version[2]}\n`);
    expect(stdout).toMatch(/^     MACHINE: aarch64 /m);
    expect(stdout).toMatch(/^    NODENAME: \(none\)$/m); // the initramfs sets no hostname: UTS_NODENAME
    expect(stdout).toMatch(/^       PANIC: "Kernel panic - not syncing: sysrq triggered crash"$/m);
  });

  it('sys: CPUS, TASKS, MEMORY, LOAD AVERAGE from the dump alone', () => {
    const { stdout } = runCli(['-s', DUMP], 'sys\nps\n');
    expect(stdout).toMatch(/^        CPUS: 2$/m);
    expect(stdout).toMatch(/^      MEMORY: 1 GB$/m);
    const tasks = Number(/^       TASKS: (\d+)$/m.exec(stdout)![1]);
    expect(psRows(stdout.slice(stdout.indexOf('      PID    PPID'))).length).toBe(tasks);
    if (!noVmlinux) {
      const withVmlinux = runCli(['-s', VMLINUX, DUMP], 'sys\n').stdout;
      for (const key of ['CPUS', 'LOAD AVERAGE', 'TASKS', 'NODENAME', 'RELEASE', 'VERSION', 'MACHINE', 'MEMORY', 'PANIC']) {
        const line = new RegExp(`^ *${key}: .*$`, 'm');
        expect(line.exec(stdout)?.[0], key).toBe(line.exec(withVmlinux)?.[0]);
      }
    }
  });

  it.todo(`sys: DATE and UPTIME from the dump alone (${NOT_EXPORTED})`);

  it('recovered symbols: BTF bounds, exported data and per-cpu variables are where System.map says', () => {
    const k = openKernel(DUMP);
    try {
      // the .BTF section, found by its header (it follows .notes in arm64's read-only data)
      expect(k.symbolAddress('__start_BTF')).toBe(mapAddr('__start_BTF'));
      expect(k.symbolAddress('__stop_BTF')).toBe(mapAddr('__stop_BTF'));
      for (const name of ['init_task', '__per_cpu_offset', 'jiffies', 'nr_cpu_ids', '__cpu_online_mask', '_totalram_pages', 'runqueues', '__per_cpu_start', '__per_cpu_end']) {
        expect(k.symbolAddress(name), name).toBe(mapAddr(name));
        expect(k.symbol(name)!.origin, name).toBeDefined();
      }
      // every exported symbol of System.map is found, and every recovered symbol is right
      const exported = [...systemMap().keys()].filter((n) => n.startsWith('__ksymtab_')).map((n) => n.slice('__ksymtab_'.length));
      expect(exported.length).toBeGreaterThan(5000);
      for (const n of exported) expect(systemMap().get(n)!.map((e) => e.addr), n).toContain(k.symbolAddress(n));
      const recovered = k.symbols.all().filter((s) => s.origin && !s.origin.startsWith('VMCOREINFO'));
      expect(recovered.length).toBeGreaterThan(500);
      for (const s of recovered) expect(systemMap().get(s.name)?.map((e) => e.addr), s.name).toContain(s.address);
    } finally {
      k.dump.close();
    }
    expect(runCli(['-s', DUMP], 'whatis init_task\n').stdout).toContain('(address from the export table (__ksymtab))');
  });

  it('struct, p and kmem -i read recovered symbols as with the vmlinux', () => {
    const cmds = 'struct task_struct.comm,pid init_task\np nr_cpu_ids\np jiffies\nkmem -i\n';
    const { stdout } = runCli(['-s', DUMP], cmds);
    expect(stdout).toContain('  comm = "swapper/0\\000\\000\\000\\000\\000\\000",\n  pid = 0,\n');
    expect(stdout).toMatch(/^nr_cpu_ids = \$\d+ = 2$/m);
    if (noVmlinux) return;
    const want = runCli(['-s', VMLINUX, DUMP], cmds).stdout;
    // kmem -i: TOTAL MEM .. SLAB agree; the HUGE/SWAP/COMMIT lines need globals the dump does not name
    const upToSlab = (t: string) => t.slice(0, t.indexOf('\n', t.indexOf('         SLAB ')));
    expect(upToSlab(stdout)).toBe(upToSlab(want));
  });

  it.todo(`kmem -i: TOTAL HUGE, SWAP and COMMIT lines from the dump alone (${NOT_EXPORTED})`);

  it('log: the console is the log, the panic lines to the letter', () => {
    const { stdout } = runCli(['-s', DUMP], 'log\n');
    const log = stdout.trimEnd().split('\n');
    const con = consoleKernelLines();
    // the console shows every message up to loglevel 7: it is the log less its KERN_DEBUG lines
    let i = 0;
    for (const l of con) {
      while (i < log.length && log[i] !== l) i++;
      expect(i < log.length, `console line missing from log: ${l}`).toBe(true);
      i++;
    }
    const from = con.findIndex((l) => l.includes('sysrq: Trigger a crash'));
    expect(from).toBeGreaterThan(0);
    const tail = con.slice(from);
    expect(tail.at(-1)).toMatch(/---\[ end Kernel panic - not syncing: sysrq triggered crash \]---$/);
    expect(log.slice(-tail.length)).toEqual(tail);
  });

  it('ps: every task, init (pid 1) active on the panic cpu', () => {
    const rows = psRows(runCli(['-s', DUMP], 'ps\n').stdout);
    expectConsoleTasks(rows);
    if (noVmlinux) return;
    // the same tasks, parents, cpus and addresses as with the vmlinux (ST differs: ID needs task_state_array)
    const strip = (r: PsRow[]) => r.map(({ active, pid, ppid, cpu, task, comm }) => ({ active, pid, ppid, cpu, task, comm }));
    expect(strip(rows)).toEqual(strip(psRows(runCli(['-s', VMLINUX, DUMP], 'ps\n').stdout)));
  });

  it.todo(`ps: the ID state of idle kthreads without the vmlinux (${NOT_EXPORTED})`);

  it('BTF types without a vmlinux (the .BTF section found in the image by its header)', () => {
    const k = openKernel(DUMP);
    try {
      expect(k.btf).toBeDefined();
      expect(k.hasMember('struct task_struct', 'comm')).toBe(true);
      expect(k.btf!.findVar('runqueues')?.section).toBe('.data..percpu');
    } finally {
      k.dump.close();
    }
  });

  it("the kernel page tables map the linear alias of linux_banner's page to its physical page", () => {
    const va = mapAddr('linux_banner');
    const pa = imagePhys(va);
    expect(elfPhys(pa, 28).toString('latin1')).toBe(`Linux version ${vi('OSRELEASE')} `.slice(0, 28));
    const k = openKernel(DUMP);
    try {
      // a table walk from swapper_pg_dir, no shortcut: both the image address and the linear alias
      expect(k.arch.walk(va).paddr).toBe(pa);
      const lin = linearAlias(pa);
      expect(lin >> 48n).toBe(0xffffn);
      const w = k.arch.walk(lin);
      expect(w.paddr).toBe(pa);
      expect(w.steps.map((s) => s.level).slice(0, 2)).toEqual(['PGD', 'PUD']);
    } finally {
      k.dump.close();
    }
  });

  it('vtop and rd of a kernel-image address read the ELF bytes at its physical address', () => {
    const va = mapAddr('linux_banner');
    const pa = imagePhys(va);
    const { stdout } = runCli(['-s', DUMP], `vtop ${hex(va)}\nrd -8 ${hex(va)} 16\n`);
    expect(stdout).toMatch(new RegExp(`^VIRTUAL +PHYSICAL *\\n${hex(va)}  ${hex(pa)} *$`, 'm'));
    const bytes = elfPhys(pa, 16);
    const dumped = [...stdout.matchAll(new RegExp(`^${hex(va)}:  ((?:[0-9a-f]{2} ){16})`, 'gm'))].map((m) => m[1].trim());
    expect(dumped).toEqual([[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')]);
  });

  it('vtop, rd and kvtop of a linear-map address (PHYS_OFFSET is "negative" under KASLR)', () => {
    const pa = imagePhys(mapAddr('linux_banner'));
    const lin = linearAlias(pa);
    const k = openKernel(DUMP);
    try {
      expect(k.mem.kvtop(lin)).toBe(pa);
      expect(Buffer.from(k.readBytes(lin, 256))).toEqual(elfPhys(pa, 256));
      expect(k.arch.physToDirect(pa)).toBe(lin);
    } finally {
      k.dump.close();
    }
    const vtop = runCli(['-s', DUMP], `vtop ${hex(lin)}\n`).stdout;
    expect(vtop).toMatch(new RegExp(`^VIRTUAL +PHYSICAL *\\n${hex(lin)}  ${hex(pa)} *$`, 'm'));
    expect(vtop).not.toMatch(/: -[0-9a-f]/); // PAGE DIRECTORY and table entries as 64-bit addresses
    expect(runCli(['-s', DUMP], `rd -a ${hex(lin)}\n`).stdout).toMatch(new RegExp(`^${hex(lin)}:  Linux version ${vi('OSRELEASE')} `, 'm'));
    expect(runCli(['-s', DUMP], `ptov ${hex(pa)}\n`).stdout).toMatch(new RegExp(`^VIRTUAL +PHYSICAL *\\n${hex(lin)}  ${hex(pa)} *$`, 'm'));
  });

  it("bt -a: the panic task's frames are the console's call trace", () => {
    const { stdout } = runCli(['-s', DUMP], 'bt -a\n');
    if (!noVmlinux) expect(stdout).toBe(runCli(['-s', VMLINUX, DUMP], 'bt -a\n').stdout);
    const pt = panicTask();
    const sections = stdout.split(/\n(?=PID: )/);
    expect(sections.map((s) => /CPU: (\d+)/.exec(s)?.[1])).toEqual(['0', '1']);
    const mine = sections.find((s) => new RegExp(`^PID: ${pt.pid} .*CPU: ${pt.cpu} `).test(s))!;
    expectPanicChain([...mine.matchAll(/#\d+ \[[0-9a-f]+\] ([\w.]+) at /g)].map((m) => m[1]));
  });

  it("bt -a: cpu 1's idle task, stopped on its IRQ stack, through call_on_irq_stack to secondary_start_kernel", () => {
    const { stdout } = runCli(['-s', DUMP], 'bt -a\n');
    const section = stdout.split(/\n(?=PID: )/).find((s) => / CPU: 1 /.test(s.split('\n')[0]))!;
    expect(section.split('\n')[0]).toMatch(/^PID: 0 .*COMMAND: "swapper\/1"$/);
    const items = parseArm64Bt(section);
    const names = items.map((i) => (i.kind === 'frame' ? i.name : i.kind === 'marker' ? i.text : 'EFRAME'));
    // the stop IPI (smp_send_stop from panic on cpu 0) as the cpu ran it, on its IRQ stack; the
    // entry path on the task stack (arch/arm64/kernel/entry-common.c, entry.S); then the idle loop
    expect(names.slice(0, 17)).toEqual([
      'local_cpu_stop', 'ipi_handler', 'handle_percpu_devid_irq', 'handle_irq_desc', 'generic_handle_domain_irq', 'gic_handle_irq',
      '--- <IRQ stack> ---',
      'call_on_irq_stack', 'do_interrupt_handler', 'el1_interrupt', 'el1h_64_irq_handler', 'el1h_64_irq', 'EFRAME',
      'arch_cpu_idle', 'default_idle_call', 'do_idle', 'cpu_startup_entry',
    ]);
    expect(names.at(-1)).toBe('secondary_start_kernel');
    expectCallChain(items);
    const frames = items.filter((i): i is Extract<BtItem, { kind: 'frame' }> => i.kind === 'frame');
    // the IRQ-stack frames lie in cpu 1's IRQ stack (per-cpu irq_stack_ptr, THREAD_SIZE), the rest in the task's
    const k = openKernel(DUMP);
    try {
      expect(k.symbolAddress('irq_stack_ptr')).toBe(mapAddr('irq_stack_ptr'));
      const irq = arm64IrqStack(k, 1)!;
      expect(irq.top - irq.base).toBe(0x4000n);
      const marker = names.indexOf('--- <IRQ stack> ---');
      frames.forEach((f, i) => expect(f.fp >= irq.base && f.fp < irq.top, `#${f.level} ${f.name}`).toBe(i < marker));
    } finally {
      k.dump.close();
    }
    // the exception frame el1h_64_irq's entry saved: EL1h, the interrupted pc in the next frame's function
    const ef = items[names.indexOf('EFRAME')] as Extract<BtItem, { kind: 'eframe' }>;
    const next = items[names.indexOf('EFRAME') + 1] as Extract<BtItem, { kind: 'frame' }>;
    expect(ef.pstate & 0xfn).toBe(5n);
    expect(mapFunctionAt(ef.pc)).toBe(next.name);
    expect(next.at).toBe(ef.pc - 4n);
    expect(ef.x29).toBe(next.fp); // pt_regs.stackframe holds the interrupted x29, the next record
    expect(ef.sp > frames.find((f) => f.name === 'el1h_64_irq')!.fp).toBe(true);
  });

  it("bt -a: cpu 0 stopped at the EL1h IRQ vector: crash's `vectors` frame, then the frame records of the panic's delay loop", (ctx) => {
    const k = openKernel(DUMP);
    let pc: bigint;
    try {
      const regs = prstatusNotes(k.dump.machine, k.dump.notes)[0].regs;
      pc = regs.pc;
      // QEMU stopped cpu 0 as it took an interrupt: pc at VBAR_EL1 + 0x280 ("current EL with SPx,
      // IRQ"), PSTATE EL1h with D, A, I and F masked, as the exception entry leaves them
      if (pc !== mapAddr('vectors') + 0x280n) {
        console.log('arm64 cpu 0 vectors test skipped: in this capture cpu 0 was not stopped at the IRQ vector');
        ctx.skip(); // another capture: the cpu was elsewhere
      }
      expect(regs.pstate & 0x3cfn).toBe(0x3c5n);
      // ELR_EL1 (the interrupted pc) is not in NT_PRSTATUS; x30 says where: after a call in __delay_cycles
      expect(mapFunctionAt(regs.x30)).toBe('__delay_cycles');
    } finally {
      k.dump.close();
    }
    const section = runCli(['-s', DUMP], 'bt -c 0\n').stdout;
    const items = parseArm64Bt(section);
    // crash names frame #0 by pc - 4 (vectors), then follows x29: the record of __delay_cycles
    expect(items[0]).toMatchObject({ kind: 'frame', level: 0, name: 'vectors', at: pc - 4n });
    expect(items[1]).toMatchObject({ kind: 'frame', level: 1, name: '__delay' });
    expect(callAt((items[1] as Extract<BtItem, { kind: 'frame' }>).at)?.bl).toBe(mapAddr('__delay_cycles'));
    expectCallChain(items.slice(1));
  });

  it('bt -E: no exception frames on the IRQ stacks (6.1 saves pt_regs on the task stack); bt -e: the el1 IRQ frame on swapper/1\'s stack', () => {
    const { stdout } = runCli(['-s', DUMP], 'bt -E\nbt -e 0\n');
    expect(stdout.startsWith('CPU 0 IRQ STACK:(none found)\n\nCPU 1 IRQ STACK:(none found)\n\n')).toBe(true);
    const trace = parseArm64Bt(runCli(['-s', DUMP], 'bt -c 1\n').stdout);
    const ef = trace.find((i) => i.kind === 'eframe') as Extract<BtItem, { kind: 'eframe' }>;
    const el1 = trace.find((i) => i.kind === 'frame' && i.name === 'el1h_64_irq') as Extract<BtItem, { kind: 'frame' }>;
    const swapper1 = stdout.slice(stdout.indexOf('COMMAND: "swapper/1"'));
    // the pt_regs lie below el1h_64_irq's record, which is their stackframe member
    const at = /^KERNEL-MODE EXCEPTION FRAME AT: ([0-9a-f]+)$/m.exec(swapper1);
    expect(at).not.toBeNull();
    const k = openKernel(DUMP);
    try {
      expect(BigInt('0x' + at![1])).toBe(el1.fp - BigInt(k.memberByteOffset('struct pt_regs', 'stackframe')!));
    } finally {
      k.dump.close();
    }
    expect(swapper1).toContain(`     PC: ${hex(ef.pc).padStart(16, '0')}  [`);
  });

  it('the kdump-compressed copy opens (QEMU writes utsname.machine "Unknown" for aarch64; the notes tell)', (ctx) => {
    if (!existsSync(KDUMP)) {
      console.log(`arm64 kdump test skipped: ${KDUMP} is absent (scripts/capture-arm64.sh writes it)`);
      ctx.skip();
    }
    const { stdout } = runCli(['-s', KDUMP], 'sys\nlog\n');
    expect(stdout).toMatch(new RegExp(`^     RELEASE: ${vi('OSRELEASE')}$`, 'm'));
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(consoleKernelLines().at(-1));
  });
});

describe.skipIf(!!noVmlinux)('arm64 vmcore with the dbg package vmlinux (crash vmlinux vmcore)', () => {
  it('symbols and BTF come from the vmlinux, relocated by KERNELOFFSET', () => {
    const k = openKernel(DUMP, { vmlinux: VMLINUX });
    try {
      for (const name of ['init_task', '__per_cpu_offset', 'linux_banner', 'panic']) expect(k.symbolAddress(name), name).toBe(mapAddr(name));
    } finally {
      k.dump.close();
    }
    const { stdout } = runCli(['-s', VMLINUX, DUMP], 'struct task_struct.comm,pid init_task\n');
    expect(stdout).toContain('  comm = "swapper/0\\000\\000\\000\\000\\000\\000",\n  pid = 0,\n');
  });

  it('sys: CPUS, DATE, UPTIME, TASKS, MEMORY (with the vmlinux)', () => {
    const { stdout } = runCli(['-s', VMLINUX, DUMP], 'sys\nps\n');
    expect(stdout).toMatch(/^        CPUS: 2$/m); // "smp: Brought up 1 node, 2 CPUs"; cpu 0 was stopped by the panic
    expect(stdout).toMatch(/^      MEMORY: 1 GB$/m); // -m 1024
    const date = /^        DATE: (.*)$/m.exec(stdout)![1];
    expect(Math.abs(Date.parse(date.replace(/ UTC (\d+)$/, ' $1 UTC')) - statSync(DUMP).mtimeMs)).toBeLessThan(300_000);
    const up = /^      UPTIME: 00:00:(\d\d)$/m.exec(stdout);
    const panicAt = Number(/^\[ *(\d+\.\d+)\] Kernel panic/m.exec(consoleText())![1]);
    expect(Number(up![1]) - Math.floor(panicAt)).toBeGreaterThanOrEqual(0);
    expect(Number(up![1]) - Math.floor(panicAt)).toBeLessThanOrEqual(1);
    const tasks = Number(/^       TASKS: (\d+)$/m.exec(stdout)![1]);
    expect(psRows(stdout.slice(stdout.indexOf('      PID    PPID'))).length).toBe(tasks);
  });

  it('ps: every task the console listed, init (pid 1) active on the panic cpu (with the vmlinux)', () => {
    expectConsoleTasks(psRows(runCli(['-s', VMLINUX, DUMP], 'ps\n').stdout));
  });

  it("bt: the panic task's frames are the console's call trace (with the vmlinux)", () => {
    const { stdout } = runCli(['-s', VMLINUX, DUMP], 'bt\n');
    expectPanicChain([...stdout.matchAll(/#\d+ \[[0-9a-f]+\] ([\w.]+) at /g)].map((m) => m[1]));
  });
});
