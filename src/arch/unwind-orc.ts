/**
 * The x86_64 ORC unwinder (arch/x86/kernel/unwind_orc.c, arch/x86/include/asm/orc_types.h), over
 * tables read from the dump: `.orc_unwind_ip` (s32 offsets, each relative to its own address),
 * `.orc_unwind` (6-byte entries) and the kernel's `orc_lookup[]` fast index.
 *
 * Entry formats ("versions" are drgn's names, libdrgn/orc.h; the kernel has none):
 *   v1  v4.14 ee9f8fce9964   flags: sp_reg:4 bp_reg:4 type:2 end:1           (CALL=0 REGS=1 REGS_PARTIAL=2)
 *   v2  v6.3  ffb1b4a41016   flags: sp_reg:4 bp_reg:4 type:2 signal:1 end:1
 *   v3  v6.4  fb799447ae29   flags: sp_reg:4 bp_reg:4 type:3 signal:1        (UNDEFINED=0 END_OF_STACK=1 CALL=2 ...)
 *   v4  v7.1  1735858caa4b   v3 with the registers renumbered
 * v6.4 (and 6.3.10) added `.orc_header`, a 20-byte hash of orc_types.h naming the format.
 */

export type OrcReg = 'undefined' | 'prev_sp' | 'dx' | 'di' | 'bp' | 'sp' | 'r10' | 'r13' | 'bp_indirect' | 'sp_indirect' | 'ax';
export type OrcType = 'undefined' | 'end_of_stack' | 'call' | 'regs' | 'regs_partial';
export type OrcVersion = 1 | 2 | 3 | 4;

export interface OrcEntry {
  spOffset: number;
  bpOffset: number;
  spReg: OrcReg;
  bpReg: OrcReg;
  type: OrcType;
  /** The ip is exact (an interrupted instruction), not a return address to back up by one. */
  signal: boolean;
}

/** Register numbers before v7.1 (ORC_REG_* in orc_types.h) and after 1735858caa4b. */
const REGS_V1: OrcReg[] = ['undefined', 'prev_sp', 'dx', 'di', 'bp', 'sp', 'r10', 'r13', 'bp_indirect', 'sp_indirect', 'ax'];
const REGS_V4: OrcReg[] = ['undefined', 'ax', 'dx', 'sp', 'bp', 'di', 'r10', 'r13', 'prev_sp', 'sp_indirect', 'bp_indirect'];
const TYPES_V1: OrcType[] = ['call', 'regs', 'regs_partial', 'undefined'];
const TYPES_V3: OrcType[] = ['undefined', 'end_of_stack', 'call', 'regs', 'regs_partial', 'undefined', 'undefined', 'undefined'];

/** Known `.orc_header` hashes (scripts/orc_hash.sh over orc_types.h), as drgn lists them. */
const HEADER_HASHES: [string, OrcVersion][] = [
  ['137c36ad7627c4dd55932176bb0ecdbd5041fc82', 4],
  ['fe5d32bf581bd63b2ca9a5c65ba5a625eab3fe24', 3],
  ['db84aed4103b31dd51e017f8f79783ca985c2c51', 2],
];

export const ORC_HEADER_SIZE = 20;
export const ORC_ENTRY_SIZE = 6;
/** LOOKUP_BLOCK_ORDER 8 (arch/x86/include/asm/unwind.h... orc_lookup.h). */
export const ORC_LOOKUP_BLOCK_SIZE = 256n;

export function orcVersionFromHeader(hash: Uint8Array): OrcVersion | undefined {
  const hex = [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
  return HEADER_HASHES.find(([h]) => h === hex)?.[1];
}

/**
 * Without `.orc_header`, the kernel's own `struct orc_entry` (from BTF) tells the layout: an `end`
 * bit without `signal` is v1, both is v2, `signal` alone is v3 (6.4 kernels built without the
 * header, and RHEL 9.6's backport).
 */
export function orcVersionFromLayout(hasEnd: boolean, hasSignal: boolean): OrcVersion {
  if (hasSignal) return hasEnd ? 2 : 3;
  return 1;
}

export function decodeOrcEntry(b: Uint8Array, off: number, v: OrcVersion): OrcEntry {
  const dv = new DataView(b.buffer, b.byteOffset + off, ORC_ENTRY_SIZE);
  const spOffset = dv.getInt16(0, true);
  const bpOffset = dv.getInt16(2, true);
  const flags = dv.getUint16(4, true);
  const regs = v === 4 ? REGS_V4 : REGS_V1;
  const spReg = regs[flags & 0xf] ?? 'undefined';
  const bpReg = regs[(flags >> 4) & 0xf] ?? 'undefined';
  if (v >= 3) return { spOffset, bpOffset, spReg, bpReg, type: TYPES_V3[(flags >> 8) & 7], signal: (flags & 0x800) !== 0 };
  // v1/v2: no UNDEFINED/END_OF_STACK types; sp_reg UNDEFINED with or without `end` means them.
  const end = (flags & (v === 1 ? 0x400 : 0x800)) !== 0;
  const raw = TYPES_V1[(flags >> 8) & 3];
  const type: OrcType = spReg === 'undefined' ? (end ? 'end_of_stack' : 'undefined') : raw;
  const signal = v === 1 ? raw === 'regs' || raw === 'regs_partial' : (flags & 0x400) !== 0;
  return { spOffset, bpOffset, spReg, bpReg, type, signal };
}

export interface OrcTableSpec {
  /** __start_orc_unwind_ip */
  ipTable: bigint;
  /** __start_orc_unwind */
  entries: bigint;
  count: number;
  version: OrcVersion;
  /** orc_lookup[] covering [startIp, stopIp) (_stext.._etext) in 256-byte blocks */
  lookup?: { table: bigint; blocks: number; startIp: bigint; stopIp: bigint };
  /** Reads kernel memory; throws when unreadable. */
  read(addr: bigint, len: number): Uint8Array;
}

const CHUNK = 1024; // entries per cached chunk

/** orc_find(): the entry covering an address, read lazily from the dump. */
export class OrcTable {
  private readonly ipChunks = new Map<number, Int32Array>();
  private readonly entryChunks = new Map<number, Uint8Array>();

  constructor(readonly spec: OrcTableSpec) {}

  /** The address the i-th `.orc_unwind_ip` slot names. */
  ipAt(i: number): bigint {
    const c = Math.floor(i / CHUNK);
    let chunk = this.ipChunks.get(c);
    if (!chunk) {
      const n = Math.min(CHUNK, this.spec.count - c * CHUNK);
      const b = this.spec.read(this.spec.ipTable + BigInt(c * CHUNK * 4), n * 4);
      chunk = new Int32Array(n);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let j = 0; j < n; j++) chunk[j] = dv.getInt32(j * 4, true);
      this.ipChunks.set(c, chunk);
    }
    return this.spec.ipTable + BigInt(i * 4) + BigInt(chunk[i % CHUNK]);
  }

  entryAt(i: number): OrcEntry {
    const c = Math.floor(i / CHUNK);
    let chunk = this.entryChunks.get(c);
    if (!chunk) {
      const n = Math.min(CHUNK, this.spec.count - c * CHUNK);
      chunk = this.spec.read(this.spec.entries + BigInt(c * CHUNK * ORC_ENTRY_SIZE), n * ORC_ENTRY_SIZE);
      this.entryChunks.set(c, chunk);
    }
    return decodeOrcEntry(chunk, (i % CHUNK) * ORC_ENTRY_SIZE, this.spec.version);
  }

  /** The entry for `ip`, or undefined when the address is outside the table. */
  find(ip: bigint): OrcEntry | undefined {
    if (ip === 0n || this.spec.count === 0) return undefined;
    const lk = this.spec.lookup;
    let first = 0;
    let last = this.spec.count - 1;
    if (lk && ip >= lk.startIp && ip < lk.stopIp) {
      const idx = Number((ip - lk.startIp) / ORC_LOOKUP_BLOCK_SIZE);
      if (idx < lk.blocks - 1) {
        const b = this.spec.read(lk.table + BigInt(idx * 4), 8);
        const dv = new DataView(b.buffer, b.byteOffset, 8);
        const start = dv.getUint32(0, true);
        const stop = dv.getUint32(4, true) + 1;
        if (start < this.spec.count && stop <= this.spec.count && start < stop) {
          first = start;
          last = stop - 1;
        }
      }
    }
    if (ip < this.ipAt(first)) {
      if (first === 0) return undefined;
      first = 0; // a stale lookup block: search everything
    }
    // __orc_find(): the rightmost entry at or below ip (terminators lose to real entries)
    let found = first;
    while (first <= last) {
      const mid = first + ((last - first) >> 1);
      if (this.ipAt(mid) <= ip) {
        found = mid;
        first = mid + 1;
      } else last = mid - 1;
    }
    return this.entryAt(found);
  }
}

/** Where the unwinder stands: the registers it knows (ip and sp at least). */
export interface UnwindState {
  ip: bigint;
  sp: bigint;
  bp?: bigint;
  /** Address of the last full pt_regs passed (their registers back get_reg()). */
  regs?: bigint;
  /** Known register values by pt_regs name (from NT_PRSTATUS or the last pt_regs). */
  known?: Partial<Record<'ax' | 'dx' | 'di' | 'r10' | 'r13' | 'bp', bigint>>;
  /** The ip is an interrupted instruction, not a return address. */
  signal: boolean;
}

export type OrcStep =
  /** A call frame: the return address was read from `retSlot`. */
  | { kind: 'call'; retSlot: bigint; next: UnwindState }
  /** An interrupt/exception frame: pt_regs (`partial`: only the iret frame) at `regsAddr`. */
  | { kind: 'regs'; regsAddr: bigint; partial: boolean; next: UnwindState }
  | { kind: 'end' }
  | { kind: 'error'; message: string };

export interface StackReader {
  u64(addr: bigint): bigint | undefined;
}

/** offsetof(struct pt_regs, ip) and the iret frame after it (ip, cs, flags, sp, ss). */
export const PT_REGS_IP = 16 * 8;
export const PT_REGS_SIZE = 21 * 8;

/** One step of unwind_next_frame() with the entry for the current ip. */
export function orcStep(e: OrcEntry, s: UnwindState, mem: StackReader): OrcStep {
  if (e.type === 'end_of_stack') return { kind: 'end' };
  if (e.type === 'undefined' || e.spReg === 'undefined') return { kind: 'error', message: 'undefined ORC entry' };
  let sp: bigint | undefined;
  let indirect = false;
  switch (e.spReg) {
    case 'sp':
      sp = s.sp + BigInt(e.spOffset);
      break;
    case 'bp':
      sp = s.bp === undefined ? undefined : s.bp + BigInt(e.spOffset);
      break;
    case 'sp_indirect':
      sp = s.sp;
      indirect = true;
      break;
    case 'bp_indirect':
      sp = s.bp === undefined ? undefined : s.bp + BigInt(e.spOffset);
      indirect = true;
      break;
    case 'r10':
    case 'r13':
    case 'di':
    case 'dx':
    case 'ax':
      sp = s.known?.[e.spReg];
      break;
    default:
      return { kind: 'error', message: `unknown SP base register ${e.spReg}` };
  }
  if (sp === undefined) return { kind: 'error', message: `missing ${e.spReg} value` };
  if (indirect) {
    const v = mem.u64(sp);
    if (v === undefined) return { kind: 'error', message: `cannot read stack at ${sp.toString(16)}` };
    sp = e.spReg === 'sp_indirect' ? v + BigInt(e.spOffset) : v;
  }
  const bpFrom = (cfa: bigint, fallback: bigint | undefined): bigint | undefined => {
    if (e.bpReg === 'prev_sp') return mem.u64(cfa + BigInt(e.bpOffset));
    if (e.bpReg === 'bp') return s.bp === undefined ? undefined : mem.u64(s.bp + BigInt(e.bpOffset));
    return fallback;
  };
  if (e.type === 'call') {
    const retSlot = sp - 8n;
    const ip = mem.u64(retSlot);
    if (ip === undefined) return { kind: 'error', message: `cannot read return address at ${retSlot.toString(16)}` };
    return { kind: 'call', retSlot, next: { ip, sp, bp: bpFrom(sp, s.bp), signal: e.signal } };
  }
  const partial = e.type === 'regs_partial';
  const regsAddr = partial ? sp - BigInt(PT_REGS_IP) : sp;
  const ip = mem.u64(regsAddr + BigInt(PT_REGS_IP));
  const nsp = mem.u64(regsAddr + BigInt(PT_REGS_IP + 24));
  if (ip === undefined || nsp === undefined) return { kind: 'error', message: `cannot read registers at ${regsAddr.toString(16)}` };
  const known: UnwindState['known'] = {};
  if (!partial) {
    for (const [name, idx] of [['bp', 4], ['r10', 7], ['r13', 2], ['ax', 10], ['dx', 12], ['di', 14]] as const) {
      const v = mem.u64(regsAddr + BigInt(idx * 8));
      if (v !== undefined) known[name] = v;
    }
  }
  return { kind: 'regs', regsAddr, partial, next: { ip, sp: nsp, bp: bpFrom(sp, known.bp ?? s.bp), regs: partial ? undefined : regsAddr, known, signal: true } };
}
