/**
 * ORC unwinding (arch/unwind-orc.ts): the `.orc_unwind_ip` / `.orc_unwind` tables and the
 * `orc_lookup` index read from memory, entries decoded in every format version, and an unwind of
 * up to MAX_FRAMES steps over a stack. An input is
 *   [header: version u8, count u32, ipTable, entries, lookup table, startIp, stopIp (u64), blocks u32,
 *    ip, sp, bp, stack base (u64)] [ip table] [entries] [lookup] [stack]
 * Seeds: a window of the reference kernel's real tables around the ips of real task stacks,
 * with those stacks; and a small hand-made table in each format version.
 */
import { decodeOrcEntry, OrcTable, orcStep, type OrcVersion, type UnwindState } from '../../src/arch/unwind-orc.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { orcVersion } from '../../src/kernel/helpers/orc.js';
import { taskTable } from '../../src/kernel/helpers/task.js';
import { unwindStart } from '../../src/kernel/helpers/backtrace.js';
import { taskStack } from '../../src/kernel/helpers/stack.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { pack, u32At, u64At, unpack } from '../lib/container.js';
import { Windows } from '../lib/sources.js';
import { refKernel, refNote } from '../lib/seeds.js';

const WINDOW = 4096;
const MAX_FRAMES = 64;

interface Spec {
  version: number; count: number; ipTable: bigint; entries: bigint; lookup: bigint; startIp: bigint; stopIp: bigint; blocks: number;
  ip: bigint; sp: bigint; bp: bigint; stackBase: bigint;
}

function header(s: Spec): Uint8Array {
  const b = new Uint8Array(1 + 4 + 8 * 5 + 4 + 8 * 4);
  const dv = new DataView(b.buffer);
  b[0] = s.version;
  dv.setUint32(1, s.count, true);
  [s.ipTable, s.entries, s.lookup, s.startIp, s.stopIp].forEach((v, i) => dv.setBigUint64(5 + i * 8, v, true));
  dv.setUint32(45, s.blocks, true);
  [s.ip, s.sp, s.bp, s.stackBase].forEach((v, i) => dv.setBigUint64(49 + i * 8, BigInt.asUintN(64, v), true));
  return b;
}

function parseHeader(b: Uint8Array): Spec {
  const u64 = (i: number) => u64At(b, 5 + i * 8);
  const r = (i: number) => u64At(b, 49 + i * 8);
  return {
    version: b[0] ?? 1, count: u32At(b, 1), ipTable: u64(0), entries: u64(1), lookup: u64(2), startIp: u64(3), stopIp: u64(4),
    blocks: u32At(b, 45), ip: r(0), sp: r(1), bp: r(2), stackBase: r(3),
  };
}

/** Real tables around the ip each of a few tasks is stopped at, with that task's stack. */
function realSeeds(k: Kernel): Uint8Array[] {
  const sym = (n: string) => k.symbol(n)!.address;
  const ipTable = sym('__start_orc_unwind_ip');
  const entries = sym('__start_orc_unwind');
  const total = Number((sym('__stop_orc_unwind_ip') - ipTable) / 4n);
  const raw = k.readBytes(ipTable, total * 4, 'orc');
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const ipAt = (i: number) => ipTable + BigInt(i * 4) + BigInt(dv.getInt32(i * 4, true));
  const version = orcVersion(k) ?? 1;
  const lookup = sym('orc_lookup');
  const startIp = sym('_stext');
  const out: Uint8Array[] = [];
  for (const tc of taskTable(k).slice(0, 6)) {
    const start = attempt(() => unwindStart(k, tc));
    const stack = taskStack(k, tc);
    if (!start || !stack) continue;
    let lo = 0;
    let hi = total - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ipAt(mid) <= start.state.ip) lo = mid;
      else hi = mid - 1;
    }
    const i0 = Math.max(0, Math.min(total - WINDOW, lo - WINDOW / 2));
    const b0 = Number((ipAt(i0) - startIp) / 256n) + 1;
    const b1 = Number((ipAt(i0 + WINDOW - 1) - startIp) / 256n);
    const lk = k.readBytes(lookup + BigInt(b0 * 4), Math.max(0, b1 - b0 + 1) * 4, 'orc lookup');
    const lv = new DataView(lk.buffer, lk.byteOffset, lk.byteLength);
    for (let o = 0; o < lk.length; o += 4) lv.setUint32(o, Math.max(0, Math.min(WINDOW - 1, lv.getUint32(o, true) - i0)), true);
    const spec: Spec = {
      version, count: WINDOW, ipTable: ipTable + BigInt(i0 * 4), entries: entries + BigInt(i0 * 6), lookup: 0xffffffff8e000000n,
      startIp: startIp + BigInt(b0 * 256), stopIp: startIp + BigInt((b1 + 1) * 256), blocks: b1 - b0 + 1,
      ip: start.state.ip, sp: start.state.sp, bp: start.state.bp ?? 0n, stackBase: stack.base,
    };
    const stackBytes = attempt(() => k.readBytes(stack.base, Number(stack.top - stack.base), 'stack'));
    if (!stackBytes) continue;
    out.push(pack([header(spec), raw.subarray(i0 * 4, (i0 + WINDOW) * 4), k.readBytes(spec.entries, WINDOW * 6, 'orc'), lk, stackBytes]));
  }
  return out;
}

/** A three-function table (call frames, a pt_regs frame, the end of the stack) in one format. */
function synthSeed(version: OrcVersion): Uint8Array {
  const text = 0xffffffff81000000n;
  const ipTable = 0xffffffff82000000n;
  const ips = [text, text + 0x100n, text + 0x200n, text + 0x300n];
  const ipb = new Uint8Array(ips.length * 4);
  ips.forEach((ip, i) => new DataView(ipb.buffer).setInt32(i * 4, Number(ip - (ipTable + BigInt(i * 4))), true));
  const type = (t: 'call' | 'regs' | 'end') => (version >= 3 ? { call: 2, regs: 3, end: 1 }[t] : { call: 0, regs: 1, end: 0 }[t]);
  const spReg = version === 4 ? 3 : 5; // ORC_REG_SP
  const ent = new Uint8Array(ips.length * 6);
  const ev = new DataView(ent.buffer);
  const put = (i: number, spOff: number, t: 'call' | 'regs' | 'end') => {
    ev.setInt16(i * 6, spOff, true);
    ev.setUint16(i * 6 + 4, (t === 'end' ? 0 : spReg) | (type(t) << 8) | (t === 'end' && version <= 2 ? (version === 1 ? 0x400 : 0x800) : 0), true);
  };
  put(0, 8, 'call');
  put(1, 16, 'call');
  put(2, 0, 'regs');
  put(3, 0, 'end');
  const stackBase = 0xffffc90000000000n;
  const stack = new Uint8Array(0x4000);
  const sv = new DataView(stack.buffer);
  sv.setBigUint64(0x3e00, text + 0x101n, true); // return into function 1
  sv.setBigUint64(0x3e10, text + 0x201n, true); // into function 2, whose frame is pt_regs
  sv.setBigUint64(0x3e10 + 16 * 8, text + 0x300n, true); // pt_regs->ip
  sv.setBigUint64(0x3e10 + 19 * 8, stackBase + 0x3f00n, true); // pt_regs->sp
  const spec: Spec = {
    version, count: ips.length, ipTable, entries: 0xffffffff82100000n, lookup: 0xffffffff82200000n, startIp: text, stopIp: text + 0x400n,
    blocks: 4, ip: text + 0x10n, sp: stackBase + 0x3df8n, bp: 0n, stackBase,
  };
  const lookup = new Uint8Array(16);
  [0, 1, 2, 3].forEach((v, i) => new DataView(lookup.buffer).setUint32(i * 4, v, true));
  return pack([header(spec), ipb, ent, lookup, stack]);
}

export const orcTarget: FuzzTarget = {
  name: 'orc',
  description: 'ORC tables (ip table, entries, lookup index) and unwinding over a stack',
  kind: 'bytes',
  setup() {
    const r = refKernel();
    const seeds = [...(typeof r === 'string' ? [] : realSeeds(r.kernel)), ...([1, 2, 3, 4] as const).map(synthSeed)];
    return {
      seeds,
      note: refNote(),
      dict: { ints: [0xffffffff81000000n, 0xffffc90000003e00n, 0x500n, 0x305n, 0x204n, 0x100n, 0x400n, 0x800n] },
      run(input) {
        const [h, ips, ents, lookup, stack] = unpack(input, 5) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
        const s = parseHeader(h);
        const version = (1 + ((s.version - 1) & 3)) as OrcVersion;
        for (let o = 0; o + 6 <= ents.length && o < 6 * 256; o += 6) decodeOrcEntry(ents, o, version);
        const w = new Windows().map(s.ipTable, ips).map(s.entries, ents).map(s.lookup, lookup).map(s.stackBase, stack);
        const table = new OrcTable({
          ipTable: s.ipTable, entries: s.entries, count: s.count, version, read: w.read,
          lookup: s.blocks ? { table: s.lookup, blocks: s.blocks, startIp: s.startIp, stopIp: s.stopIp } : undefined,
        });
        const mem = { u64: (a: bigint) => attempt(() => u64At(w.read(a, 8), 0)) };
        let st: UnwindState = { ip: s.ip, sp: s.sp, bp: s.bp, signal: true };
        for (let n = 0; n < MAX_FRAMES; n++) {
          const e = attempt(() => table.find(st.signal ? st.ip : st.ip - 1n));
          const step = e ? orcStep(e, st, mem) : undefined;
          if (!step || step.kind === 'end' || step.kind === 'error') break;
          st = step.next;
        }
        for (const ip of [s.startIp, s.stopIp - 1n, s.ip + 0x1000n, 1n]) attempt(() => table.find(ip));
      },
    };
  },
};
