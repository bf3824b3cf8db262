/**
 * The ORC unwinder over synthetic tables laid out as the kernel lays them out: `.orc_unwind_ip`
 * (s32 offsets relative to each slot), `.orc_unwind` (6-byte entries), `orc_lookup[]` blocks of
 * 256 bytes of text; entry formats per arch/x86/include/asm/orc_types.h across versions.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeOrcEntry, OrcTable, orcStep, orcVersionFromHeader, orcVersionFromLayout, PT_REGS_SIZE, type OrcVersion, type StackReader,
} from '../../src/arch/unwind-orc.js';
import { fpStep, FP_ENTRY } from '../../src/arch/unwind-fp.js';

/** A sparse little-endian memory: regions at base addresses. */
class Mem {
  private regions: { base: bigint; bytes: Uint8Array }[] = [];
  add(base: bigint, bytes: Uint8Array) {
    this.regions.push({ base, bytes });
  }
  read = (addr: bigint, len: number): Uint8Array => {
    for (const r of this.regions) {
      if (addr >= r.base && addr + BigInt(len) <= r.base + BigInt(r.bytes.length)) {
        const o = Number(addr - r.base);
        return r.bytes.subarray(o, o + len);
      }
    }
    throw new Error(`unmapped ${addr.toString(16)}`);
  };
  reader(): StackReader {
    return {
      u64: (a) => {
        try {
          const b = this.read(a, 8);
          return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
        } catch {
          return undefined;
        }
      },
    };
  }
}

const flags = (spReg: number, bpReg: number, typeAndMore: number) => spReg | (bpReg << 4) | (typeAndMore << 8);

function entryBytes(spOffset: number, bpOffset: number, f: number): Uint8Array {
  const b = new Uint8Array(6);
  const dv = new DataView(b.buffer);
  dv.setInt16(0, spOffset, true);
  dv.setInt16(2, bpOffset, true);
  dv.setUint16(4, f, true);
  return b;
}

const IP_TABLE = 0xffffffff82000000n;
const ENTRIES = 0xffffffff82100000n;
const LOOKUP = 0xffffffff82200000n;
const TEXT = 0xffffffff81000000n;

/** A table over `rows` (ip, entry) — ips ascending — with an optional orc_lookup over TEXT. */
function table(rows: [bigint, Uint8Array][], version: OrcVersion, lookupBlocks?: number): { t: OrcTable; mem: Mem } {
  const mem = new Mem();
  const ips = new Uint8Array(rows.length * 4);
  const ents = new Uint8Array(rows.length * 6);
  rows.forEach(([ip, e], i) => {
    new DataView(ips.buffer).setInt32(i * 4, Number(ip - (IP_TABLE + BigInt(i * 4))), true);
    ents.set(e, i * 6);
  });
  mem.add(IP_TABLE, ips);
  mem.add(ENTRIES, ents);
  let lookup;
  if (lookupBlocks) {
    // unwind_init(): orc_lookup[i] = index of the entry covering the block start
    const lk = new Uint8Array((lookupBlocks + 1) * 4);
    for (let i = 0; i <= lookupBlocks; i++) {
      const start = TEXT + BigInt(i * 256);
      let idx = 0;
      rows.forEach(([ip], j) => {
        if (ip <= start) idx = j;
      });
      new DataView(lk.buffer).setUint32(i * 4, idx, true);
    }
    mem.add(LOOKUP, lk);
    lookup = { table: LOOKUP, blocks: lookupBlocks + 1, startIp: TEXT, stopIp: TEXT + BigInt(lookupBlocks * 256) };
  }
  return { t: new OrcTable({ ipTable: IP_TABLE, entries: ENTRIES, count: rows.length, version, lookup, read: mem.read }), mem };
}

describe('ORC entry formats (orc_types.h by version)', () => {
  it('v1 (4.14..6.2): type 0 CALL, 1 REGS; sp_reg UNDEFINED with `end` is the end of the stack, without it undefined', () => {
    const e = (f: number) => decodeOrcEntry(entryBytes(8, -16, f), 0, 1);
    expect(e(flags(5, 1, 0))).toEqual({ spOffset: 8, bpOffset: -16, spReg: 'sp', bpReg: 'prev_sp', type: 'call', signal: false });
    expect(e(flags(5, 0, 1))).toMatchObject({ type: 'regs', signal: true });
    expect(e(flags(5, 0, 2))).toMatchObject({ type: 'regs_partial', signal: true });
    expect(e(flags(0, 0, 4))).toMatchObject({ type: 'end_of_stack' });
    expect(e(flags(0, 0, 0))).toMatchObject({ type: 'undefined' });
    expect(e(flags(9, 4, 0))).toMatchObject({ spReg: 'sp_indirect', bpReg: 'bp' });
  });

  it('v2 (6.3): a signal bit (0x400) and `end` moved to 0x800', () => {
    const e = (f: number) => decodeOrcEntry(entryBytes(16, 0, f), 0, 2);
    expect(e(flags(5, 0, 0) | 0x400)).toMatchObject({ type: 'call', signal: true });
    expect(e(flags(0, 0, 0) | 0x800)).toMatchObject({ type: 'end_of_stack' });
    expect(e(flags(0, 0, 0) | 0x400)).toMatchObject({ type: 'undefined' });
  });

  it('v3 (6.4): a 3-bit type with UNDEFINED 0, END_OF_STACK 1, CALL 2, REGS 3, REGS_PARTIAL 4; signal 0x800', () => {
    const e = (f: number) => decodeOrcEntry(entryBytes(16, 0, f), 0, 3);
    expect(e(flags(5, 0, 2))).toMatchObject({ type: 'call', signal: false, spReg: 'sp' });
    expect(e(flags(5, 0, 3) | 0x800)).toMatchObject({ type: 'regs', signal: true });
    expect(e(flags(5, 0, 4))).toMatchObject({ type: 'regs_partial' });
    expect(e(flags(0, 0, 1))).toMatchObject({ type: 'end_of_stack' });
    expect(e(flags(0, 0, 0))).toMatchObject({ type: 'undefined' });
  });

  it('v4 (7.1): registers renumbered (SP 3, BP 4, PREV_SP 8)', () => {
    expect(decodeOrcEntry(entryBytes(16, -16, flags(3, 8, 2)), 0, 4)).toMatchObject({ spReg: 'sp', bpReg: 'prev_sp', type: 'call' });
    expect(decodeOrcEntry(entryBytes(16, -16, flags(4, 8, 2)), 0, 4)).toMatchObject({ spReg: 'bp' });
  });

  it('the version comes from the .orc_header hash, else from struct orc_entry in BTF', () => {
    const h64 = Uint8Array.from([0xfe, 0x5d, 0x32, 0xbf, 0x58, 0x1b, 0xd6, 0x3b, 0x2c, 0xa9, 0xa5, 0xc6, 0x5b, 0xa5, 0xa6, 0x25, 0xea, 0xb3, 0xfe, 0x24]);
    expect(orcVersionFromHeader(h64)).toBe(3);
    expect(orcVersionFromHeader(new Uint8Array(20))).toBeUndefined();
    expect(orcVersionFromLayout(true, false)).toBe(1);
    expect(orcVersionFromLayout(true, true)).toBe(2);
    expect(orcVersionFromLayout(false, true)).toBe(3);
  });
});

describe('orc_find over .orc_unwind_ip (the rightmost entry at or below the address)', () => {
  const call = (off: number) => entryBytes(off, 0, flags(5, 0, 0));
  const term = entryBytes(0, 0, flags(0, 0, 0)); // a section terminator: sp_reg UNDEFINED, no end
  const rows: [bigint, Uint8Array][] = [
    [TEXT + 0x00n, call(8)],
    [TEXT + 0x10n, call(16)],
    [TEXT + 0x180n, term],
    [TEXT + 0x180n, call(24)], // same ip as the terminator: the real entry wins
    [TEXT + 0x400n, call(32)],
    [TEXT + 0x800n, term],
  ];

  for (const blocks of [undefined, 8]) {
    it(`finds entries ${blocks ? 'through orc_lookup[]' : 'by binary search'}`, () => {
      const { t } = table(rows, 1, blocks);
      expect(t.find(TEXT - 1n)).toBeUndefined();
      expect(t.find(TEXT)?.spOffset).toBe(8);
      expect(t.find(TEXT + 0xfn)?.spOffset).toBe(8);
      expect(t.find(TEXT + 0x10n)?.spOffset).toBe(16);
      expect(t.find(TEXT + 0x17fn)?.spOffset).toBe(16);
      expect(t.find(TEXT + 0x180n)?.spOffset).toBe(24);
      expect(t.find(TEXT + 0x3ffn)?.spOffset).toBe(24);
      expect(t.find(TEXT + 0x401n)?.spOffset).toBe(32);
      expect(t.find(TEXT + 0x900n)?.type).toBe('undefined');
    });
  }

  it('a lookup block that points past the address falls back to the whole table', () => {
    const { t, mem } = table(rows, 1, 8);
    const lk = mem.read(LOOKUP, 36);
    new DataView(lk.buffer, lk.byteOffset).setUint32(4 * 4, 5, true); // block 4 (0x400..0x4ff) claims entry 5
    expect(t.find(TEXT + 0x401n)?.spOffset).toBe(32);
  });
});

describe('unwind_next_frame() steps', () => {
  const STACK = 0xffffc90000010000n;
  const mem = new Mem();
  const stack = new Uint8Array(0x4000);
  const dv = new DataView(stack.buffer);
  const put = (a: bigint, v: bigint) => dv.setBigUint64(Number(a - STACK), v, true);
  mem.add(STACK, stack);
  const r = mem.reader();

  it('CALL: the return address sits just below sp + sp_offset; PREV_SP restores bp from the new frame', () => {
    put(STACK + 0x100n + 0x18n - 8n, 0xffffffff81001234n);
    put(STACK + 0x100n + 0x18n - 16n, STACK + 0x300n);
    const e = decodeOrcEntry(entryBytes(0x18, -16, flags(5, 1, 0)), 0, 1);
    const s = orcStep(e, { ip: TEXT, sp: STACK + 0x100n, signal: false }, r);
    expect(s).toEqual({ kind: 'call', retSlot: STACK + 0x110n, next: { ip: 0xffffffff81001234n, sp: STACK + 0x118n, bp: STACK + 0x300n, signal: false } });
  });

  it('SP_INDIRECT (call_on_irqstack): the previous stack pointer is loaded from [sp], then offset', () => {
    put(STACK + 0x200n, STACK + 0x1000n);
    put(STACK + 0x1000n + 0x10n - 8n, 0xffffffff81005678n);
    const e = decodeOrcEntry(entryBytes(0x10, 0, flags(9, 0, 0)), 0, 1);
    const s = orcStep(e, { ip: TEXT, sp: STACK + 0x200n, signal: false }, r);
    expect(s).toMatchObject({ kind: 'call', retSlot: STACK + 0x1008n, next: { ip: 0xffffffff81005678n, sp: STACK + 0x1010n } });
  });

  it('REGS: pt_regs at sp + sp_offset give the interrupted ip, sp and bp; the next lookup uses the exact ip', () => {
    const regs = STACK + 0x400n;
    put(regs + 4n * 8n, 0xabcdn); // bp
    put(regs + 16n * 8n, 0xffffffff81009999n); // ip
    put(regs + 17n * 8n, 0x10n); // cs
    put(regs + 19n * 8n, STACK + 0x800n); // sp
    const e = decodeOrcEntry(entryBytes(0, 0, flags(5, 0, 1)), 0, 1);
    const s = orcStep(e, { ip: TEXT, sp: regs, signal: false }, r);
    expect(s).toMatchObject({ kind: 'regs', regsAddr: regs, partial: false, next: { ip: 0xffffffff81009999n, sp: STACK + 0x800n, bp: 0xabcdn, signal: true } });
    expect(PT_REGS_SIZE).toBe(168);
  });

  it('REGS_PARTIAL: only the iret frame is there; the pt_regs start IRET_FRAME_OFFSET below it', () => {
    const iret = STACK + 0x600n;
    put(iret, 0xffffffff8100aaaan);
    put(iret + 24n, STACK + 0x900n);
    const e = decodeOrcEntry(entryBytes(0, 0, flags(5, 0, 2)), 0, 1);
    expect(orcStep(e, { ip: TEXT, sp: iret, bp: 7n, signal: false }, r)).toMatchObject({ kind: 'regs', regsAddr: iret - 128n, partial: true, next: { ip: 0xffffffff8100aaaan, sp: STACK + 0x900n, bp: 7n } });
  });

  it('the end of the stack ends; an undefined entry or an unknown register is an error', () => {
    expect(orcStep(decodeOrcEntry(entryBytes(0, 0, flags(0, 0, 4)), 0, 1), { ip: TEXT, sp: STACK, signal: false }, r)).toEqual({ kind: 'end' });
    expect(orcStep(decodeOrcEntry(entryBytes(0, 0, flags(0, 0, 0)), 0, 1), { ip: TEXT, sp: STACK, signal: false }, r).kind).toBe('error');
    expect(orcStep(decodeOrcEntry(entryBytes(0, 0, flags(6, 0, 0)), 0, 1), { ip: TEXT, sp: STACK, signal: false }, r)).toMatchObject({ kind: 'error', message: 'missing r10 value' });
  });

  it('frame pointers (orc_fp_entry): caller sp = bp + 16, return address at bp + 8, caller bp at [bp]', () => {
    const bp = STACK + 0xa00n;
    put(bp, STACK + 0xb00n);
    put(bp + 8n, 0xffffffff8100bbbbn);
    expect(FP_ENTRY).toMatchObject({ spReg: 'bp', spOffset: 16, bpReg: 'prev_sp', bpOffset: -16 });
    expect(fpStep({ ip: TEXT, sp: STACK, bp, signal: false }, r)).toEqual({ kind: 'call', retSlot: bp + 8n, next: { ip: 0xffffffff8100bbbbn, sp: bp + 16n, bp: STACK + 0xb00n, signal: false } });
    expect(fpStep({ ip: TEXT, sp: STACK, signal: false }, r).kind).toBe('error');
  });
});
