import type { DumpFile, ElfNote, Machine, PhysRange } from './types.js';
import type { ByteSource } from './byte-source.js';
import { parseNotes, findVmcoreinfo } from './elf-notes.js';
import { DumpFormatError, PhysReadError } from '../util/errors.js';

const PT_LOAD = 1;
const PT_NOTE = 4;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const PN_XNUM = 0xffff;
const MAX_PHDRS = 1 << 20;
const MAX_NOTE_BYTES = 64 << 20;

interface Segment {
  paddr: bigint;
  vaddr: bigint;
  offset: number;
  filesz: number;
  memsz: number;
}

export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/**
 * ELF64 little-endian core files: QEMU's dump-guest-memory (e_ehsize 8, section headers,
 * p_vaddr 0) and kexec's /proc/vmcore (p_vaddr set, possibly a kernel-text PT_LOAD aliasing
 * RAM). Memory is indexed by physical address; nothing but headers and notes is read at open.
 */
export class ElfDump implements DumpFile {
  readonly format = 'ELF';
  readonly machine: Machine;
  readonly notes: ElfNote[];
  readonly vmcoreinfo: string | undefined;
  readonly ranges: PhysRange[];
  /** ELF e_flags bit 0: makedumpfile marks an incomplete ELF dump (IMPLEMENTATION). */
  readonly incomplete: boolean;
  readonly warnings: string[] = [];
  private readonly segs: Segment[];
  /** Some PT_LOADs cover the same physical addresses. */
  private readonly overlapping: boolean;

  constructor(private readonly file: ByteSource) {
    const eh = file.readExact(0, 64, 'ELF header');
    if (!isElf(eh)) throw new DumpFormatError(`${file.path}: not a supported file format`);
    if (eh[4] !== 2 || eh[5] !== 1) throw new DumpFormatError(`${file.path}: only ELF64 little-endian dumps are supported`);
    const dv = new DataView(eh.buffer, eh.byteOffset, 64);
    if (dv.getUint16(16, true) !== 4) throw new DumpFormatError(`${file.path}: not an ELF core file`);
    const em = dv.getUint16(18, true);
    if (em === EM_X86_64) this.machine = 'x86_64';
    else if (em === EM_AARCH64) this.machine = 'arm64';
    else throw new DumpFormatError(`${file.path}: unsupported ELF machine type ${em}`);
    this.incomplete = (dv.getUint32(48, true) & 1) !== 0;
    const phoff = Number(dv.getBigUint64(32, true));
    const phentsize = dv.getUint16(54, true);
    let phnum = dv.getUint16(56, true);
    if (phnum === PN_XNUM) {
      // Real count in section header 0's sh_info (ELF spec, extended numbering).
      const shoff = Number(dv.getBigUint64(40, true));
      const sh0 = file.readExact(shoff, 64, 'section header 0');
      phnum = new DataView(sh0.buffer, sh0.byteOffset, 64).getUint32(44, true);
    }
    if (phentsize < 56 || phnum === 0 || phnum > MAX_PHDRS) {
      throw new DumpFormatError(`${file.path}: bad program header table (phentsize ${phentsize}, phnum ${phnum})`);
    }
    const ph = file.readExact(phoff, phentsize * phnum, 'program headers');
    const pv = new DataView(ph.buffer, ph.byteOffset, ph.byteLength);
    const notes: ElfNote[] = [];
    const segs: Segment[] = [];
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const type = pv.getUint32(o, true);
      const offset = Number(pv.getBigUint64(o + 8, true));
      const vaddr = pv.getBigUint64(o + 16, true);
      const paddr = pv.getBigUint64(o + 24, true);
      const filesz = Number(pv.getBigUint64(o + 32, true));
      const memsz = Number(pv.getBigUint64(o + 40, true));
      if (type === PT_NOTE) {
        if (filesz > MAX_NOTE_BYTES) throw new DumpFormatError(`${file.path}: PT_NOTE of ${filesz} bytes is implausible`);
        notes.push(...parseNotes(file.readExact(offset, filesz, 'PT_NOTE segment')));
      } else if (type === PT_LOAD && memsz > 0) {
        // Past 2^53 a number no longer counts bytes exactly (readPhys could then step by 0): such a
        // segment is kept as a range whose contents cannot be read, and the session goes on.
        if (!Number.isSafeInteger(memsz)) {
          this.warnings.push(`${file.path}: PT_LOAD ${i} has an implausible size (${memsz}); its memory is ignored`);
          continue;
        }
        if (!Number.isSafeInteger(offset + filesz)) {
          this.warnings.push(`${file.path}: PT_LOAD ${i} has an implausible file offset; its memory is unreadable`);
          segs.push({ paddr, vaddr, offset: -1, filesz: 0, memsz });
          continue;
        }
        segs.push({ paddr, vaddr, offset, filesz, memsz });
      }
    }
    segs.sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : 0));
    this.segs = segs;
    this.overlapping = segs.some((g, i) => i > 0 && g.paddr < segs[i - 1].paddr + BigInt(segs[i - 1].memsz));
    this.notes = notes;
    this.vmcoreinfo = findVmcoreinfo(notes);
    this.ranges = segs.map((s) => ({ start: s.paddr, end: s.paddr + BigInt(s.memsz) }));
    const expected = segs.reduce((m, s) => Math.max(m, s.offset + s.filesz), 0);
    if (file.size < expected) {
      this.warnings.push(`${file.path}: may be truncated or incomplete (${file.size} of ${expected} bytes); reads past the end will fail`);
    }
    if (this.incomplete) this.warnings.push(`${file.path}: the dump is marked incomplete (ELF e_flags)`);
  }

  get path(): string {
    return this.file.path;
  }

  private find(addr: bigint): Segment | undefined {
    const s = this.segs;
    let lo = 0;
    let hi = s.length - 1;
    let hit: Segment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid].paddr <= addr) {
        hit = s[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (hit && addr < hit.paddr + BigInt(hit.memsz)) return hit;
    // kexec dumps may alias: look for any covering segment
    return s.find((g) => addr >= g.paddr && addr < g.paddr + BigInt(g.memsz));
  }

  readPhys(addr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = addr + BigInt(done);
      const seg = this.find(a);
      if (!seg) throw new PhysReadError('seek', a);
      if (seg.offset < 0) throw new PhysReadError('read', a); // implausible file offset (see constructor)
      const rel = Number(a - seg.paddr);
      const n = Math.min(len - done, seg.memsz - rel);
      if (rel < seg.filesz) {
        const m = Math.min(n, seg.filesz - rel);
        const b = this.file.readAt(seg.offset + rel, m);
        if (b.length !== m) throw new PhysReadError('read', a + BigInt(b.length));
        out.set(b, done);
      } // beyond p_filesz: zeros (memsz > filesz)
      done += n;
    }
    return out;
  }

  /**
   * A segment's tail past p_filesz reads as zeros: the run from `paddr` to the segment's end (at
   * most `limit`). Only when no segments overlap (kexec dumps may alias: then never).
   */
  zeroRunEnd(paddr: bigint, limit: bigint): bigint {
    if (this.overlapping) return paddr;
    const seg = this.find(paddr);
    if (!seg || seg.offset < 0 || paddr < seg.paddr + BigInt(seg.filesz)) return paddr;
    const end = seg.paddr + BigInt(seg.memsz);
    return end < limit ? end : limit;
  }

  /** Outside every PT_LOAD: the run from `paddr` to the next segment's start (at most `limit`). */
  absentRunEnd(paddr: bigint, limit: bigint): bigint {
    if (paddr >= limit || this.find(paddr)) return paddr;
    const s = this.segs;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid].paddr <= paddr) lo = mid + 1;
      else hi = mid;
    }
    const next = lo < s.length ? s[lo].paddr : limit;
    return next < limit ? next : limit;
  }

  close(): void {
    this.file.close();
  }
}
