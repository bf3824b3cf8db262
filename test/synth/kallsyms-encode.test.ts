import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeKallsyms } from '../../src/debuginfo/kallsyms.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { openDumpFile } from '../../src/dump/open.js';
import { type EncodeSymbol, type KallsymsMode, encodeKallsyms, isIgnoredSymbol, layoutKallsyms } from '../../src/synth/kallsyms-encode.js';
import { REFDUMP_DIR, refdump } from '../support/refdump.js';

const SYSTEM_MAP = `${REFDUMP_DIR}/System.map`;
const haveMap = existsSync(SYSTEM_MAP);
if (!haveMap) console.log(`kallsyms-encode.test: System.map tests skipped (${SYSTEM_MAP} absent)`);
const KOFF = 0xa600000n; // the reference dump's KERNELOFFSET

/** System.map as scripts/kallsyms.c would take it: relocated by KOFF, per-CPU symbols flagged. */
function systemMap(): EncodeSymbol[] {
  const rows = readFileSync(SYSTEM_MAP, 'latin1').trim().split('\n').map((l) => l.split(' ') as [string, string, string]);
  const pcpuEnd = BigInt('0x' + rows.find((r) => r[2] === '__per_cpu_end')![0]);
  const out: EncodeSymbol[] = [];
  for (const [a, type, name] of rows) {
    const addr = BigInt('0x' + a);
    const percpu = addr <= pcpuEnd;
    if (!percpu && isIgnoredSymbol(name, type)) continue;
    if (['__crc_', '__kstrtab_', '__kstrtabns_', '.L', '$'].some((p) => name.startsWith(p))) continue; // mksysmap
    out.push({ name, type, address: percpu ? addr : addr + KOFF, percpu });
  }
  return out;
}

/** Place the tables at `base` in a flat fake kernel image and decode them back. */
function roundTrip(syms: EncodeSymbol[], mode: KallsymsMode, opts: { big?: boolean; stext?: bigint } = {}) {
  const enc = encodeKallsyms(syms, { mode, bigSymbols: opts.big ?? true });
  const base = 0xffffffff8c7619c8n;
  const lay = layoutKallsyms(enc, base);
  const read = (va: bigint, len: number) => {
    const o = Number(va - base);
    if (va < base || o + len > lay.bytes.length + 0x1000) throw new Error(`seek error: kernel virtual address: ${va.toString(16)}`);
    const out = new Uint8Array(len);
    out.set(lay.bytes.subarray(o, o + len));
    return out;
  };
  const stext = opts.stext ?? enc.symbols.find((s) => s.name === '_stext')?.address;
  const vi = new VmcoreInfo(lay.vmcoreinfo + (stext !== undefined ? `SYMBOL(_stext)=${stext.toString(16)}\n` : ''));
  return { enc, lay, decoded: decodeKallsyms(vi, read) };
}

describe.skipIf(!haveMap)('encodeKallsyms → decodeKallsyms with System.map names', () => {
  const all = haveMap ? systemMap() : [];
  // ~2000 symbols: every 64th, plus _stext and the per-CPU ones at the start, plus one huge name
  const sample = all.filter((s, i) => i % 46 === 0 || s.name === '_stext' || (s.percpu && i < 40));
  const longName = 'x86_' + Array.from({ length: 420 }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('');
  sample.push({ name: longName, type: 't', address: 0xffffffff8c001000n + KOFF });

  it.each(['absolute-percpu', 'base-relative', 'place-relative', 'absolute'] as KallsymsMode[])('%s', (mode) => {
    const syms = mode === 'absolute-percpu' ? sample : sample.filter((s) => !s.percpu);
    expect(syms.length).toBeGreaterThan(1900);
    const { enc, decoded } = roundTrip(syms, mode);
    expect(decoded).toEqual(enc.symbols);
    // the input comes back (sorted by address; per-CPU symbols typed 'A' as make_percpus_absolute does)
    const want = syms.map((s) => `${s.address.toString(16)} ${s.percpu && mode === 'absolute-percpu' ? 'A' : s.type} ${s.name}`).sort();
    expect(decoded.map((s) => `${s.address.toString(16)} ${s.type} ${s.name}`).sort()).toEqual(want);
    for (let i = 1; i < decoded.length; i++) expect(decoded[i]!.address >= decoded[i - 1]!.address).toBe(true);
  });

  it('the long name needs a 2-byte ULEB128 length, and refuses 1-byte lengths', () => {
    const { enc } = roundTrip(sample, 'absolute-percpu');
    const names = enc.tables.find((t) => t.name === 'kallsyms_names')!.bytes;
    const i = enc.symbols.findIndex((s) => s.name === longName);
    const markers = new DataView(enc.tables.find((t) => t.name === 'kallsyms_markers')!.bytes.buffer);
    let p = markers.getUint32((i >> 8) * 4, true);
    for (let k = i & ~0xff; k < i; k++) p += names[p]! & 0x80 ? 2 + ((names[p]! & 0x7f) | (names[p + 1]! << 7)) : 1 + names[p]!;
    expect(names[p]! & 0x80).toBe(0x80);
    const len = (names[p]! & 0x7f) | (names[p + 1]! << 7);
    expect(len).toBeGreaterThanOrEqual(0x100);
    expect(() => encodeKallsyms(sample, { mode: 'absolute-percpu', bigSymbols: false })).toThrow(/one-byte/);
  });

  it('uses all 256 token slots, and the tables are laid out 8-aligned in write_src() order', () => {
    const { enc, lay } = roundTrip(sample, 'absolute-percpu');
    expect(enc.tokens.filter(Boolean).length).toBe(256);
    expect(enc.tables.map((t) => t.name)).toEqual([
      'kallsyms_offsets', 'kallsyms_relative_base', 'kallsyms_num_syms', 'kallsyms_names',
      'kallsyms_markers', 'kallsyms_seqs_of_names', 'kallsyms_token_table', 'kallsyms_token_index',
    ]);
    for (const a of Object.values(lay.addresses)) expect(a & 7n).toBe(0n);
    expect(lay.vmcoreinfo).toMatch(/^SYMBOL\(kallsyms_names\)=ffffffff8c/);
    expect(lay.vmcoreinfo).toContain('SYMBOL(kallsyms_relative_base)=');
    expect(lay.vmcoreinfo).not.toContain('markers');
  });

  it('encodes and decodes 100k symbols (a whole kernel\'s worth) losslessly', () => {
    // System.map has ~94k kallsyms symbols; top up with renamed copies to 100k. How long this takes
    // is a benchmark's business (bench/startup.mjs times the decoder), not a test's.
    const big = [...all, ...all.slice(0, 100_000 - all.length).map((s) => ({ ...s, name: `${s.name}.cold` }))];
    expect(big.length).toBe(100_000);
    const { enc, decoded } = roundTrip(big, 'absolute-percpu');
    expect(decoded.length).toBe(100_000);
    expect(decoded).toEqual(enc.symbols);
  });
});

describe('encodeKallsyms details', () => {
  const K = 0xffffffff81000000n;
  it('sorts like compare_symbols: address, then non-weak, then non-linker-provided, then fewer underscores', () => {
    const enc = encodeKallsyms([
      { name: '__start_foo_section', type: 'T', address: K + 0x10n },
      { name: 'weak_fn', type: 'W', address: K + 0x10n },
      { name: '__fn', type: 'T', address: K + 0x10n },
      { name: 'fn', type: 't', address: K + 0x10n },
      { name: '_stext', type: 'T', address: K },
    ]);
    expect(enc.symbols.map((s) => s.name)).toEqual(['_stext', 'fn', '__fn', '__start_foo_section', 'weak_fn']);
    expect(enc.relativeBase).toBe(K);
  });

  it('per-CPU symbols by range, absolute-percpu offsets as kallsyms.c computes them', () => {
    const enc = encodeKallsyms(
      [
        { name: '_stext', type: 'T', address: K },
        { name: 'fixed_percpu_data', type: 'D', address: 0n },
        { name: 'runqueues', type: 'D', address: 0x2f000n },
      ],
      { mode: 'absolute-percpu', percpuRange: { start: 0n, end: 0x30000n }, seqsOfNames: false },
    );
    expect(enc.symbols.map((s) => `${s.type} ${s.name}`)).toEqual(['A fixed_percpu_data', 'A runqueues', 'T _stext']);
    const off = new DataView(enc.tables[0]!.bytes.buffer);
    expect([off.getInt32(0, true), off.getInt32(4, true), off.getInt32(8, true)]).toEqual([0, 0x2f000, -1]); // rb - addr - 1
    expect(enc.tables.map((t) => t.name)).not.toContain('kallsyms_seqs_of_names');
  });

  it('refuses what the kernel refuses', () => {
    expect(() => encodeKallsyms([{ name: 'a', type: 'T', address: K }, { name: 'b', type: 'T', address: K + (1n << 32n) }])).toThrow(/out of range/);
    expect(() => encodeKallsyms([{ name: '', type: 'T', address: K }])).toThrow(/empty/);
    expect(isIgnoredSymbol('kexec_control_code_size', 'A')).toBe(true);
    expect(isIgnoredSymbol('__kcfi_typeid_foo', 'T')).toBe(true);
    expect(isIgnoredSymbol('schedule', 'T')).toBe(false);
  });
});

// Fidelity: re-encoding the reference kernel's own symbol list reproduces its tables byte for byte.
const ref = refdump();
describe.skipIf(typeof ref === 'string')('encodeKallsyms reproduces the Debian 6.1 kernel tables', () => {
  it('token table, names, markers, 3-byte seqs_of_names, token index and offsets are identical', () => {
    const d = openDumpFile((ref as Exclude<typeof ref, string>).elf);
    try {
      const vi = new VmcoreInfo(d.vmcoreinfo!);
      const pb = vi.number('phys_base')!;
      const rk = (va: bigint, len: number) => d.readPhys(va - 0xffffffff80000000n + pb, len);
      const syms = decodeKallsyms(vi, rk);
      const enc = encodeKallsyms(
        syms.map((s) => ({ ...s, percpu: s.type === 'A' })),
        { mode: 'absolute-percpu', seqsOfNames: 3 },
      );
      const lay = layoutKallsyms(enc, vi.symbol('kallsyms_offsets')!);
      for (const k of ['kallsyms_names', 'kallsyms_num_syms', 'kallsyms_token_table', 'kallsyms_token_index', 'kallsyms_relative_base']) {
        expect(lay.addresses[k], k).toBe(vi.symbol(k));
      }
      const real = rk(lay.base, lay.bytes.length);
      const firstDiff = lay.bytes.findIndex((b, i) => b !== real[i]);
      expect(firstDiff).toBe(-1);
    } finally {
      d.close();
    }
  });
});
