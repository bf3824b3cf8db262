/**
 * The two headers of a kdump-compressed file (makedumpfile IMPLEMENTATION, diskdump_mod.h;
 * crash diskdump.h): `struct disk_dump_header` in block 0 and `struct kdump_sub_header` in
 * block 1. Both use C `long`/`off_t`/`struct timeval`, so the layout is the dumped machine's; the
 * offsets here are the LP64 ones (x86_64, arm64), checked against makedumpfile 1.7.2 and QEMU 7.2
 * output.
 */
import type { ElfNote, Machine } from './types.js';
import { NT_PRSTATUS } from './elf-notes.js';
import { DumpFormatError } from '../util/errors.js';
import { parseNewUtsname, type UtsName } from '../util/utsname.js';

export const DISKDUMP_HEADER_SIZE = 464; // sizeof(struct disk_dump_header), LP64
export const KDUMP_SUB_HEADER_SIZE = 104; // sizeof(struct kdump_sub_header) v6, LP64

/** disk_dump_header.status bits (diskdump_mod.h). */
export const DUMP_DH_COMPRESSED_ZLIB = 0x1;
export const DUMP_DH_COMPRESSED_LZO = 0x2;
export const DUMP_DH_COMPRESSED_SNAPPY = 0x4;
export const DUMP_DH_COMPRESSED_INCOMPLETE = 0x8;
export const DUMP_DH_EXCLUDED_VMEMMAP = 0x10;
export const DUMP_DH_COMPRESSED_ZSTD = 0x20;

const MIN_BLOCK = 512;
const MAX_BLOCK = 1 << 20;
const MAX_SUB_HDR_BLOCKS = 1 << 16;
const MAX_NOTE_BYTES = 64 << 20;
const MAX_VMCOREINFO_BYTES = 16 << 20;

export type KdumpSignature = 'KDUMP' | 'DISKDUMP';

/** The header's struct new_utsname. */
export type Utsname = UtsName;

export interface DiskDumpHeader {
  signature: KdumpSignature;
  headerVersion: number;
  utsname: Utsname;
  timestamp: { sec: bigint; usec: bigint };
  status: number;
  blockSize: number;
  subHdrSize: number;
  bitmapBlocks: number;
  /** The obsolete 32-bit max_mapnr; v6 sub-headers carry the 64-bit one. */
  maxMapnr: number;
  totalRamBlocks: number;
  deviceBlocks: number;
  writtenBlocks: number;
  currentCpu: number;
  nrCpus: number;
}

/** kdump_sub_header; fields newer than header_version read as zero. */
export interface KdumpSubHeader {
  physBase: bigint;
  dumpLevel: number; // v1+
  split: boolean; // v2+
  startPfn: bigint; // v2+ (64-bit from v6)
  endPfn: bigint;
  offsetVmcoreinfo: number; // v3+
  sizeVmcoreinfo: number;
  offsetNote: number; // v4+
  sizeNote: number;
  offsetEraseinfo: number; // v5+
  sizeEraseinfo: number;
  maxMapnr64: bigint | undefined; // v6+
}

/** 'KDUMP' ("KDUMP   ") or old diskdump's 'DISKDUMP', from the first 8 bytes. */
export function kdumpSignature(head: Uint8Array): KdumpSignature | undefined {
  if (head.length < 8) return undefined;
  const s = String.fromCharCode(...head.subarray(0, 8));
  return s === 'KDUMP   ' ? 'KDUMP' : s === 'DISKDUMP' ? 'DISKDUMP' : undefined;
}


/** The machine utsname names; undefined when it names none (makedumpfile without VMCOREINFO leaves it empty). */
export function machineOf(uts: Utsname, path: string): Machine | undefined {
  if (uts.machine === 'x86_64') return 'x86_64';
  if (uts.machine === 'aarch64') return 'arm64';
  // QEMU writes "Unknown" for aarch64 guests: the notes and VMCOREINFO tell (machineFromNotes)
  if (uts.machine === '' || uts.machine === 'Unknown') return undefined;
  throw new DumpFormatError(`${path}: compressed kdump: unsupported machine type: ${JSON.stringify(uts.machine)}`);
}

/**
 * An empty utsname.machine (makedumpfile run without VMCOREINFO, QEMU's "Unknown"): crash assumes
 * its own architecture; we look at what the dump carries: the size of NT_PRSTATUS (struct
 * elf_prstatus is 336 bytes on x86_64, 392 on arm64) or arm64-only VMCOREINFO keys, else x86_64.
 */
export function machineFromNotes(notes: readonly ElfNote[], vmcoreinfo: string | undefined): Machine {
  const prstatus = notes.find((n) => n.name === 'CORE' && n.type === NT_PRSTATUS);
  const arm64 = prstatus ? prstatus.desc.length === 392 : /^NUMBER\(kimage_voffset\)=/m.test(vmcoreinfo ?? '');
  return arm64 ? 'arm64' : 'x86_64';
}

export function parseDiskDumpHeader(b: Uint8Array, path: string): DiskDumpHeader {
  const signature = kdumpSignature(b);
  if (!signature) throw new DumpFormatError(`${path}: not a kdump-compressed file`);
  if (b.length < DISKDUMP_HEADER_SIZE) throw new DumpFormatError(`${path}: truncated kdump header at offset 0`);
  const dv = new DataView(b.buffer, b.byteOffset, DISKDUMP_HEADER_SIZE);
  const u = (o: number) => dv.getUint32(o, true);
  const i = (o: number) => dv.getInt32(o, true);
  const h: DiskDumpHeader = {
    signature,
    headerVersion: i(8),
    utsname: parseNewUtsname(b, 12),
    timestamp: { sec: dv.getBigInt64(408, true), usec: dv.getBigInt64(416, true) },
    status: u(424),
    blockSize: i(428),
    subHdrSize: i(432),
    bitmapBlocks: u(436),
    maxMapnr: u(440),
    totalRamBlocks: u(444),
    deviceBlocks: u(448),
    writtenBlocks: u(452),
    currentCpu: u(456),
    nrCpus: i(460),
  };
  const bad = (what: string) => new DumpFormatError(`${path}: compressed kdump: bad ${what} in the header`);
  if (h.headerVersion < 0) throw bad(`header_version ${h.headerVersion}`);
  if (h.blockSize < MIN_BLOCK || h.blockSize > MAX_BLOCK || (h.blockSize & (h.blockSize - 1)) !== 0) {
    throw bad(`block_size ${h.blockSize}`);
  }
  if (h.subHdrSize < 0 || h.subHdrSize > MAX_SUB_HDR_BLOCKS) throw bad(`sub_hdr_size ${h.subHdrSize}`);
  if (h.bitmapBlocks === 0) throw bad('bitmap_blocks 0');
  return h;
}

function safeOffset(v: bigint, what: string, path: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DumpFormatError(`${path}: compressed kdump: bad ${what} ${v} in the sub-header`);
  }
  return Number(v);
}

/** Parse kdump_sub_header `b` (at least KDUMP_SUB_HEADER_SIZE bytes) of the given header_version. */
export function parseKdumpSubHeader(b: Uint8Array, version: number, path: string): KdumpSubHeader {
  if (b.length < KDUMP_SUB_HEADER_SIZE) throw new DumpFormatError(`${path}: truncated kdump sub-header`);
  const dv = new DataView(b.buffer, b.byteOffset, KDUMP_SUB_HEADER_SIZE);
  const q = (o: number) => dv.getBigUint64(o, true);
  const off = (o: number, what: string) => safeOffset(dv.getBigInt64(o, true), what, path);
  const s: KdumpSubHeader = {
    physBase: q(0),
    dumpLevel: version >= 1 ? dv.getInt32(8, true) : 0,
    split: version >= 2 && dv.getInt32(12, true) !== 0,
    startPfn: version >= 2 ? q(16) : 0n,
    endPfn: version >= 2 ? q(24) : 0n,
    offsetVmcoreinfo: version >= 3 ? off(32, 'offset_vmcoreinfo') : 0,
    sizeVmcoreinfo: version >= 3 ? off(40, 'size_vmcoreinfo') : 0,
    offsetNote: version >= 4 ? off(48, 'offset_note') : 0,
    sizeNote: version >= 4 ? off(56, 'size_note') : 0,
    offsetEraseinfo: version >= 5 ? off(64, 'offset_eraseinfo') : 0,
    sizeEraseinfo: version >= 5 ? off(72, 'size_eraseinfo') : 0,
    maxMapnr64: version >= 6 ? q(96) : undefined,
  };
  if (version >= 6) {
    s.startPfn = q(80);
    s.endPfn = q(88);
  }
  if (s.sizeNote > MAX_NOTE_BYTES) throw new DumpFormatError(`${path}: compressed kdump: ELF notes of ${s.sizeNote} bytes are implausible`);
  if (s.sizeVmcoreinfo > MAX_VMCOREINFO_BYTES) {
    throw new DumpFormatError(`${path}: compressed kdump: VMCOREINFO of ${s.sizeVmcoreinfo} bytes is implausible`);
  }
  return s;
}
