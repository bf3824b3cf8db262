/**
 * A tiny ELF64 little-endian writer for tests: an x86_64 ET_EXEC with the sections a vmlinux has
 * that matter to crash-tui (.text, .data, .rodata, .bss, .notes, .BTF, .symtab, .strtab,
 * .shstrtab). Section contents and symbols are given by the test; section addresses are laid out
 * from a base like the kernel's linker script does.
 */

export interface ElfSectionSpec {
  name: string;
  /** SHT_*: 1 PROGBITS, 7 NOTE, 8 NOBITS */
  type: number;
  /** SHF_*: 1 WRITE, 2 ALLOC, 4 EXECINSTR */
  flags: number;
  data?: Uint8Array;
  /** NOBITS size (data is ignored) */
  size?: number;
  /** load address; 0 for non-alloc sections */
  addr?: bigint;
}

export interface ElfSymbolSpec {
  name: string;
  /** section name, or 'ABS' / 'UNDEF' / 'COMMON' */
  section: string;
  value: bigint;
  size?: number;
  /** STB_*: 0 LOCAL, 1 GLOBAL, 2 WEAK */
  bind: number;
  /** STT_*: 0 NOTYPE, 1 OBJECT, 2 FUNC, 3 SECTION, 4 FILE */
  type: number;
}

export const SHT_PROGBITS = 1;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHF_WRITE = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;

/** An ELF note: 4-byte-aligned name and descriptor. */
export function elfNote(name: string, type: number, desc: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name + '\0');
  const pad = (n: number) => (n + 3) & ~3;
  const out = new Uint8Array(12 + pad(nameBytes.length) + pad(desc.length));
  const v = new DataView(out.buffer);
  v.setUint32(0, nameBytes.length, true);
  v.setUint32(4, desc.length, true);
  v.setUint32(8, type, true);
  out.set(nameBytes, 12);
  out.set(desc, 12 + pad(nameBytes.length));
  return out;
}

/** Build the file image. Symbols are sorted locals-first as ELF requires (sh_info = first global). */
export function buildElf(sections: ElfSectionSpec[], symbols: ElfSymbolSpec[]): Uint8Array {
  // String tables.
  const strtab = new StringTable();
  const shstrtab = new StringTable();
  const ordered = [...symbols.filter((s) => s.bind === 0), ...symbols.filter((s) => s.bind !== 0)];
  const firstGlobal = 1 + ordered.filter((s) => s.bind === 0).length;

  // Section list: null, user sections, .symtab, .strtab, .shstrtab.
  const all: (ElfSectionSpec & { link?: number; info?: number; entsize?: number })[] = [
    { name: '', type: 0, flags: 0 },
    ...sections,
  ];
  const secIndex = (name: string): number => {
    if (name === 'ABS') return 0xfff1;
    if (name === 'COMMON') return 0xfff2;
    if (name === 'UNDEF') return 0;
    const i = all.findIndex((s) => s.name === name);
    if (i <= 0) throw new Error(`elf-builder: no section ${name}`);
    return i;
  };
  const symtabIdx = all.length;
  const strtabIdx = symtabIdx + 1;
  const shstrtabIdx = symtabIdx + 2;
  const syms = new Uint8Array(24 * (ordered.length + 1));
  const sv = new DataView(syms.buffer);
  ordered.forEach((s, k) => {
    const o = 24 * (k + 1);
    sv.setUint32(o, s.name ? strtab.add(s.name) : 0, true);
    syms[o + 4] = (s.bind << 4) | s.type;
    sv.setUint16(o + 6, secIndex(s.section), true);
    sv.setBigUint64(o + 8, s.value, true);
    sv.setBigUint64(o + 16, BigInt(s.size ?? 0), true);
  });
  all.push({ name: '.symtab', type: 2, flags: 0, data: syms, link: strtabIdx, info: firstGlobal, entsize: 24 });
  all.push({ name: '.strtab', type: 3, flags: 0, data: strtab.bytes() });
  for (const s of all) shstrtab.add(s.name);
  shstrtab.add('.shstrtab');
  all.push({ name: '.shstrtab', type: 3, flags: 0, data: shstrtab.bytes() });

  // Layout: header, section data (8-aligned), section headers.
  let off = 64;
  const offsets: number[] = [];
  for (const s of all) {
    off = (off + 7) & ~7;
    offsets.push(off);
    if (s.type !== SHT_NOBITS) off += s.data?.length ?? 0;
  }
  const shoff = (off + 7) & ~7;
  const out = new Uint8Array(shoff + 64 * all.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  v.setUint16(0x10, 2, true); // ET_EXEC
  v.setUint16(0x12, 62, true); // EM_X86_64
  v.setUint32(0x14, 1, true);
  v.setBigUint64(0x28, BigInt(shoff), true);
  v.setUint16(0x34, 64, true);
  v.setUint16(0x3a, 64, true);
  v.setUint16(0x3c, all.length, true);
  v.setUint16(0x3e, shstrtabIdx, true);
  all.forEach((s, i) => {
    if (s.data && s.type !== SHT_NOBITS) out.set(s.data, offsets[i]!);
    const o = shoff + 64 * i;
    v.setUint32(o, i === 0 ? 0 : shstrtab.add(s.name), true);
    v.setUint32(o + 4, s.type, true);
    v.setBigUint64(o + 8, BigInt(s.flags), true);
    v.setBigUint64(o + 0x10, s.addr ?? 0n, true);
    v.setBigUint64(o + 0x18, BigInt(i === 0 ? 0 : offsets[i]!), true);
    v.setBigUint64(o + 0x20, BigInt(s.type === SHT_NOBITS ? (s.size ?? 0) : (s.data?.length ?? 0)), true);
    v.setUint32(o + 0x28, s.link ?? 0, true);
    v.setUint32(o + 0x2c, s.info ?? 0, true);
    v.setBigUint64(o + 0x30, 8n, true);
    v.setBigUint64(o + 0x38, BigInt(s.entsize ?? 0), true);
  });
  return out;
}

class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private readonly seen = new Map<string, number>();
  private len = 1;
  add(s: string): number {
    if (s === '') return 0;
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    const b = new TextEncoder().encode(s + '\0');
    const at = this.len;
    this.parts.push(b);
    this.len += b.length;
    this.seen.set(s, at);
    return at;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/**
 * A minimal vmlinux-like image: `.text` at `base`, `.rodata` (holding linux_banner), `.data`,
 * `.bss`, a `.notes` section with the GNU build-id, and a `.BTF` section.
 */
export function buildMiniVmlinux(opts: {
  base?: bigint;
  banner?: string;
  buildId?: Uint8Array;
  btf?: Uint8Array;
}): Uint8Array {
  const base = opts.base ?? 0xffffffff81000000n;
  const banner = new TextEncoder().encode((opts.banner ?? 'Linux version 6.1.0-test (builder@test) #1 SMP\n') + '\0');
  const rodata = new Uint8Array(0x100 + banner.length);
  rodata.set(banner, 0x100);
  const text = new Uint8Array(0x200).fill(0xcc);
  const data = new Uint8Array(0x80);
  const sections: ElfSectionSpec[] = [
    { name: '.text', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, data: text, addr: base },
    { name: '.rodata', type: SHT_PROGBITS, flags: SHF_ALLOC, data: rodata, addr: base + 0x200000n },
    { name: '.notes', type: SHT_NOTE, flags: SHF_ALLOC, data: elfNote('GNU', 3, opts.buildId ?? new Uint8Array(20).map((_, i) => i)), addr: base + 0x201000n },
    { name: '.data', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data, addr: base + 0x400000n },
    { name: '.bss', type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, size: 0x1000, addr: base + 0x600000n },
    { name: '.BTF', type: SHT_PROGBITS, flags: SHF_ALLOC, data: opts.btf ?? new Uint8Array([0x9f, 0xeb, 1, 0]), addr: base + 0x202000n },
    { name: '.comment', type: SHT_PROGBITS, flags: 0, data: new TextEncoder().encode('GCC: test\0') },
  ];
  const symbols: ElfSymbolSpec[] = [
    { name: 'vmlinux.o', section: 'ABS', value: 0n, bind: 0, type: 4 },
    { name: '', section: '.text', value: base, bind: 0, type: 3 },
    { name: '_stext', section: '.text', value: base, bind: 1, type: 0 },
    { name: 'startup_64', section: '.text', value: base, bind: 1, type: 2 },
    { name: 'panic', section: '.text', value: base + 0x100n, size: 0x80, bind: 1, type: 2 },
    { name: 'local_fn', section: '.text', value: base + 0x180n, size: 0x10, bind: 0, type: 2 },
    { name: 'weak_fn', section: '.text', value: base + 0x190n, size: 0x10, bind: 2, type: 2 },
    { name: 'linux_banner', section: '.rodata', value: base + 0x200100n, size: banner.length, bind: 1, type: 1 },
    { name: 'local_ro', section: '.rodata', value: base + 0x200000n, size: 8, bind: 0, type: 1 },
    { name: 'init_task', section: '.data', value: base + 0x400000n, size: 0x40, bind: 1, type: 1 },
    { name: 'local_data', section: '.data', value: base + 0x400040n, size: 8, bind: 0, type: 1 },
    { name: 'weak_obj', section: '.data', value: base + 0x400048n, size: 8, bind: 2, type: 1 },
    { name: 'big_bss', section: '.bss', value: base + 0x600000n, size: 0x100, bind: 1, type: 1 },
    { name: 'local_bss', section: '.bss', value: base + 0x600100n, size: 8, bind: 0, type: 1 },
    { name: 'kexec_size', section: 'ABS', value: 0x1ean, bind: 1, type: 0 },
    { name: 'undef_sym', section: 'UNDEF', value: 0n, bind: 1, type: 0 },
  ];
  return buildElf(sections, symbols);
}
