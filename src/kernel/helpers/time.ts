import type { Kernel } from '../kernel.js';

const HZ_CANDIDATES = [100, 250, 300, 1000, 24, 32, 48, 64, 128, 200, 256, 512, 1024, 1200];

/** CLOCK_REALTIME seconds at the crash: tk_core.timekeeper.xtime_sec (kernel/time/timekeeping.c). */
export function xtimeSec(k: Kernel): bigint | undefined {
  const tk = timekeeperAddr(k);
  if (tk === undefined) return undefined;
  return k.readU64(tk + BigInt(k.offsetOf('struct timekeeper', 'xtime_sec')), 'timekeeper xtime_sec');
}

/**
 * Address of the live struct timekeeper. tk_core is `static struct { seqcount_raw_spinlock_t seq;
 * struct timekeeper timekeeper; }` (6.x, named timekeeper_data since 6.13): an anonymous type BTF
 * cannot name, so the member offset is the seqcount's size rounded up to the timekeeper's alignment.
 */
function timekeeperAddr(k: Kernel): bigint | undefined {
  const data = k.symbol('timekeeper_data') ?? k.symbol('tk_core');
  if (data) {
    const seq = k.hasType('seqcount_raw_spinlock_t') ? k.sizeOf('seqcount_raw_spinlock_t') : 4;
    return data.address + BigInt((seq + 7) & ~7);
  }
  return k.symbol('timekeeper')?.address;
}

/** Seconds since boot from the timekeeper (monotonic + boot offset): independent of HZ. */
export function uptimeSecondsFromClock(k: Kernel): number | undefined {
  const tk = timekeeperAddr(k);
  if (tk === undefined) return undefined;
  const xtime = k.readU64(tk + BigInt(k.offsetOf('struct timekeeper', 'xtime_sec')), 'xtime_sec');
  const wtm = BigInt.asIntN(64, k.readU64(tk + BigInt(k.offsetOf('struct timekeeper', 'wall_to_monotonic')), 'wall_to_monotonic'));
  let boot = 0n;
  const ob = k.memberByteOffset('struct timekeeper', 'offs_boot');
  if (ob !== undefined) boot = BigInt.asIntN(64, k.readU64(tk + BigInt(ob), 'offs_boot')) / 1_000_000_000n;
  return Number(BigInt.asIntN(64, xtime) + wtm + boot);
}

/**
 * CONFIG_HZ is not in VMCOREINFO or BTF. jiffies_64 starts at INITIAL_JIFFIES = (u32)(-300*HZ)
 * (include/linux/jiffies.h), so the HZ for which jiffies and the timekeeper's uptime agree is it.
 */
export function kernelHz(k: Kernel): number | undefined {
  return k.memo('hz', () => {
    const up = uptimeSecondsFromClock(k);
    const j = jiffies64(k);
    if (up === undefined || j === undefined) return undefined;
    let best: number | undefined;
    let bestErr = Infinity;
    for (const hz of HZ_CANDIDATES) {
      const err = Math.abs(Number(sinceBoot(j, hz)) / hz - up);
      if (err < bestErr) {
        bestErr = err;
        best = hz;
      }
    }
    return bestErr <= 2 ? best : undefined;
  });
}

export function jiffies64(k: Kernel): bigint | undefined {
  const s = k.symbol('jiffies_64') ?? k.symbol('jiffies');
  return s ? k.readU64(s.address, 'jiffies_64') : undefined;
}

/** Jiffies since boot with INITIAL_JIFFIES removed, as crash's get_uptime() computes it. */
export function sinceBoot(j64: bigint, hz: number): bigint {
  const wrapped = j64 & 0xffffffff00000000n;
  if (wrapped) return ((wrapped - 0x100000000n) | (j64 & 0xffffffffn)) + BigInt(300 * hz);
  const initial = BigInt((-300 * hz) >>> 0);
  return BigInt.asUintN(64, j64 - initial);
}

/** crash's convert_time(): `N days, HH:MM:SS`. */
export function formatUptime(ticks: bigint, hz: number): string {
  let total = ticks / BigInt(hz);
  const days = total / 86400n;
  total %= 86400n;
  const p = (v: bigint) => v.toString().padStart(2, '0');
  return `${days ? `${days} days, ` : ''}${p(total / 3600n)}:${p((total % 3600n) / 60n)}:${p(total % 60n)}`;
}

/** avenrun[] (fixed point, FSHIFT 11) as crash prints it, rounded by FIXED_1/200. */
export function loadAverage(k: Kernel): string {
  const a = k.symbolAddress('avenrun');
  const parts: string[] = [];
  for (let i = 0; i < 3; i++) {
    const v = Number(k.readU64(a + BigInt(i * 8), 'avenrun array')) + Math.floor(2048 / 200);
    const int = Math.floor(v / 2048);
    const frac = Math.floor(((v & 2047) * 100) / 2048);
    parts.push(`${int}.${String(frac).padStart(2, '0')}`);
  }
  return parts.join(', ');
}
