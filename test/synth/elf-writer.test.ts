import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { X86_64, defaultX86Layout } from '../../src/arch/x86-64.js';
import { decodeKallsyms } from '../../src/debuginfo/kallsyms.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { openDumpFile } from '../../src/dump/open.js';
import type { DumpFile } from '../../src/dump/types.js';
import { PhysReadError } from '../../src/util/errors.js';
import { SynthDump, writeElfCore } from '../../src/synth/elf-writer.js';
import { encodeKallsyms, layoutKallsyms } from '../../src/synth/kallsyms-encode.js';
import { decodePrstatus, prstatusNote, vmcoreinfoNote } from '../../src/synth/notes.js';
import { PhysImage } from '../../src/synth/phys-image.js';
import { X86PageTables, X86_PROT } from '../../src/synth/pagetables-x86.js';

const dir = mkdtempSync(join(tmpdir(), 'crash-tui-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const G = 1n << 30n;

/** A small x86_64 machine: two RAM ranges (one not page-aligned at its end), some pages. */
function smallImage() {
  const img = new PhysImage({ alloc: { start: 0x7000000n, end: 0x8000000n } });
  img.addRam(0x1000n, 0x9fc00n);
  img.addRam(0x100000n, 0x80000000n);
  img.write(0x9f000n, Uint8Array.from({ length: 0xc00 }, (_, i) => (i % 251) + 1)); // ends with the range
  img.write(0x1000000n, new TextEncoder().encode('Linux version 6.1.0-synthetic'));
  img.writeU64(0x7ffffff8n, 0x1122334455667788n); // last word of RAM
  img.write(0x200000n, new Uint8Array(4096)); // present but all zero: stays a hole
  return img;
}

function notes(text = 'OSRELEASE=6.1.0-synthetic\nPAGESIZE=4096\n') {
  return [prstatusNote('x86_64', { pid: 0, regs: { rip: 0xffffffff81000000n } }), vmcoreinfoNote(text)];
}

function expectSameReads(a: DumpFile, b: DumpFile, probes: [bigint, number][]) {
  for (const [addr, len] of probes) {
    let ra: Uint8Array | Error;
    let rb: Uint8Array | Error;
    try {
      ra = a.readPhys(addr, len);
    } catch (e) {
      ra = e as Error;
    }
    try {
      rb = b.readPhys(addr, len);
    } catch (e) {
      rb = e as Error;
    }
    if (ra instanceof Error || rb instanceof Error) {
      expect(ra, `${addr.toString(16)}+${len}`).toBeInstanceOf(PhysReadError);
      expect(rb, `${addr.toString(16)}+${len}`).toBeInstanceOf(PhysReadError);
      expect((ra as PhysReadError).fault).toBe((rb as PhysReadError).fault);
      expect((ra as PhysReadError).paddr).toBe((rb as PhysReadError).paddr);
    } else expect(Buffer.from(ra).equals(Buffer.from(rb)), `${addr.toString(16)}+${len}`).toBe(true);
  }
}

describe('writeElfCore + ElfDump vs SynthDump', () => {
  it('ElfDump on the written file reads exactly what SynthDump reads, errors included', () => {
    const img = smallImage();
    const path = join(dir, 'small.vmcore');
    const n = notes();
    writeElfCore(path, { machine: 'x86_64', image: img, notes: n });
    const elf = openDumpFile(path);
    const syn = new SynthDump({ machine: 'x86_64', image: img, notes: n, path: 'small' });
    try {
      expect(elf.format).toBe('ELF');
      expect(syn.format).toBe('SYNTH');
      expect(elf.machine).toBe('x86_64');
      expect(elf.ranges).toEqual(syn.ranges);
      expect(elf.vmcoreinfo).toBe(syn.vmcoreinfo);
      expect(elf.notes.map((x) => [x.name, x.type, Buffer.from(x.desc).toString('hex')])).toEqual(syn.notes.map((x) => [x.name, x.type, Buffer.from(x.desc).toString('hex')]));
      expect(decodePrstatus('x86_64', elf.notes[0]!.desc).regs.rip).toBe(0xffffffff81000000n);
      expectSameReads(elf, syn, [
        [0x9f000n, 0xc00],
        [0x9fbf0n, 0x10], // last bytes of the first range
        [0x9fbf8n, 0x10], // runs off its end: seek at 0x9fc00
        [0x0n, 8], // below RAM
        [0x1000n, 0x3000], // RAM never written: zeros
        [0x1000000n, 64],
        [0x200000n, 4096],
        [0x7ffffff0n, 16],
        [0x7ffffff8n, 16], // past the end
        [0x80000000n, 1],
        [0xfffff000n, 4096],
      ]);
      expect(syn.readPhys(0x9fbffn, 1)[0]).toBe(((0xbff % 251) + 1) & 0xff);
      expect(() => syn.readPhys(0x9fc00n, 1)).toThrow(/seek error: physical address: 9fc00/);
    } finally {
      elf.close();
    }
  });

  it('p_vaddr: 0 like QEMU, or PAGE_OFFSET + paddr like kexec, plus an aliasing kernel-text segment', () => {
    const img = smallImage();
    const path = join(dir, 'kexec.vmcore');
    const po = 0xffff888000000000n;
    writeElfCore(path, { machine: 'x86_64', image: img, notes: notes(), pageOffset: po, extraLoads: [{ vaddr: 0xffffffff81000000n, paddr: 0x1000000n, size: 0x200000n }] });
    const elf = openDumpFile(path);
    try {
      expect(new TextDecoder().decode(elf.readPhys(0x1000000n, 13))).toBe('Linux version');
      expect(elf.readPhys(0x7ffffff8n, 8)).toEqual(img.read(0x7ffffff8n, 8));
    } finally {
      elf.close();
    }
    // check the program headers directly
    const raw = Buffer.alloc(64 + 56 * 4);
    const fd = openSync(path, 'r');
    readSync(fd, raw, 0, raw.length, 0);
    closeSync(fd);
    const ph = (i: number, off: number) => raw.readBigUInt64LE(64 + 56 * i + off);
    expect(raw.readUInt32LE(64)).toBe(4); // PT_NOTE first
    expect(ph(1, 16)).toBe(0xffffffff81000000n); // kernel text vaddr
    expect(ph(2, 16)).toBe(po + 0x1000n);
    expect(ph(3, 16)).toBe(po + 0x100000n);
    expect(ph(3, 24)).toBe(0x100000n);
  });

  it('a 64 GB image with a few pages is written sparse, quickly, and reads back', () => {
    const img = new PhysImage();
    img.addRam(0x0n, 64n * G);
    const where = [0n, 0x1000000n, 17n * G + 0x5000n, 64n * G - 0x1000n];
    where.forEach((a, i) => img.write(a, new Uint8Array(4096).fill(i + 1)));
    const path = join(dir, 'big.vmcore');
    const t0 = performance.now();
    const res = writeElfCore(path, { machine: 'arm64', image: img, notes: [vmcoreinfoNote('OSRELEASE=5.4.90\n')] });
    const ms = performance.now() - t0;
    console.log(`elf-writer: 64 GB sparse core in ${ms.toFixed(1)} ms, ${res.dataBytesWritten} data bytes`);
    expect(ms).toBeLessThan(1000);
    const st = statSync(path);
    expect(st.size).toBe(res.size);
    expect(st.size).toBeGreaterThan(64 * 2 ** 30);
    expect(st.blocks * 512).toBeLessThan(16 << 20); // sparse on disk
    expect(res.dataBytesWritten).toBe(4 * 4096);
    const elf = openDumpFile(path);
    const syn = new SynthDump({ machine: 'arm64', image: img, notes: [] });
    try {
      expect(elf.machine).toBe('arm64');
      expectSameReads(elf, syn, [...where.map((a) => [a, 4096] as [bigint, number]), [33n * G, 64], [64n * G - 8n, 16]]);
    } finally {
      elf.close();
    }
  });
});

describe('a synthetic kernel opened without a file', () => {
  it('kallsyms tables in the kernel image, found through VMCOREINFO, page tables and the direct map', () => {
    const physBase = 0x1000000n;
    const img = new PhysImage({ alloc: { start: 0x7000000n, end: 0x8000000n } });
    img.addRam(0x100000n, 0x80000000n);
    const pt = new X86PageTables(img);
    const layout = defaultX86Layout(false);
    pt.map(0xffffffff81000000n, physBase, 0x4000000n, X86_PROT.KERNEL_EXEC);
    pt.map(layout.pageOffset, 0n, 2n * G, X86_PROT.KERNEL);
    const K = 0xffffffff81000000n;
    const enc = encodeKallsyms([
      { name: '_stext', type: 'T', address: K },
      { name: 'panic', type: 'T', address: K + 0x1cb0n },
      { name: 'init_task', type: 'D', address: K + 0x1a1aa40n },
      { name: 'fixed_percpu_data', type: 'D', address: 0n, percpu: true },
    ], { mode: 'absolute-percpu' });
    const at = K + 0x2000000n;
    const lay = layoutKallsyms(enc, at);
    img.write(at - K + physBase, lay.bytes);
    const info = `OSRELEASE=6.1.0-synthetic\n${lay.vmcoreinfo}SYMBOL(_stext)=${K.toString(16)}\nNUMBER(phys_base)=${physBase}\n`;
    const dump = new SynthDump({ machine: 'x86_64', image: img, notes: [vmcoreinfoNote(info)] });
    const arch = new X86_64({ physBase, kernelRoot: pt.root, fiveLevel: false, smeMask: 0n, ...layout }, (pa, len) => dump.readPhys(pa, len));
    const read = (va: bigint, len: number) => {
      const w = arch.walk(va);
      if (w.paddr === undefined) throw new Error(`no mapping for ${va.toString(16)}`);
      return dump.readPhys(w.paddr, len);
    };
    const syms = decodeKallsyms(new VmcoreInfo(dump.vmcoreinfo!), read);
    expect(syms.map((s) => `${s.address.toString(16)} ${s.type} ${s.name}`)).toEqual([
      '0 A fixed_percpu_data',
      'ffffffff81000000 T _stext',
      'ffffffff81001cb0 T panic',
      'ffffffff82a1aa40 D init_task',
    ]);
    expect(arch.walk(layout.pageOffset + 0x1000000n).paddr).toBe(0x1000000n);
  });
});
