/**
 * An optional vmlinux (ELF64 little-endian): its .symtab as nm-style symbols, the raw .BTF
 * section, the GNU build-id note and the linux_banner string — enough to check that it belongs to
 * the dump and to use its symbols/types instead of the dump's own kallsyms/BTF.
 */
import { FileReader } from '../dump/file-reader.js';
import { DebugInfoError } from '../util/errors.js';
import { cstring } from '../util/bytes.js';
import type { Sym } from './symbol-table.js';

export interface VmlinuxInfo {
  path: string;
  symbols: Sym[];
  btf?: Uint8Array;
  buildId?: string;
  banner?: string;
}

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const SHT_NOBITS = 8;
const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const SHN_COMMON = 0xfff2;
const SHN_XINDEX = 0xffff;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const STB_GNU_UNIQUE = 10;
const STT_OBJECT = 1;
const STT_SECTION = 3;
const STT_FILE = 4;
const STT_GNU_IFUNC = 10;
const NT_GNU_BUILD_ID = 3;
/** Refuse wild sizes from a garbled header rather than allocate them. */
const MAX_SECTION = 1 << 30;

interface Section {
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  nameOff: number;
}

export function readVmlinux(path: string): VmlinuxInfo {
  const f = new FileReader(path);
  try {
    return parse(f, path);
  } finally {
    f.close();
  }
}

function parse(f: FileReader, path: string): VmlinuxInfo {
  const bad = (why: string) => new DebugInfoError(`${path}: ${why}`);
  const eh = f.readAt(0, 64);
  if (eh.length < 64 || eh[0] !== 0x7f || eh[1] !== 0x45 || eh[2] !== 0x4c || eh[3] !== 0x46) throw bad('not an ELF file');
  if (eh[4] !== 2 || eh[5] !== 1) throw bad('not a 64-bit little-endian ELF file');
  const h = dv(eh);
  const shoff = num(h.getBigUint64(0x28, true));
  const shentsize = h.getUint16(0x3a, true);
  let shnum = h.getUint16(0x3c, true);
  let shstrndx = h.getUint16(0x3e, true);
  if (shoff === 0 || shentsize < 64) throw bad('no section headers');
  if (shnum === 0 || shstrndx === SHN_XINDEX) {
    // Extended numbering: the real values live in section header 0.
    const s0 = dv(read(f, shoff, 64, 'section header 0', bad));
    if (shnum === 0) shnum = num(s0.getBigUint64(0x20, true));
    if (shstrndx === SHN_XINDEX) shstrndx = s0.getUint32(0x28, true);
  }
  if (shnum > 0x100000) throw bad(`implausible section count ${shnum}`);
  const shdrs = dv(read(f, shoff, shnum * shentsize, 'section headers', bad));
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = i * shentsize;
    sections.push({
      name: '',
      type: shdrs.getUint32(o + 4, true),
      flags: shdrs.getBigUint64(o + 8, true),
      addr: shdrs.getBigUint64(o + 0x10, true),
      offset: num(shdrs.getBigUint64(o + 0x18, true)),
      size: num(shdrs.getBigUint64(o + 0x20, true)),
      link: shdrs.getUint32(o + 0x28, true),
      nameOff: shdrs.getUint32(o, true),
    });
  }
  const data = (s: Section, what: string): Uint8Array => {
    if (s.type === SHT_NOBITS) return new Uint8Array(0);
    if (s.size > MAX_SECTION) throw bad(`${what} section too large`);
    return read(f, s.offset, s.size, what, bad);
  };
  const shstr = sections[shstrndx];
  if (shstr) {
    const names = data(shstr, '.shstrtab');
    for (const s of sections) s.name = cstring(names, s.nameOff);
  }

  const out: VmlinuxInfo = { path, symbols: [] };
  const btf = sections.find((s) => s.name === '.BTF');
  if (btf) out.btf = data(btf, '.BTF');

  for (const s of sections) {
    if (s.type !== SHT_NOTE || out.buildId) continue;
    out.buildId = findBuildId(data(s, s.name || 'note'));
  }

  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return out;
  const strtab = sections[symtab.link];
  if (!strtab) throw bad('.symtab has no string table');
  const strs = data(strtab, '.strtab');
  const symBytes = data(symtab, '.symtab');
  const sv = dv(symBytes);
  const count = Math.floor(symBytes.length / 24);
  let banner: { shndx: number; value: bigint; size: number } | undefined;
  for (let i = 1; i < count; i++) {
    const o = i * 24;
    const info = symBytes[o + 4]!;
    const bind = info >> 4;
    const type = info & 0xf;
    if (type === STT_FILE || type === STT_SECTION) continue;
    const name = cstring(strs, sv.getUint32(o, true));
    // arm64/arm mapping symbols ($x code, $d data, $x.123) mark instruction sets, not functions (AAELF64)
    if (!name || name.startsWith('$')) continue;
    const shndx = sv.getUint16(o + 6, true);
    const value = sv.getBigUint64(o + 8, true);
    out.symbols.push({ name, address: value, type: nmType(bind, type, shndx, sections[shndx]) });
    if (name === 'linux_banner' && !banner) banner = { shndx, value, size: num(sv.getBigUint64(o + 16, true)) };
  }

  // linux_banner: read it through its section's file offset.
  const sec = banner ? sections[banner.shndx] : undefined;
  if (banner && sec && sec.type !== SHT_NOBITS && banner.value >= sec.addr && banner.value < sec.addr + BigInt(sec.size)) {
    const rel = Number(banner.value - sec.addr);
    const len = Math.min(banner.size || 1024, 1024, sec.size - rel);
    const b = f.readAt(sec.offset + rel, len);
    const text = cstring(b, 0);
    if (text) out.banner = text;
  }
  return out;
}

/**
 * nm's type letter (binutils bfd/syms.c bfd_decode_symclass + decode_section_type): weak before
 * section kind; text for SHF_EXECINSTR, bss for NOBITS, data when writable, read-only otherwise;
 * lower case for local symbols.
 */
function nmType(bind: number, type: number, shndx: number, sec: Section | undefined): string {
  if (shndx === SHN_COMMON) return 'C';
  if (shndx === SHN_UNDEF) {
    if (bind === STB_WEAK) return type === STT_OBJECT ? 'v' : 'w';
    return 'U';
  }
  if (type === STT_GNU_IFUNC) return 'i';
  if (bind === STB_WEAK) return type === STT_OBJECT ? 'V' : 'W';
  if (bind === STB_GNU_UNIQUE) return 'u';
  if (bind !== STB_LOCAL && bind !== STB_GLOBAL) return '?';
  let c: string;
  if (shndx === SHN_ABS) c = 'a';
  else if (shndx >= SHN_LORESERVE || !sec) c = '?';
  else if (sec.flags & BigInt(SHF_EXECINSTR)) c = 't';
  else if (!(sec.flags & BigInt(SHF_ALLOC))) c = 'n';
  else if (sec.type === SHT_NOBITS) c = 'b';
  else if (sec.flags & BigInt(SHF_WRITE)) c = 'd';
  else c = 'r';
  return bind === STB_GLOBAL && c !== '?' ? c.toUpperCase() : c;
}

/** The GNU build-id (NT_GNU_BUILD_ID, owner "GNU") in a note section, as lowercase hex. */
function findBuildId(notes: Uint8Array): string | undefined {
  const v = dv(notes);
  let o = 0;
  while (o + 12 <= notes.length) {
    const namesz = v.getUint32(o, true);
    const descsz = v.getUint32(o + 4, true);
    const type = v.getUint32(o + 8, true);
    const nameOff = o + 12;
    const descOff = nameOff + ((namesz + 3) & ~3);
    const next = descOff + ((descsz + 3) & ~3);
    if (namesz > notes.length || descsz > notes.length || next > notes.length) return undefined;
    const name = cstring(notes.subarray(nameOff, nameOff + namesz), 0);
    if (name === 'GNU' && type === NT_GNU_BUILD_ID) {
      return Array.from(notes.subarray(descOff, descOff + descsz), (b) => b.toString(16).padStart(2, '0')).join('');
    }
    o = next;
  }
  return undefined;
}

/**
 * crash refuses a vmlinux that is not the dump's kernel (main.c / kernel.c verify_namelist):
 * "<vmlinux> and <dumpfile> do not match!". Compares the build-id when both have one, else the
 * linux_banner, else the release in the banner against VMCOREINFO's OSRELEASE. Undefined when
 * they match or there is nothing to compare.
 */
export function checkVmlinuxMatch(
  v: Pick<VmlinuxInfo, 'buildId' | 'banner'> & { path?: string },
  dump: { buildId?: string; osrelease?: string; banner?: string },
  vmlinuxPath: string = v.path ?? 'vmlinux',
  dumpPath = 'vmcore',
): string | undefined {
  const refusal = `${vmlinuxPath} and ${dumpPath} do not match!`;
  if (v.buildId && dump.buildId) return v.buildId.toLowerCase() === dump.buildId.toLowerCase() ? undefined : refusal;
  if (v.banner && dump.banner) return v.banner.trimEnd() === dump.banner.trimEnd() ? undefined : refusal;
  if (v.banner && dump.osrelease) {
    const m = /^Linux version (\S+)/.exec(v.banner);
    return m && m[1] === dump.osrelease ? undefined : refusal;
  }
  return undefined;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function num(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

function read(f: FileReader, off: number, len: number, what: string, bad: (w: string) => Error): Uint8Array {
  if (off + len > f.size) throw bad(`truncated ${what}`);
  return f.readExact(off, len, what);
}

