import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { perCpuPtr } from './percpu.js';
import { moduleSymbolAt } from './module.js';
import { rbInorder } from './rbtree.js';
import { jiffies64, kernelHz, sinceBoot } from './time.js';
import { resolveType } from '../../debuginfo/btf/types.js';

/**
 * Timers (kernel/time/timer.c, hrtimer.c): the per-cpu timer wheels timer_bases[NR_BASES]
 * (v4.8+, 500462a9de65), each with hlist vectors of struct timer_list; and the per-cpu
 * hrtimer_bases with one timerqueue (an rb-tree in expiry order) per clock base.
 */

export interface FnSym {
  name: string;
  offset: bigint;
}

export interface WheelTimer {
  addr: bigint;
  expires: bigint;
  /** expires - jiffies, signed */
  tte: bigint;
  function: bigint;
  sym?: FnSym;
}

export interface TimerBase {
  addr: bigint;
  label: string;
  timers: WheelTimer[];
}

export interface Hrtimer {
  addr: bigint;
  /** undefined: crash's "(destroyed timer)" (the hrtimer is unreadable) */
  expires?: bigint;
  softexpires?: bigint;
  function?: bigint;
  sym?: FnSym;
}

export interface HrClockBase {
  index: number;
  addr: bigint;
  /** get_time's symbol (`ktime_get`), or the hrtimer_base_type name on kernels without get_time */
  clock?: string;
  now: bigint;
  timers: Hrtimer[];
}

export interface HrtimerCpu {
  cpu: number;
  base: bigint;
  clocks: HrClockBase[];
}

const U64 = (1n << 64n) - 1n;

/** value_to_symstr()'s lookup: kernel symbol or module symbol containing the address. */
export function fnSym(k: Kernel, addr: bigint): FnSym | undefined {
  const mod = moduleSymbolAt(k, addr);
  if (mod) return { name: mod.sym.name, offset: mod.offset };
  const hit = k.arch.isKernelAddr(addr) ? k.symbols.containing(addr) : undefined;
  return hit ? { name: hit.sym.name, offset: hit.offset } : undefined;
}

/** jiffies as crash reads it (an unsigned long). */
export function readJiffies(k: Kernel): bigint {
  const s = k.symbol('jiffies') ?? k.symbol('jiffies_64');
  if (!s) throw new CrashError('cannot resolve: jiffies');
  return k.readU64(s.address, 'jiffies');
}

/** The labels of timer_bases[]: NR_BASES from BTF, else sysctl_timer_migration as crash probes. */
function baseLabels(k: Kernel): string[] {
  const t = k.typeOfSymbol('timer_bases');
  const r = t && resolveType(t.type);
  const n = r && r.kind === 'array' && r.length ? r.length : k.symbol('sysctl_timer_migration') ? 2 : 1;
  // v6.9 (83a665dc99a7) added BASE_GLOBAL: BASE_LOCAL, BASE_GLOBAL, BASE_DEF
  return n >= 3 ? ['BASE_LOCAL', 'BASE_GLOBAL', 'BASE_DEF'].slice(0, n) : ['BASE_STD', 'BASE_DEF'].slice(0, n);
}

/** Each timer_base of a cpu with its pending timers, sorted by expiry (crash's compare_timer_data). */
export function timerBases(k: Kernel, cpu: number, jiffies: bigint): TimerBase[] {
  const sym = k.symbol('timer_bases');
  if (!sym || !k.hasMember('struct timer_base', 'vectors')) throw new CrashError('per-cpu timer_bases do not exist');
  const vecMember = k.types.memberOf('struct timer_base', 'vectors')!;
  const vt = resolveType(vecMember.type);
  const nvec = vt.kind === 'array' ? vt.length : 0;
  if (!nvec) throw new CrashError('cannot determine timer_base.vectors[] array size');
  const size = BigInt(k.sizeOf('struct timer_base'));
  const vecOff = BigInt(Math.floor(vecMember.bitOffset / 8));
  const entryOff = BigInt(k.offsetOf('struct timer_list', 'entry'));
  const expOff = BigInt(k.offsetOf('struct timer_list', 'expires'));
  const fnOff = BigInt(k.offsetOf('struct timer_list', 'function'));
  return baseLabels(k).map((label, b) => {
    const addr = perCpuPtr(k, sym.address, cpu) + size * BigInt(b);
    const raw = k.readBytes(addr + vecOff, nvec * 8, 'timer_base.vectors[]');
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const timers: WheelTimer[] = [];
    for (let i = 0; i < nvec; i++) {
      const head = dv.getBigUint64(i * 8, true);
      if (!head) continue;
      // do_list(RETURN_ON_LIST_ERROR): a chain with an unreadable or looping node is ignored
      const chain: bigint[] = [];
      const seen = new Set<bigint>();
      let ok = true;
      for (let n = head; n; ) {
        if (seen.has(n) || seen.size > 1_000_000) {
          ok = false;
          break;
        }
        seen.add(n);
        chain.push(n - entryOff);
        try {
          n = k.readPtr(n, 'hlist_node next');
        } catch {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      for (const t of chain) {
        try {
          const expires = k.readU64(t + expOff, 'timer_list expires');
          const fn = k.readPtr(t + fnOff, 'timer_list function');
          timers.push({ addr: t, expires, tte: BigInt.asIntN(64, expires - jiffies), function: fn, sym: fnSym(k, fn) });
        } catch {
          /* readmem(QUIET|RETURN_ON_ERROR): skipped */
        }
      }
    }
    timers.sort((a, b) => (a.expires < b.expires ? -1 : a.expires > b.expires ? 1 : 0));
    return { addr, label, timers };
  });
}

/** The per-cpu hrtimer_cpu_base and each clock base's queued hrtimers in expiry order. */
export function hrtimerCpu(k: Kernel, cpu: number): HrtimerCpu {
  const sym = k.symbol('hrtimer_bases');
  const CB = 'struct hrtimer_clock_base';
  if (!sym || !k.hasType(CB) || !k.hasMember(CB, 'active')) throw new CrashError('-r option not supported or applicable on this architecture or kernel');
  const cbm = k.types.memberOf('struct hrtimer_cpu_base', 'clock_base');
  if (!cbm) throw new CrashError('-r option not supported or applicable on this architecture or kernel');
  const cbSize = k.sizeOf(CB);
  const n = Math.max(1, Math.floor(k.types.sizeof(cbm.type) / cbSize));
  const base = perCpuPtr(k, sym.address, cpu);
  const hz = kernelHz(k);
  const j = jiffies64(k);
  if (hz === undefined || j === undefined) throw new CrashError('cannot determine the current time (HZ or jiffies unknown)');
  const uptimeNs = sinceBoot(j, hz) * (1_000_000_000n / BigInt(hz));
  const o = (s: string, m: string) => k.memberByteOffset(s, m);
  const clocks: HrClockBase[] = [];
  for (let i = 0; i < n; i++) {
    const addr = base + BigInt(Math.floor(cbm.bitOffset / 8) + i * cbSize);
    let clock: string | undefined;
    const gt = o(CB, 'get_time');
    if (gt !== undefined) {
      const fn = k.readPtr(addr + BigInt(gt), 'hrtimer_clock_base get_time');
      const s = fnSym(k, fn);
      clock = s ? (s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name) : '';
    } else clock = baseTypeName(k, k.readU32(addr + BigInt(o(CB, 'index') ?? 8), 'hrtimer_clock_base index'));
    const offOff = o(CB, 'offset');
    const offset = offOff === undefined ? 0n : k.readU64(addr + BigInt(offOff), 'hrtimer_clock_base offset');
    const now = (uptimeNs + offset) & U64;
    clocks.push({ index: i, addr, clock, now, timers: activeHrtimers(k, addr) });
  }
  return { cpu, base, clocks };
}

/** On v6.18+ (no get_time) crash names a clock base by its enum hrtimer_base_type enumerator. */
function baseTypeName(k: Kernel, index: number): string | undefined {
  const t = k.types.tryParse('enum hrtimer_base_type');
  const r = t && resolveType(t);
  return r && r.kind === 'enum' ? r.values.find((v) => v.value === BigInt(index))?.name : undefined;
}

function activeHrtimers(k: Kernel, clockBase: bigint): Hrtimer[] {
  const CB = 'struct hrtimer_clock_base';
  const H = 'struct hrtimer';
  const active = clockBase + BigInt(k.offsetOf(CB, 'active'));
  // timerqueue_head: { struct rb_root_cached rb_root } (v4.20+), or { rb_root head; node *next }
  const cached = k.memberByteOffset('struct timerqueue_head', 'rb_root.rb_leftmost');
  const nextOff = k.memberByteOffset('struct timerqueue_head', 'next');
  const first = cached !== undefined ? cached : nextOff;
  if (first !== undefined && !k.readPtr(active + BigInt(first), 'hrtimer_clock_base active')) return [];
  const rootOff = k.memberByteOffset('struct timerqueue_head', 'rb_root') ?? k.memberByteOffset('struct timerqueue_head', 'head') ?? 0;
  const top = k.readPtr(active + BigInt(rootOff), 'timerqueue_head rb_root');
  const nodeOff = BigInt(k.offsetOf(H, 'node') + (k.memberByteOffset('struct timerqueue_node', 'node') ?? 0));
  const expOff = BigInt(k.offsetOf(H, 'node') + k.offsetOf('struct timerqueue_node', 'expires'));
  const softOff = k.memberByteOffset(H, '_softexpires');
  const fnOff = BigInt(k.offsetOf(H, 'function'));
  const out: Hrtimer[] = [];
  for (const node of rbInorder(k, top, 'hrtimer_clock_base active')) {
    const t = node - nodeOff;
    try {
      const expires = k.readU64(t + expOff, 'hrtimer expires');
      const softexpires = softOff === undefined ? undefined : k.readU64(t + BigInt(softOff), 'hrtimer softexpires');
      let fn: bigint | undefined;
      try {
        fn = k.readPtr(t + fnOff, 'hrtimer function');
      } catch {
        fn = undefined;
      }
      out.push({ addr: t, expires, softexpires, function: fn, sym: fn === undefined ? undefined : fnSym(k, fn) });
    } catch {
      out.push({ addr: t });
    }
  }
  return out;
}
