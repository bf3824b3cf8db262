/**
 * A tiny ELF64 little-endian ET_CORE writer for tests, in the two shapes crash meets:
 *  - kexec's /proc/vmcore (makedumpfile -E): PT_NOTE first, then PT_LOADs with p_vaddr set to the
 *    direct-map address, and optionally a kernel-text PT_LOAD (p_vaddr in __START_KERNEL_map) whose
 *    physical range aliases RAM that another PT_LOAD also covers;
 *  - QEMU's dump-guest-memory: p_vaddr 0, section headers present, and e_ehsize 8 (QEMU's
 *    write_elf64_header() stores sizeof(elf_header) where elf_header is a pointer).
 * Extended numbering (PN_XNUM): e_phnum 0xffff and the real count in section header 0's sh_info.
 * The layout is returned so tests can cut the file at precise places.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfNote } from './elf-builder.js';
import { concatBytes as concat } from '../../src/util/bytes.js';

export const ET_CORE = 4;
export const EM_X86_64 = 62;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PN_XNUM = 0xffff;
export const NT_PRSTATUS = 1;
export const PHDR_SIZE = 56;
export const SHDR_SIZE = 64;
const PAGE = 4096;

export interface CoreLoad {
  paddr: bigint;
  /** p_vaddr; kexec style defaults to pageOffset + paddr, QEMU style always writes 0 */
  vaddr?: bigint;
  /** the file contents of the segment (p_filesz = bytes.length) */
  bytes: Uint8Array;
  /** p_memsz when larger than the file contents (the rest reads as zeros) */
  memsz?: number;
}

export interface CoreNote {
  name: string;
  type: number;
  desc: Uint8Array;
}

export interface CoreElfSpec {
  style?: 'kexec' | 'qemu';
  machine?: number;
  notes?: CoreNote[];
  /** raw bytes used as the PT_NOTE contents instead of `notes` (garbage-note tests) */
  rawNotes?: Uint8Array;
  loads: CoreLoad[];
  /** kexec: a kernel-image PT_LOAD whose bytes are copied from the RAM loads covering paddr..paddr+size */
  kernelText?: { vaddr: bigint; paddr: bigint; size: number };
  /** this many extra PT_LOADs (filesz 0, memsz one page, every other page from `base`) */
  filler?: { count: number; base: bigint };
  /** write e_phnum = PN_XNUM even when the count fits in 16 bits */
  forceXnum?: boolean;
  /** ELF e_flags bit 0 (makedumpfile's incomplete-dump mark) */
  incomplete?: boolean;
  pageOffset?: bigint;
}

export interface CoreElfLayout {
  phoff: number;
  phnum: number;
  shoff: number;
  shnum: number;
  noteOffset: number;
  noteSize: number;
  /** file offset of each entry of `loads`, in the order given */
  loadOffsets: number[];
  size: number;
}

const pageUp = (n: number) => Math.ceil(n / PAGE) * PAGE;

export function buildCoreElf(spec: CoreElfSpec): { bytes: Uint8Array; layout: CoreElfLayout } {
  const qemu = spec.style === 'qemu';
  const pageOffset = spec.pageOffset ?? 0xffff888000000000n;
  const notes = spec.rawNotes ?? concat((spec.notes ?? []).map((n) => elfNote(n.name, n.type, n.desc)));

  interface Ph { type: number; offset: number; vaddr: bigint; paddr: bigint; filesz: number; memsz: number; data?: Uint8Array }
  const phs: Ph[] = [{ type: PT_NOTE, offset: 0, vaddr: 0n, paddr: 0n, filesz: notes.length, memsz: notes.length, data: notes }];
  if (spec.kernelText) {
    const k = spec.kernelText;
    const data = new Uint8Array(k.size);
    for (const l of spec.loads) {
      const lo = l.paddr > k.paddr ? l.paddr : k.paddr;
      const hiL = l.paddr + BigInt(l.bytes.length);
      const hi = hiL < k.paddr + BigInt(k.size) ? hiL : k.paddr + BigInt(k.size);
      if (lo < hi) data.set(l.bytes.subarray(Number(lo - l.paddr), Number(hi - l.paddr)), Number(lo - k.paddr));
    }
    phs.push({ type: PT_LOAD, offset: 0, vaddr: k.vaddr, paddr: k.paddr, filesz: k.size, memsz: k.size, data });
  }
  const firstLoad = phs.length;
  for (const l of spec.loads) {
    phs.push({
      type: PT_LOAD, offset: 0, vaddr: qemu ? 0n : (l.vaddr ?? pageOffset + l.paddr), paddr: l.paddr,
      filesz: l.bytes.length, memsz: l.memsz ?? l.bytes.length, data: l.bytes,
    });
  }
  for (let i = 0; i < (spec.filler?.count ?? 0); i++) {
    const paddr = spec.filler!.base + BigInt(i) * 2n * BigInt(PAGE);
    phs.push({ type: PT_LOAD, offset: 0, vaddr: qemu ? 0n : pageOffset + paddr, paddr, filesz: 0, memsz: PAGE });
  }

  const phnum = phs.length;
  const xnum = spec.forceXnum || phnum >= PN_XNUM;
  const shnum = qemu ? 2 : xnum ? 1 : 0;
  const phoff = 64;
  const shoff = shnum ? phoff + phnum * PHDR_SIZE : 0;
  const shstrtab = new TextEncoder().encode('\0.shstrtab\0');
  const shstrOff = phoff + phnum * PHDR_SIZE + shnum * SHDR_SIZE;
  const noteOffset = shstrOff + (qemu ? shstrtab.length : 0);
  phs[0].offset = noteOffset;
  let off = pageUp(noteOffset + notes.length);
  for (const p of phs.slice(1)) {
    if (!p.filesz) continue;
    p.offset = off;
    off = pageUp(off + p.filesz);
  }
  const fillerOffset = off; // filesz-0 segments all point at the end of the file
  for (const p of phs.slice(1)) if (!p.filesz) p.offset = fillerOffset;
  const size = Math.max(off, noteOffset + notes.length);

  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* LSB */, 1 /* EV_CURRENT */]);
  v.setUint16(16, ET_CORE, true);
  v.setUint16(18, spec.machine ?? EM_X86_64, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(32, BigInt(phoff), true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint32(48, spec.incomplete ? 1 : 0, true);
  v.setUint16(52, qemu ? 8 : 64, true); // e_ehsize
  v.setUint16(54, PHDR_SIZE, true);
  v.setUint16(56, xnum ? PN_XNUM : phnum, true);
  v.setUint16(58, shnum ? SHDR_SIZE : 0, true);
  v.setUint16(60, shnum, true);
  v.setUint16(62, qemu ? 1 : 0, true); // e_shstrndx
  phs.forEach((p, i) => {
    const o = phoff + i * PHDR_SIZE;
    v.setUint32(o, p.type, true);
    v.setUint32(o + 4, p.type === PT_LOAD ? 7 : 0, true); // RWX like kexec
    v.setBigUint64(o + 8, BigInt(p.offset), true);
    v.setBigUint64(o + 16, p.vaddr, true);
    v.setBigUint64(o + 24, p.paddr, true);
    v.setBigUint64(o + 32, BigInt(p.filesz), true);
    v.setBigUint64(o + 40, BigInt(p.memsz), true);
    if (p.data) out.set(p.data, p.offset);
  });
  if (shnum) {
    // Section header 0: SHT_NULL; sh_info carries the real e_phnum under PN_XNUM.
    if (xnum) v.setUint32(shoff + 44, phnum, true);
    if (qemu) {
      const s1 = shoff + SHDR_SIZE;
      v.setUint32(s1, 1, true); // sh_name ".shstrtab"
      v.setUint32(s1 + 4, 3, true); // SHT_STRTAB
      v.setBigUint64(s1 + 24, BigInt(shstrOff), true);
      v.setBigUint64(s1 + 32, BigInt(shstrtab.length), true);
      out.set(shstrtab, shstrOff);
    }
  }
  const loadOffsets = phs.slice(firstLoad, firstLoad + spec.loads.length).map((p) => p.offset);
  return { bytes: out, layout: { phoff, phnum, shoff, shnum, noteOffset, noteSize: notes.length, loadOffsets, size } };
}

/** NT_PRSTATUS for x86_64: struct elf_prstatus (336 bytes), pr_pid at 32, pr_reg (27 regs) at 112. */
export function prstatusNote(pid: number, regs: Partial<Record<X86PrReg, bigint>> = {}): CoreNote {
  const desc = new Uint8Array(336);
  const v = new DataView(desc.buffer);
  v.setUint32(32, pid, true);
  for (const [name, val] of Object.entries(regs)) v.setBigUint64(112 + 8 * X86_PR_REGS.indexOf(name as X86PrReg), val!, true);
  return { name: 'CORE', type: NT_PRSTATUS, desc };
}

/** struct user_regs_struct order (arch/x86/include/asm/user_64.h). */
export const X86_PR_REGS = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;
export type X86PrReg = (typeof X86_PR_REGS)[number];

export function vmcoreinfoNote(text: string): CoreNote {
  return { name: 'VMCOREINFO', type: 0, desc: new TextEncoder().encode(text) };
}

/** QEMU's per-cpu note: QEMUCPUState version 1 (440 bytes), rip at offset 136. */
export function qemuCpuStateNote(rip: bigint): CoreNote {
  const desc = new Uint8Array(440);
  const v = new DataView(desc.buffer);
  v.setUint32(0, 1, true);
  v.setUint32(4, desc.length, true);
  v.setBigUint64(136, rip, true);
  return { name: 'QEMU', type: 0, desc };
}

/** A recognisable byte for every physical address, so any misplaced read shows. */
export function pattern(paddr: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const hi = Number((paddr >> 32n) & 0xffn);
  const lo0 = Number(paddr & 0xffffffffn);
  for (let i = 0; i < len; i++) {
    const lo = lo0 + i; // may pass 2^32 inside one buffer: still exact as a double
    out[i] = (lo * 7 + Math.floor(lo / 256) + Math.floor(lo / 65536) + hi + Math.floor(lo / 2 ** 32)) & 0xff;
  }
  return out;
}

export { concat };

/** A temp directory under os.tmpdir() for dump files; call cleanup() in afterAll. */
export function tempDumpDir(prefix = 'crash-tui-core-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name: string, bytes: Uint8Array): string {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
