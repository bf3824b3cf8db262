/**
 * The BTF wire format (include/uapi/linux/btf.h), read as the kernel lays it out:
 *
 *   struct btf_header { __u16 magic; __u8 version; __u8 flags; __u32 hdr_len;
 *                       __u32 type_off; __u32 type_len; __u32 str_off; __u32 str_len; };
 *
 * followed (at hdr_len) by the type section — a run of `struct btf_type` records, each with a
 * kind-specific tail — and the string section. Type ids count from 1 in record order; id 0 is
 * void. Split BTF (a module's .BTF on top of vmlinux) continues the base's ids and string offsets.
 *
 * Opening indexes every record's offset in one pass; records are decoded on demand. All lengths
 * are checked against the blob before use, so garbage raises DebugInfoError, never a RangeError,
 * a huge allocation or an endless loop.
 */
import { DebugInfoError } from '../../util/errors.js';

export const BTF_MAGIC = 0xeb9f;

/** BTF_KIND_* from include/uapi/linux/btf.h. */
export const BtfKind = {
  UNKN: 0, INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9,
  CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17,
  TYPE_TAG: 18, ENUM64: 19,
} as const;
export type BtfKindName = keyof typeof BtfKind;
export const KIND_NAMES: readonly BtfKindName[] = Object.keys(BtfKind) as BtfKindName[];
const MAX_KIND = BtfKind.ENUM64;
/** Longest string accepted (twice the kernel's KSYM_NAME_LEN). */
const MAX_STRING = 1024;

/** BTF_INT_ENCODING bits. */
export const BTF_INT_SIGNED = 1 << 0;
export const BTF_INT_CHAR = 1 << 1;
export const BTF_INT_BOOL = 1 << 2;

/** BTF_VAR_* / BTF_FUNC_* linkage values. */
export const BTF_VAR_LINKAGE = ['static', 'global_allocated', 'global_extern'] as const;
export const BTF_FUNC_LINKAGE = ['static', 'global', 'extern'] as const;

export interface BtfHeader {
  magic: number;
  version: number;
  flags: number;
  hdr_len: number;
  type_off: number;
  type_len: number;
  str_off: number;
  str_len: number;
}

export interface BtfMember { name_off: number; type: number; offset: number }
export interface BtfEnum { name_off: number; val: number }
export interface BtfEnum64 { name_off: number; val_lo32: number; val_hi32: number }
export interface BtfArray { type: number; index_type: number; nelems: number }
export interface BtfParam { name_off: number; type: number }
export interface BtfVar { linkage: number }
export interface BtfVarSecinfo { type: number; offset: number; size: number }
export interface BtfDeclTag { component_idx: number }

/** One `struct btf_type` with its tail. `size_or_type` is the union { size; type; }. */
export interface BtfTypeRecord {
  id: number;
  name_off: number;
  info: number;
  kind: number;
  vlen: number;
  kind_flag: boolean;
  size_or_type: number;
  /** INT: the u32 after the header (encoding << 24 | offset << 16 | nr_bits). */
  int_data?: number;
  array?: BtfArray;
  members?: BtfMember[];
  enums?: BtfEnum[];
  enums64?: BtfEnum64[];
  params?: BtfParam[];
  var?: BtfVar;
  secinfos?: BtfVarSecinfo[];
  decl_tag?: BtfDeclTag;
}

export const btfInfoKind = (info: number): number => (info >>> 24) & 0x1f;
export const btfInfoVlen = (info: number): number => info & 0xffff;
export const btfInfoKflag = (info: number): boolean => (info >>> 31) !== 0;
export const btfIntEncoding = (v: number): number => (v >>> 24) & 0x0f;
export const btfIntOffset = (v: number): number => (v >>> 16) & 0xff;
export const btfIntBits = (v: number): number => v & 0xff;
/** A member's offset word with kind_flag set: bitfield_size << 24 | bit_offset. */
export const btfMemberBitfieldSize = (off: number): number => off >>> 24;
export const btfMemberBitOffset = (off: number): number => off & 0xffffff;

/** Bytes of the kind-specific tail after the 12-byte btf_type. */
function tailSize(kind: number, vlen: number): number {
  switch (kind) {
    case BtfKind.INT: return 4;
    case BtfKind.ARRAY: return 12;
    case BtfKind.STRUCT: case BtfKind.UNION: return vlen * 12;
    case BtfKind.ENUM: return vlen * 8;
    case BtfKind.ENUM64: return vlen * 12;
    case BtfKind.FUNC_PROTO: return vlen * 8;
    case BtfKind.VAR: return 4;
    case BtfKind.DATASEC: return vlen * 12;
    case BtfKind.DECL_TAG: return 4;
    default: return 0; // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
  }
}

/** The raw BTF of one blob: header, record index and strings. */
export class BtfWire {
  readonly header: BtfHeader;
  readonly littleEndian: boolean;
  /** First type id held by this blob (1, or base.typeCount + 1 for split BTF). */
  readonly firstId: number;
  /** Number of records in this blob. */
  readonly count: number;
  private readonly dv: DataView;
  private readonly typeStart: number;
  private readonly strStart: number;
  private readonly strBase: number;
  /** Offset (relative to the blob) of each record; index = id - firstId. */
  private readonly offsets: Uint32Array;
  private readonly kinds: Uint8Array;
  private readonly strCache = new Map<number, string>();

  constructor(private readonly blob: Uint8Array, readonly base?: BtfWire) {
    if (blob.length < 24) throw new DebugInfoError(`BTF: blob of ${blob.length} bytes is too short for a header`);
    this.dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const m = this.dv.getUint16(0, true);
    if (m === BTF_MAGIC) this.littleEndian = true;
    else if (m === 0x9feb) this.littleEndian = false;
    else throw new DebugInfoError(`BTF: bad magic 0x${m.toString(16)} (expected 0xeb9f)`);
    const le = this.littleEndian;
    const h: BtfHeader = {
      magic: BTF_MAGIC, version: blob[2]!, flags: blob[3]!, hdr_len: this.dv.getUint32(4, le),
      type_off: this.dv.getUint32(8, le), type_len: this.dv.getUint32(12, le),
      str_off: this.dv.getUint32(16, le), str_len: this.dv.getUint32(20, le),
    };
    this.header = h;
    if (h.version !== 1) throw new DebugInfoError(`BTF: unsupported version ${h.version}`);
    if (h.hdr_len < 24 || h.hdr_len > blob.length) throw new DebugInfoError(`BTF: bad hdr_len ${h.hdr_len}`);
    const data = blob.length - h.hdr_len;
    if (h.type_off % 4 !== 0 || h.type_off > data || h.type_len > data - h.type_off) {
      throw new DebugInfoError(`BTF: type section [${h.type_off}, +${h.type_len}) outside the ${data}-byte data`);
    }
    if (h.str_off > data || h.str_len > data - h.str_off) {
      throw new DebugInfoError(`BTF: string section [${h.str_off}, +${h.str_len}) outside the ${data}-byte data`);
    }
    if (!base && h.str_len > 0 && blob[h.hdr_len + h.str_off] !== 0) {
      throw new DebugInfoError('BTF: string section does not start with an empty string');
    }
    this.typeStart = h.hdr_len + h.type_off;
    this.strStart = h.hdr_len + h.str_off;
    this.strBase = base ? base.stringsEnd : 0;
    this.firstId = base ? base.firstId + base.count : 1;
    const index = this.index(h.type_len);
    this.offsets = index.offsets;
    this.kinds = index.kinds;
    this.count = index.count;
  }

  /** One pass over the type section: the offset and kind of every record. */
  private index(typeLen: number): { offsets: Uint32Array; kinds: Uint8Array; count: number } {
    const max = Math.floor(typeLen / 12); // every record is at least 12 bytes
    const offsets = new Uint32Array(max);
    const kinds = new Uint8Array(max);
    const dv = this.dv;
    const le = this.littleEndian;
    const end = this.typeStart + typeLen;
    let p = this.typeStart;
    let n = 0;
    while (p < end) {
      if (end - p < 12) throw new DebugInfoError(`BTF: truncated type record at type offset ${p - this.typeStart}`);
      const info = dv.getUint32(p + 4, le);
      const kind = (info >>> 24) & 0x1f;
      if (kind > MAX_KIND || kind === BtfKind.UNKN) {
        throw new DebugInfoError(`BTF: unknown kind ${kind} for type id ${this.firstId + n}`);
      }
      const rec = 12 + tailSize(kind, info & 0xffff);
      if (rec > end - p) throw new DebugInfoError(`BTF: type id ${this.firstId + n} runs past the type section`);
      offsets[n] = p;
      kinds[n] = kind;
      n++;
      p += rec;
    }
    return { offsets, kinds, count: n };
  }

  /** Highest valid type id (inclusive). */
  get lastId(): number {
    return this.firstId + this.count - 1;
  }

  /** End of the string offset space covered by this blob (and its base). */
  get stringsEnd(): number {
    return this.strBase + this.header.str_len;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id <= this.lastId;
  }

  private local(id: number): number {
    const i = id - this.firstId;
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new DebugInfoError(`BTF: type id ${id} out of range`);
    return i;
  }

  /** The kind of a type id (void = UNKN) without decoding the record. */
  kindOf(id: number): number {
    if (id === 0) return BtfKind.UNKN;
    if (this.base && id < this.firstId) return this.base.kindOf(id);
    return this.kinds[this.local(id)]!;
  }

  /** name_off of a record without decoding the rest. */
  nameOffOf(id: number): number {
    if (id === 0) return 0;
    if (this.base && id < this.firstId) return this.base.nameOffOf(id);
    return this.dv.getUint32(this.offsets[this.local(id)]!, this.littleEndian);
  }

  /** A string by offset into the (possibly split) string section. */
  str(off: number): string {
    if (off < this.strBase) {
      if (!this.base) throw new DebugInfoError(`BTF: string offset ${off} out of range`);
      return this.base.str(off);
    }
    const hit = this.strCache.get(off);
    if (hit !== undefined) return hit;
    const rel = off - this.strBase;
    const len = this.header.str_len;
    if (!Number.isInteger(rel) || rel >= len) {
      if (rel === 0 && len === 0) return '';
      throw new DebugInfoError(`BTF: string offset ${off} out of range`);
    }
    const b = this.blob;
    const start = this.strStart + rel;
    const end = this.strStart + len;
    // The kernel's BTF verifier allows names shorter than KSYM_NAME_LEN (512, kernel/bpf/btf.c
    // __btf_name_valid): a longer one is garbage, and printed over and over in nested types it
    // made type text megabytes long.
    const lim = Math.min(end, start + MAX_STRING);
    let e = start;
    let s = '';
    while (e < lim && b[e] !== 0) s += String.fromCharCode(b[e++]!);
    if (e >= lim) {
      throw new DebugInfoError(e >= end ? `BTF: string at offset ${off} is not NUL-terminated` : `BTF: string at offset ${off} is longer than ${MAX_STRING} bytes`);
    }
    this.strCache.set(off, s);
    return s;
  }

  /** Decode one record with its tail. */
  record(id: number): BtfTypeRecord {
    if (this.base && id < this.firstId) return this.base.record(id);
    const p = this.offsets[this.local(id)]!;
    const dv = this.dv;
    const le = this.littleEndian;
    const u32 = (o: number): number => dv.getUint32(o, le);
    const info = u32(p + 4);
    const kind = btfInfoKind(info);
    const vlen = btfInfoVlen(info);
    const r: BtfTypeRecord = {
      id, name_off: u32(p), info, kind, vlen, kind_flag: btfInfoKflag(info), size_or_type: u32(p + 8),
    };
    const t = p + 12;
    switch (kind) {
      case BtfKind.INT: r.int_data = u32(t); break;
      case BtfKind.ARRAY: r.array = { type: u32(t), index_type: u32(t + 4), nelems: u32(t + 8) }; break;
      case BtfKind.STRUCT: case BtfKind.UNION:
        r.members = [];
        for (let i = 0; i < vlen; i++) {
          const q = t + i * 12;
          r.members.push({ name_off: u32(q), type: u32(q + 4), offset: u32(q + 8) });
        }
        break;
      case BtfKind.ENUM:
        r.enums = [];
        for (let i = 0; i < vlen; i++) r.enums.push({ name_off: u32(t + i * 8), val: dv.getInt32(t + i * 8 + 4, le) });
        break;
      case BtfKind.ENUM64:
        r.enums64 = [];
        for (let i = 0; i < vlen; i++) {
          const q = t + i * 12;
          r.enums64.push({ name_off: u32(q), val_lo32: u32(q + 4), val_hi32: u32(q + 8) });
        }
        break;
      case BtfKind.FUNC_PROTO:
        r.params = [];
        for (let i = 0; i < vlen; i++) r.params.push({ name_off: u32(t + i * 8), type: u32(t + i * 8 + 4) });
        break;
      case BtfKind.VAR: r.var = { linkage: u32(t) }; break;
      case BtfKind.DATASEC:
        r.secinfos = [];
        for (let i = 0; i < vlen; i++) {
          const q = t + i * 12;
          r.secinfos.push({ type: u32(q), offset: u32(q + 4), size: u32(q + 8) });
        }
        break;
      case BtfKind.DECL_TAG: r.decl_tag = { component_idx: dv.getInt32(t, le) }; break;
      default: break;
    }
    return r;
  }

  /** How many records of each kind this blob (not its base) holds. */
  kindCounts(): Record<BtfKindName, number> {
    const out = Object.fromEntries(KIND_NAMES.map((k) => [k, 0])) as Record<BtfKindName, number>;
    for (let i = 0; i < this.count; i++) out[KIND_NAMES[this.kinds[i]!]!]++;
    return out;
  }
}
