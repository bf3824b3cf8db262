import type { DumpFile } from '../dump/types.js';
import type { Arch } from '../arch/types.js';
import type { VmcoreInfo } from '../debuginfo/vmcoreinfo.js';
import type { SymbolTable, Sym } from '../debuginfo/symbol-table.js';
import type { Btf } from '../debuginfo/btf/index.js';
import type { CType } from '../debuginfo/btf/types.js';
import { Memory } from '../memory/memory.js';
import { CrashError } from '../util/errors.js';
import { TypeResolver, type SymbolType } from './types.js';

export interface KernelSources {
  dump: DumpFile;
  vmcoreinfo: VmcoreInfo;
  arch: Arch;
  mem: Memory;
  symbols: SymbolTable;
  /** Lazily decoded BTF (undefined when the kernel has none). */
  loadBtf: () => Btf | undefined;
  /** Where symbols and types came from, for `sys` and `help -k`. */
  debugSource: string;
}

/**
 * The facade every command receives: memory reads by address space, symbols, types and objects.
 * Nothing here knows which dump format or scenario the bytes came from.
 */
export class Kernel {
  readonly dump: DumpFile;
  readonly vmcoreinfo: VmcoreInfo;
  readonly mem: Memory;
  readonly symbols: SymbolTable;
  readonly debugSource: string;
  private btfCache: Btf | null | undefined;
  private typesCache: TypeResolver | undefined;
  private readonly loadBtf: () => Btf | undefined;
  /** Per-session memo for derived kernel facts (per-cpu offsets, cpu masks ...). */
  readonly cache = new Map<string, unknown>();

  constructor(src: KernelSources) {
    this.dump = src.dump;
    this.vmcoreinfo = src.vmcoreinfo;
    this.mem = src.mem;
    this.symbols = src.symbols;
    this.loadBtf = src.loadBtf;
    this.debugSource = src.debugSource;
  }

  get arch(): Arch {
    return this.mem.arch;
  }

  get btf(): Btf | undefined {
    if (this.btfCache === undefined) this.btfCache = this.loadBtf() ?? null;
    return this.btfCache ?? undefined;
  }

  get types(): TypeResolver {
    if (!this.typesCache) this.typesCache = new TypeResolver(this);
    return this.typesCache;
  }

  /** Memoize a derived fact for the session. */
  memo<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = compute();
    this.cache.set(key, v);
    return v;
  }

  // ---- memory -------------------------------------------------------------------------------

  readBytes(addr: bigint, len: number, what = 'kernel memory'): Uint8Array {
    return this.mem.readKv(addr, len, what);
  }
  readU8(addr: bigint, what = 'u8'): number {
    return this.readBytes(addr, 1, what)[0];
  }
  readU16(addr: bigint, what = 'u16'): number {
    const b = this.readBytes(addr, 2, what);
    return b[0] | (b[1] << 8);
  }
  readU32(addr: bigint, what = 'u32'): number {
    const b = this.readBytes(addr, 4, what);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
  readS32(addr: bigint, what = 's32'): number {
    const b = this.readBytes(addr, 4, what);
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  }
  readU64(addr: bigint, what = 'u64'): bigint {
    const b = this.readBytes(addr, 8, what);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
  readPtr(addr: bigint, what = 'pointer'): bigint {
    return this.readU64(addr, what);
  }
  /** A NUL-terminated string of at most `max` bytes; stops early at an unreadable page. */
  readCString(addr: bigint, max = 256, what = 'string'): string {
    let s = '';
    const page = BigInt(this.arch.pageSize);
    let a = addr;
    while (s.length < max) {
      const n = Math.min(max - s.length, Number(page - (a % page)));
      let b: Uint8Array;
      try {
        b = this.readBytes(a, n, what);
      } catch (e) {
        if (s.length) return s;
        throw e;
      }
      const z = b.indexOf(0);
      const part = z >= 0 ? b.subarray(0, z) : b;
      for (const c of part) s += String.fromCharCode(c);
      if (z >= 0) return s;
      a += BigInt(n);
    }
    return s;
  }

  // ---- symbols ------------------------------------------------------------------------------

  symbol(name: string): Sym | undefined {
    return this.symbols.lookup(name);
  }
  hasSymbol(name: string): boolean {
    return this.symbols.lookup(name) !== undefined;
  }
  symbolAddress(name: string): bigint {
    const s = this.symbols.lookup(name);
    if (!s) throw new CrashError(`cannot resolve: ${name}`);
    return s.address;
  }
  /** Read a well-known global by its declared type size (u64/u32 ...). */
  readSymbolU64(name: string): bigint {
    return this.readU64(this.symbolAddress(name), name);
  }
  readSymbolU32(name: string): number {
    return this.readU32(this.symbolAddress(name), name);
  }

  // ---- types --------------------------------------------------------------------------------

  type(name: string): CType {
    return this.types.parse(name);
  }
  hasType(name: string): boolean {
    return this.types.tryParse(name) !== undefined;
  }
  sizeOf(name: string): number {
    return this.types.sizeof(this.type(name));
  }
  hasMember(struct: string, member: string): boolean {
    return this.types.memberOf(struct, member) !== undefined;
  }
  /** Byte offset of a (possibly nested, `a.b`) member, or undefined when the kernel lacks it. */
  memberByteOffset(struct: string, member: string): number | undefined {
    const m = this.types.memberOf(struct, member);
    return m === undefined ? undefined : Math.floor(m.bitOffset / 8);
  }
  offsetOf(struct: string, member: string): number {
    const o = this.memberByteOffset(struct, member);
    if (o === undefined) throw new CrashError(`invalid structure member: ${struct}.${member}`);
    return o;
  }
  /** The C type of a global or per-cpu symbol, when known (BTF VAR or the well-known table). */
  typeOfSymbol(name: string): SymbolType | undefined {
    return this.types.typeOfSymbol(name);
  }
}
