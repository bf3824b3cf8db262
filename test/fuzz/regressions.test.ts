/**
 * The inputs the fuzz targets (fuzz/targets) found that escaped as something other than the
 * project's own errors, or hung, each cut down to what triggers it. Every one must now end
 * quickly with a CrashError (or succeed).
 */
import { describe, expect, it } from 'vitest';
import { ElfDump } from '../../src/dump/elf.js';
import { findVmcoreinfo, parseNotes } from '../../src/dump/elf-notes.js';
import { elfNote } from '../builders/elf-builder.js';
import { buildKdump, flatten } from '../builders/kdump-builder.js';
import { FlattenedReader } from '../../src/dump/flattened.js';
import type { FileReader } from '../../src/dump/file-reader.js';
import { KdumpDump } from '../../src/dump/kdump.js';
import { DumpFormatError } from '../../src/util/errors.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { archSetup } from '../../src/kernel/arch-setup.js';
import { Btf } from '../../src/debuginfo/btf/index.js';
import { ptypeLines } from '../../src/format/ctype.js';
import { evalIntExpr, ExprError } from '../../src/commands/int-expr.js';
import { getopt } from '../../src/commands/getopt.js';
import { parseExpr } from '../../src/kernel/expr/parse.js';
import { evaluate } from '../../src/kernel/expr/eval.js';
import { ZstdError, zstdDecompressPage } from '../../src/dump/codecs/zstd.js';
import { CDeclError, parseCDeclarations } from '../../src/synth/ctypes/index.js';
import { CrashError, DebugInfoError } from '../../src/util/errors.js';
import { buildCoreElf, pattern } from '../builders/core-elf.js';
import { MemSource, PagesDump } from '../../fuzz/lib/sources.js';
import { scenarioKernel } from '../../fuzz/lib/seeds.js';

const quick = (f: () => unknown, ms = 1500) => {
  const t0 = performance.now();
  try {
    f();
  } catch (e) {
    if (!(e instanceof CrashError)) throw e;
  }
  expect(performance.now() - t0).toBeLessThan(ms);
};

describe('fuzz regressions', () => {
  it('elf: a PT_LOAD whose memsz is past 2^53 does not make readPhys step by 0 bytes forever', () => {
    const { bytes, layout } = buildCoreElf({ loads: [{ paddr: 0x100000n, bytes: pattern(0x100000n, 4096) }] });
    new DataView(bytes.buffer).setBigUint64(layout.phoff + 56 + 40, (1n << 60n) + 1n, true); // 2nd phdr p_memsz
    let d: ElfDump | undefined;
    quick(() => (d = new ElfDump(new MemSource(bytes))));
    if (d) {
      expect(d.warnings.join('\n')).toMatch(/implausible/);
      quick(() => d!.readPhys(0x100000n + (1n << 60n) - 8n, 16));
    }
  });

  it('notes: a long run of NULs before the end of a note is trimmed in linear time (the /\\0+$/ regex was quadratic)', () => {
    const desc = new Uint8Array(300001);
    desc[300000] = 0x79;
    const note = elfNote('VMCOREINFO' + '\0'.repeat(100000) + 'x', 0, desc);
    quick(() => expect(findVmcoreinfo(parseNotes(note))).toBeUndefined(), 500);
    quick(() => expect(findVmcoreinfo(parseNotes(elfNote('VMCOREINFO', 0, desc)))?.length).toBe(300001), 500);
  });

  it('flattened kdump: bitmaps larger than the stream stores are refused, not read as 256 MB of zeros', () => {
    const k = buildKdump({ maxMapnr: 16, pages: [{ pfn: 1, data: new Uint8Array(4096) }], machine: 'x86_64' }).bytes;
    new DataView(k.buffer).setUint32(436, 65536, true); // bitmap_blocks: 256 MB of bitmaps
    const flat = flatten(k, { overwrite: [[2 ** 40, new Uint8Array(8)]] }); // logical size 1 TB
    quick(() => expect(() => new KdumpDump(new FlattenedReader(new MemSource(flat) as unknown as FileReader), { flattened: true })).toThrow(DumpFormatError), 500);
  });

  it('arch-setup: a garbage NUMBER(VA_BITS) is an error, not a RangeError from a 2^VA_BITS bigint', () => {
    const vi = new VmcoreInfo('NUMBER(VA_BITS)=4000000000\nNUMBER(kimage_voffset)=0xffff800008000000\nNUMBER(PHYS_OFFSET)=0x40000000\nSYMBOL(swapper_pg_dir)=ffff800009a5e000\nSYMBOL(_stext)=ffff800008010000\n');
    expect(() => archSetup(new PagesDump('arm64'), vi)).toThrow(CrashError);
  });

  it('ctype: an anonymous struct reached again through a function parameter stops at the nesting limit', () => {
    // 1 int; 2 struct {} { 3 fn; }; 3 ptr -> 4; 4 func_proto int (2)
    const u32 = (...v: number[]) => v.map((x) => [x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff, x >>> 24]).flat();
    const strs = [0, ...Buffer.from('int\0fn\0', 'latin1')];
    const types = [
      ...u32(1, 1 << 24, 4, 32), ...u32(0, (4 << 24) | 1, 8), ...u32(5, 3, 0), ...u32(0, 2 << 24, 4), ...u32(0, (13 << 24) | 1, 1), ...u32(0, 2),
    ];
    const hdr = u32(0x0001eb9f, 24, 0, types.length, types.length, strs.length);
    const btf = Btf.fromBytes(new Uint8Array([...hdr, ...types, ...strs]));
    expect(() => ptypeLines(btf.type(2))).toThrow(DebugInfoError);
  });

  it('btf: a name longer than the kernel allows is refused (repeated in nested type text it took seconds)', () => {
    const u32 = (...v: number[]) => v.map((x) => [x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff, x >>> 24]).flat();
    const strs = [0, ...new Array(5000).fill(0x41), 0];
    const types = u32(1, (4 << 24) | 0, 0); // struct AAAA...A {}
    const hdr = u32(0x0001eb9f, 24, 0, types.length, types.length, strs.length);
    const btf = Btf.fromBytes(new Uint8Array([...hdr, ...types, ...strs]));
    expect(() => btf.type(1)).toThrow(DebugInfoError);
  });

  it('int-expr: 20000 nested parentheses are an ExprError, not a stack overflow', () => {
    expect(() => evalIntExpr('('.repeat(20000) + '1' + ')'.repeat(20000), () => undefined)).toThrow(ExprError);
  });

  it('getopt: thousands of repeated options stay linear', () => {
    quick(() => getopt(Array(30000).fill(['-r', 'x']).flat(), { r: { arg: true, help: '' } }));
  });

  it('C expressions: deep nesting, long chains and huge shifts end quickly in CrashError or a value', () => {
    const k = scenarioKernel('kprobe-nmi-fpu');
    const isType = () => false;
    quick(() => expect(() => parseExpr('('.repeat(40000), isType)).toThrow(CrashError));
    quick(() => expect(() => parseExpr('(int)'.repeat(20000) + '1', isType)).toThrow(CrashError));
    quick(() => expect(() => evaluate(k, '1' + '+1'.repeat(20000))).toThrow(CrashError));
    expect([...evaluate(k, '1 << 0xffffffff').bytes!].every((b) => b === 0)).toBe(true);
    expect([...evaluate(k, '-1 >> 0xffffffffff').bytes!].every((b) => b === 0xff)).toBe(true);
  });

  it('C declarations: deeply nested constant expressions are a CDeclError, not a stack overflow', () => {
    for (const e of ['('.repeat(20000) + '1' + ')'.repeat(20000), '-'.repeat(20000) + '1', '1?'.repeat(20000) + '1' + ':1'.repeat(20000)]) {
      expect(() => parseCDeclarations(`#define N ${e}\nstruct s { int a[N]; };\n`)).toThrow(CDeclError);
    }
  });

  it('zstd: garbage sequence lengths are refused before fzstd spends seconds copying past the page', () => {
    const page = Buffer.from(
      'KLUv/WAAD/UOAFaZXD6wXmcN/KD/oP+g/6D/oP+gYTulP6XN0WzJ5jDdMUuyJVuyJVuyJXqiJTuibdu2bdu2bdu23URERERERITIFEUATQBPAFB/slObaGT6kpWaNCPSj2zUIhmJPmShBsUI9B/7tAfG3XXOFffi7TbXSnNxdpljhXl83WWvJj2S/L7v0/Ly9Puy/NoiAyOCKOIhDKIfgOjhHcyhG36o4RmMoRd8aOEVTKHt4YRLcIRC2PHBHbhBGei44AqcoAhyPHADLlACOA64AAcogBuxfmWrVtlI9SlLNarGhtInTHTyJmbSJUtU8iRG0iNKNPIiJtIhSRTyIAbSH0j08R7m0R1H1PEcxtEbRrTxGqbRGUWU8RiG0RdEdPEWZtEVQ1TxFEbRE0I08RIm0cTTO1e08zqm0zlWlPM4htOtKr65G7cpGyquuRqnKZopnrkZlykZKY65GIcpmCh+uRdrtQsUuXyLtTTriVmOxVdqxYlVTsVT6iZKeZSBU1AjgHv/N/ELYxFMGDZ9yKa8Z9x1lu/cddZ33nXWd+4613fuOus77zrrO3c96zt3nfU9d531nbue9Z27zvqdu876zrvO+s5dZ/vOXWd9511nfeeuc33nrrO+566zvnPXs76TKrVnVQU=',
      'base64',
    );
    quick(() => expect(() => zstdDecompressPage(new Uint8Array(page), 4096)).toThrow(ZstdError), 200);
    // 19 bytes: one sequence whose RLE match-length code is 247 (NaN in fzstd) and offset code 251
    const nan = Buffer.from('28b52ffd60000f4d00001000000114fbf70116', 'hex');
    quick(() => expect(() => zstdDecompressPage(new Uint8Array(nan), 4096)).toThrow(ZstdError), 200);
  });

  it('zstd: a Huffman weight table with one all-probability symbol is refused (fzstd looped forever)', () => {
    const page = Buffer.from(
      'KLUv/QRorQgAxtP8P/CDAAAAADC0989gSymlTOkBv78fTzEAJAAlANPyOZuVxtcVWZnyEH3Orz2tAegeCgNjcQwOpEFoJEeAAgayQBBEEjgSCUXh4HFICI03V7UQTUdj9+ppPNazPt0qLHc+I6sras3Qbczpz/KVmlvE0pXUG3Zubuai6Z3ivBS7lI5nV7OpMiLSfF53cW1S72jlawrZDe8B5O+2ahWSWUPld+51jFbHslPVUPn4J/valkM6K8ZSPyqbUneZAoC2qBEAegv7nwHgNwMRIAQjBPeFEeHGBxARK4byRVASYkJMlBB7QByICWFCysoeEAfEhJgQK4bii1ASYkKYKCF7QBwIE2JCysoeIA7EhJgQbxmEawUsNS9PZ0k=',
      'base64',
    );
    expect(() => zstdDecompressPage(new Uint8Array(page), 4096)).toThrow(ZstdError);
  });
});
