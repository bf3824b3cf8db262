/**
 * ELF vmcore headers, program headers, PT_NOTE parsing, VMCOREINFO and NT_PRSTATUS notes, and
 * physical reads through the PT_LOAD index. Seeds: the reference vmcore's real headers and notes
 * (the first bytes of the file up to the end of its PT_NOTE) and small cores from test/builders
 * in the kexec and QEMU shapes, with extended numbering and an aliasing kernel-text segment.
 */
import { ElfDump } from '../../src/dump/elf.js';
import { parseNotes } from '../../src/dump/elf-notes.js';
import { dumpKind } from '../../src/dump/open.js';
import { prstatusNotes } from '../../src/dump/prstatus.js';
import { buildCoreElf, pattern, prstatusNote, qemuCpuStateNote, vmcoreinfoNote } from '../../test/builders/core-elf.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { MemSource } from '../lib/sources.js';
import { readFilePart, refKernel, refNote } from '../lib/seeds.js';

const VMCI = 'OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a0a000\nNUMBER(phys_base)=-23068672\nKERNELOFFSET=a000000\n';

/** The reference vmcore from its first byte to the end of its program headers and notes. */
function refElfHead(): Uint8Array | undefined {
  const r = refKernel();
  if (typeof r === 'string') return undefined;
  const eh = readFilePart(r.dump.elf, 0, 64);
  const dv = new DataView(eh.buffer, eh.byteOffset, 64);
  const phoff = Number(dv.getBigUint64(32, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  const ph = readFilePart(r.dump.elf, phoff, phentsize * phnum);
  const pv = new DataView(ph.buffer, ph.byteOffset, ph.byteLength);
  let end = phoff + phentsize * phnum;
  for (let i = 0; i < phnum; i++) {
    if (pv.getUint32(i * phentsize, true) !== 4) continue;
    end = Math.max(end, Number(pv.getBigUint64(i * phentsize + 8, true) + pv.getBigUint64(i * phentsize + 32, true)));
  }
  // plus a little of what follows, so the first PT_LOAD may have some bytes to read
  return readFilePart(r.dump.elf, 0, Math.min(end + 8192, 4 << 20));
}

function synthSeeds(): Uint8Array[] {
  const notes = [prstatusNote(1, { rip: 0xffffffff81000000n, rsp: 0xffffc90000003f00n }), prstatusNote(2), vmcoreinfoNote(VMCI)];
  const loads = [
    { paddr: 0x1000n, bytes: pattern(0x1000n, 0x2000) },
    { paddr: 0x100000n, bytes: pattern(0x100000n, 0x1000), memsz: 0x3000 },
  ];
  return [
    buildCoreElf({ notes, loads }).bytes,
    buildCoreElf({ style: 'qemu', notes: [...notes, qemuCpuStateNote(0xffffffff81000000n)], loads }).bytes,
    buildCoreElf({ notes, loads, forceXnum: true, kernelText: { vaddr: 0xffffffff81000000n, paddr: 0x1000n, size: 0x1000 } }).bytes,
    buildCoreElf({ notes, loads, incomplete: true, machine: 183 }).bytes,
  ];
}

export const elfTarget: FuzzTarget = {
  name: 'elf',
  description: 'ELF vmcore: headers, PT_NOTE (VMCOREINFO, NT_PRSTATUS), PT_LOAD reads',
  kind: 'bytes',
  setup() {
    const head = refElfHead();
    const seeds = [...(head ? [head] : []), ...synthSeeds()];
    return {
      seeds,
      note: refNote(),
      dict: {
        ints: [0xffffn, 1n, 4n, 56n, 64n, 0xfffffffffffff000n, 1n << 53n, (1n << 60n) + 1n, 0x100000n],
        tokens: ['\x7fELF', 'VMCOREINFO\0\0', 'CORE\0\0\0\0', 'QEMU\0\0\0\0'],
      },
      run(input) {
        dumpKind(input.subarray(0, 4096));
        attempt(() => parseNotes(input));
        const d = new ElfDump(new MemSource(input));
        void d.vmcoreinfo?.length;
        prstatusNotes(d.machine, d.notes);
        for (const r of d.ranges.slice(0, 16)) {
          for (const [a, n] of [[r.start, 64], [r.end - 8n, 16], [r.start + ((r.end - r.start) >> 1n), 4096]] as const) {
            attempt(() => d.readPhys(a, n));
          }
        }
        attempt(() => d.readPhys(0n, 8));
        attempt(() => d.readPhys(0xfffffffffffff000n, 8192));
        d.close();
      },
    };
  },
};
