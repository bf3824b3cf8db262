/**
 * kallsyms tables decoded from kernel memory (decodeKallsyms) with a VMCOREINFO that says where
 * they are. An input is [VMCOREINFO text][u64 base + the tables laid out from base]; both parts
 * are mutated, so table addresses, lengths, tokens, names and offsets all go wrong.
 * Seeds: a window of the reference dump's real tables around _stext (its real names stream,
 * token table and index, offsets and relative base) and the same symbols re-encoded by
 * synth/kallsyms-encode.ts in every encoding (base-relative, absolute-percpu, place-relative,
 * absolute; one- and two-byte lengths).
 */
import { decodeKallsyms, type KallsymsSymbol } from '../../src/debuginfo/kallsyms.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { encodeKallsyms, layoutKallsyms, type KallsymsMode } from '../../src/synth/kallsyms-encode.js';
import { type FuzzTarget } from '../lib/engine.js';
import { pack, u64At, unpack } from '../lib/container.js';
import { Windows } from '../lib/sources.js';
import { concat, dec, enc, refKernel, refNote, scenarioKernel, u64le } from '../lib/seeds.js';

const WINDOW = 400;
const BASE = 0xffffffff82000000n;

function seedOf(vmcoreinfo: string, base: bigint, bytes: Uint8Array): Uint8Array {
  return pack([enc.encode(vmcoreinfo), concat([u64le(base), bytes])]);
}

/** The reference dump's own tables, cut to WINDOW symbols around _stext and laid out again. */
function realWindow(): { seed: Uint8Array; syms: KallsymsSymbol[] } | undefined {
  const r = refKernel();
  if (typeof r === 'string') return undefined;
  const k = r.kernel;
  const vi = k.vmcoreinfo;
  const read = (va: bigint, len: number) => k.readBytes(va, len, 'kallsyms');
  const all = decodeKallsyms(vi, read);
  const first = Math.max(0, all.findIndex((s) => s.name === '_stext') - WINDOW / 2);
  const namesVa = vi.symbol('kallsyms_names')!;
  const names = read(namesVa, Number(vi.symbol('kallsyms_token_table')! - namesVa));
  // the byte offset of every symbol's length byte (two-byte ULEB128 lengths, v6.1)
  const at: number[] = [];
  for (let i = 0, p = 0; i <= first + WINDOW; i++) {
    at.push(p);
    let len = names[p]!;
    let hdr = 1;
    if (len & 0x80) {
      len = (len & 0x7f) | (names[p + 1]! << 7);
      hdr = 2;
    }
    p += hdr + len;
  }
  const namesWin = names.subarray(at[first]!, at[first + WINDOW]!);
  const markers = new Uint8Array(Math.ceil(WINDOW / 256) * 4);
  for (let m = 0; m * 256 < WINDOW; m++) new DataView(markers.buffer).setUint32(m * 4, at[first + m * 256]! - at[first]!, true);
  const tokenTable = read(vi.symbol('kallsyms_token_table')!, Number(vi.symbol('kallsyms_token_index')! - vi.symbol('kallsyms_token_table')!));
  const tokenIndex = read(vi.symbol('kallsyms_token_index')!, 512);
  const offsets = read(vi.symbol('kallsyms_offsets')! + BigInt(first * 4), WINDOW * 4);
  const rb = read(vi.symbol('kallsyms_relative_base')!, 8);
  const num = new Uint8Array(4);
  new DataView(num.buffer).setUint32(0, WINDOW, true);
  const parts: [string, Uint8Array][] = [
    ['kallsyms_offsets', offsets], ['kallsyms_relative_base', rb], ['kallsyms_num_syms', num], ['kallsyms_names', namesWin],
    ['kallsyms_markers', markers], ['kallsyms_token_table', tokenTable], ['kallsyms_token_index', tokenIndex],
  ];
  const layout = layoutKallsyms({ mode: 'base-relative', tables: parts.map(([name, bytes]) => ({ name, bytes, align: 8 })), symbols: [], tokens: [] }, BASE);
  const stext = `SYMBOL(_stext)=${vi.symbol('_stext')!.toString(16)}\n`;
  return { seed: seedOf(layout.vmcoreinfo + stext, BASE, layout.bytes), syms: all.slice(first, first + WINDOW) };
}

function encoded(syms: readonly KallsymsSymbol[]): Uint8Array[] {
  const plain = syms.filter((s) => s.type !== 'A' && s.type !== 'a');
  const percpu = [{ name: 'fixed_percpu_data', address: 0n, type: 'D', percpu: true }, { name: 'cpu_number', address: 0x1c0n, type: 'D', percpu: true }];
  const out: Uint8Array[] = [];
  const modes: [KallsymsMode, boolean][] = [['base-relative', true], ['absolute-percpu', true], ['place-relative', true], ['absolute', false], ['base-relative', false]];
  for (const [mode, big] of modes) {
    let e;
    try {
      e = encodeKallsyms(mode === 'absolute-percpu' ? [...plain, ...percpu] : plain, { mode, bigSymbols: big, seqsOfNames: big ? 4 : false });
    } catch {
      continue; // symbols this encoding cannot hold (the encoder's RangeError): no seed
    }
    const l = layoutKallsyms(e, BASE);
    const stext = e.symbols.find((s) => s.name === '_stext');
    out.push(seedOf(l.vmcoreinfo + (stext ? `SYMBOL(_stext)=${stext.address.toString(16)}\n` : ''), BASE, l.bytes));
  }
  return out;
}

export const kallsymsTarget: FuzzTarget = {
  name: 'kallsyms',
  description: "the kernel's compressed kallsyms tables, read from memory as VMCOREINFO locates them",
  kind: 'bytes',
  setup() {
    const real = realWindow();
    const syms = real?.syms ?? scenarioKernel('kprobe-nmi-fpu').symbols.all().map((s) => ({ name: s.name, address: s.address, type: s.type }));
    const seeds = [...(real ? [real.seed] : []), ...encoded(syms)];
    return {
      seeds,
      note: refNote(),
      dict: { ints: [BASE, BASE + 0x100n, 0x3fffn, 0x80n, 0x4000n, 1n << 22n, 1n << 31n], tokens: ['SYMBOL(kallsyms_names)=', 'SYMBOL(_stext)=', 'ffffffff82000000', '\n'] },
      run(input) {
        const [text, mem] = unpack(input, 2) as [Uint8Array, Uint8Array];
        const vi = new VmcoreInfo(dec.decode(text));
        const w = new Windows().map(u64At(mem, 0), mem.subarray(8));
        const syms = decodeKallsyms(vi, w.read);
        if (syms.length === 0) throw new Error('decodeKallsyms returned nothing without an error');
      },
    };
  },
};
