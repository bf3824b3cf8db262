import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { ElfDump } from '../../src/dump/elf.js';
import { NT_PRSTATUS } from '../../src/dump/elf-notes.js';
import { DumpFormatError, PhysReadError } from '../../src/util/errors.js';
import {
  buildCoreElf, pattern, prstatusNote, qemuCpuStateNote, tempDumpDir, vmcoreinfoNote, type CoreElfSpec, type CoreLoad,
} from '../builders/core-elf.js';

const tmp = tempDumpDir('crash-tui-elf-');
afterAll(() => tmp.cleanup());

const VMCOREINFO = 'OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff8d010000\nNUMBER(phys_base)=23068672\n';

/** RAM: [0, 0x2000) and [0x2000, 0x3000) back to back (memsz 0x3000: zeros to 0x5000), a hole, [0x100000, 0x101000). */
const LOADS: CoreLoad[] = [
  { paddr: 0x0n, bytes: pattern(0x0n, 0x2000) },
  { paddr: 0x2000n, bytes: pattern(0x2000n, 0x1000), memsz: 0x3000 },
  { paddr: 0x100000n, bytes: pattern(0x100000n, 0x1000) },
];

function open(name: string, spec: Partial<CoreElfSpec> = {}) {
  const { bytes, layout } = buildCoreElf({
    loads: LOADS,
    notes: [prstatusNote(1, { rip: 0xffffffff81000010n }), prstatusNote(0), vmcoreinfoNote(VMCOREINFO)],
    ...spec,
  });
  const path = tmp.write(name, bytes);
  return { dump: openDumpFile(path), path, layout, bytes };
}

function physFault(f: () => unknown): PhysReadError {
  try {
    f();
  } catch (e) {
    if (e instanceof PhysReadError) return e;
    throw e;
  }
  throw new Error('expected a PhysReadError');
}

describe('opening ELF cores', () => {
  it('opens a kexec-style vmcore: machine, notes in order, VMCOREINFO text, ranges', () => {
    const { dump } = open('kexec');
    expect(dump).toBeInstanceOf(ElfDump);
    expect(dump.format).toBe('ELF');
    expect(dump.machine).toBe('x86_64');
    expect(dump.notes.map((n) => [n.name, n.type])).toEqual([['CORE', NT_PRSTATUS], ['CORE', NT_PRSTATUS], ['VMCOREINFO', 0]]);
    // pr_pid of the first NT_PRSTATUS, pr_reg.rip (index 16) at 112 + 128
    const d0 = new DataView(dump.notes[0].desc.buffer, dump.notes[0].desc.byteOffset);
    expect(d0.getUint32(32, true)).toBe(1);
    expect(d0.getBigUint64(240, true)).toBe(0xffffffff81000010n);
    expect(dump.vmcoreinfo).toBe(VMCOREINFO);
    expect(dump.ranges).toEqual([
      { start: 0x0n, end: 0x2000n },
      { start: 0x2000n, end: 0x5000n },
      { start: 0x100000n, end: 0x101000n },
    ]);
    expect(dump.warnings).toEqual([]);
    expect((dump as ElfDump).incomplete).toBe(false);
    dump.close();
  });

  it('opens a QEMU-style core (e_ehsize 8, section headers, p_vaddr 0) and keeps the QEMU notes', () => {
    const { dump, bytes, layout } = open('qemu', {
      style: 'qemu',
      notes: [prstatusNote(1), qemuCpuStateNote(0xffffffff81234567n), vmcoreinfoNote(VMCOREINFO)],
    });
    const hv = new DataView(bytes.buffer);
    expect(hv.getUint16(52, true)).toBe(8);
    expect(layout.shnum).toBe(2);
    expect(hv.getBigUint64(64 + 56 + 16, true)).toBe(0n); // first PT_LOAD's p_vaddr
    expect(dump.notes.map((n) => n.name)).toEqual(['CORE', 'QEMU', 'VMCOREINFO']);
    expect(new DataView(dump.notes[1].desc.buffer, dump.notes[1].desc.byteOffset).getBigUint64(136, true)).toBe(0xffffffff81234567n);
    expect(dump.readPhys(0x100010n, 8)).toEqual(pattern(0x100010n, 8));
    expect(dump.ranges.length).toBe(3);
    dump.close();
  });

  it('reads through a kexec kernel-text PT_LOAD that aliases RAM, and past its end into RAM', () => {
    const ram = { paddr: 0x1000000n, bytes: pattern(0x1000000n, 0x40000) };
    const { dump } = open('kexec-alias', { loads: [ram], kernelText: { vaddr: 0xffffffff81000000n, paddr: 0x1010000n, size: 0x10000 } });
    expect(dump.ranges).toContainEqual({ start: 0x1010000n, end: 0x1020000n });
    expect(dump.readPhys(0x1010100n, 16)).toEqual(pattern(0x1010100n, 16));
    // straddles the kernel-text segment's end: the rest comes from the RAM segment
    expect(dump.readPhys(0x101fff8n, 16)).toEqual(pattern(0x101fff8n, 16));
    expect(Buffer.from(dump.readPhys(0x1000000n, 0x40000)).equals(ram.bytes)).toBe(true); // (toEqual is slow at this size)
    dump.close();
  });

  it('takes the program header count from section header 0 under PN_XNUM', () => {
    const { dump, bytes } = open('xnum-small', { forceXnum: true });
    expect(new DataView(bytes.buffer).getUint16(56, true)).toBe(0xffff);
    expect(dump.ranges.length).toBe(3);
    expect(dump.readPhys(0x1ff8n, 16)).toEqual(pattern(0x1ff8n, 16));
    dump.close();
  });

  it('opens a core with more than 0xffff segments (PN_XNUM) and finds the last one', () => {
    const count = 0x10000;
    const base = 0x200000000n;
    const { dump, layout } = open('xnum-big', { filler: { count, base } });
    expect(layout.phnum).toBe(1 + 3 + count);
    expect(dump.ranges.length).toBe(3 + count);
    const last = base + BigInt(count - 1) * 0x2000n;
    expect(dump.readPhys(last + 0xff0n, 16)).toEqual(new Uint8Array(16)); // filesz 0: zeros
    expect(physFault(() => dump.readPhys(last + 0x1000n, 1)).fault).toBe('seek'); // the gap after it
    expect(dump.readPhys(0x100000n, 4)).toEqual(pattern(0x100000n, 4));
    dump.close();
  });

  it('flags an incomplete dump (e_flags bit 0) in `incomplete` and `warnings`', () => {
    const { dump, path } = open('incomplete', { incomplete: true });
    expect((dump as ElfDump).incomplete).toBe(true);
    expect(dump.warnings).toEqual([`${path}: the dump is marked incomplete (ELF e_flags)`]);
    dump.close();
  });
});

describe('readPhys', () => {
  const { dump } = open('reads');
  afterAll(() => dump.close());

  it('reads within a segment and across the boundary of two adjacent segments', () => {
    expect(dump.readPhys(0x10n, 32)).toEqual(pattern(0x10n, 32));
    expect(dump.readPhys(0x1ff0n, 0x20)).toEqual(pattern(0x1ff0n, 0x20));
    expect(dump.readPhys(0x0n, 0x3000)).toEqual(pattern(0x0n, 0x3000));
  });

  it('reads zeros in the memsz > filesz tail, also when a read starts in the file part', () => {
    expect(dump.readPhys(0x4000n, 0x100)).toEqual(new Uint8Array(0x100));
    const b = dump.readPhys(0x2ff0n, 0x20);
    expect(b.subarray(0, 0x10)).toEqual(pattern(0x2ff0n, 0x10));
    expect(b.subarray(0x10)).toEqual(new Uint8Array(0x10));
  });

  it('throws PhysReadError "seek" at the first address in a hole', () => {
    const e = physFault(() => dump.readPhys(0x6000n, 8));
    expect(e.fault).toBe('seek');
    expect(e.paddr).toBe(0x6000n);
    expect(e.message).toBe('seek error: physical address: 6000');
    // a read running off the end of a segment's memsz reports where the hole starts
    expect(physFault(() => dump.readPhys(0x4ff8n, 16)).paddr).toBe(0x5000n);
    expect(physFault(() => dump.readPhys(0x101000n, 1)).paddr).toBe(0x101000n);
    expect(physFault(() => dump.readPhys(0xffffffffffff0000n, 8)).fault).toBe('seek');
  });

  it('returns an empty buffer for a zero-length read', () => {
    expect(dump.readPhys(0x100n, 0)).toEqual(new Uint8Array(0));
  });
});

describe('refusing what is not an ELF64 LE x86_64/arm64 core', () => {
  const good = () => buildCoreElf({ loads: LOADS, notes: [vmcoreinfoNote(VMCOREINFO)] }).bytes;
  const refuse = (name: string, bytes: Uint8Array): DumpFormatError => {
    const path = tmp.write(name, bytes);
    try {
      openDumpFile(path).close();
    } catch (e) {
      expect(e).toBeInstanceOf(DumpFormatError);
      expect((e as Error).message.startsWith(`${path}: `)).toBe(true);
      return e as DumpFormatError;
    }
    throw new Error(`${name} was accepted`);
  };

  it('refuses a file that is not ELF, an empty file, and a missing file', () => {
    expect(refuse('text', new TextEncoder().encode('KDUMP?  no, just some text\n'.repeat(8))).message).toMatch(/not a supported file format$/);
    expect(refuse('empty', new Uint8Array(0)).message).toMatch(/not a supported file format$/);
    expect(() => openDumpFile(`${tmp.dir}/no-such-vmcore`)).toThrow(new DumpFormatError(`${tmp.dir}/no-such-vmcore: No such file or directory`));
  });

  it('refuses ELF32, big-endian, non-core and unknown-machine files with a reason', () => {
    const e32 = good();
    e32[4] = 1;
    expect(refuse('elf32', e32).message).toMatch(/only ELF64 little-endian dumps are supported$/);
    const be = good();
    be[5] = 2;
    expect(refuse('be', be).message).toMatch(/only ELF64 little-endian dumps are supported$/);
    const exec = good();
    exec[16] = 2; // ET_EXEC: a vmlinux given where the dump was expected
    expect(refuse('exec', exec).message).toMatch(/not an ELF core file$/);
    const i386 = good();
    i386[18] = 3;
    expect(refuse('i386', i386).message).toMatch(/unsupported ELF machine type 3$/);
  });

  it('accepts an arm64 core', () => {
    const { dump } = open('arm64', { machine: 183 });
    expect(dump.machine).toBe('arm64');
    dump.close();
  });
});

describe('the dump file is never written', () => {
  it('leaves bytes and mtime unchanged after open, reads, failed reads and close', () => {
    const { dump, path, bytes } = open('readonly');
    const before = statSync(path);
    dump.readPhys(0x0n, 0x3000);
    expect(() => dump.readPhys(0x6000n, 8)).toThrow(PhysReadError);
    dump.close();
    dump.close(); // closing twice is harmless
    const after = statSync(path);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(bytes.length);
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
  });
});
