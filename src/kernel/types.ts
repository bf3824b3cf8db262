import type { Kernel } from './kernel.js';
import type { Btf } from '../debuginfo/btf/index.js';
import { sizeofType, findMember, resolveType, type CType, type MemberInfo } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';
import { arrayOf, parseDeclaration, parseTypeName } from './type-parse.js';
import { WELL_KNOWN_GLOBALS } from './globals.js';

export interface SymbolType {
  type: CType;
  /** 'btf': a BTF VAR (per-cpu); 'table': crash-tui's table of well-known globals. */
  source: 'btf' | 'table';
}

/** Type names, members and symbol types, over the dump's BTF. */
export class TypeResolver {
  private globals: Map<string, string> | undefined;
  private readonly symTypes = new Map<string, SymbolType | null>();

  constructor(private readonly k: Kernel) {}

  private get btf(): Btf {
    const b = this.k.btf;
    if (!b) throw new CrashError('no type information: the dump carries no BTF (and no vmlinux was given)');
    return b;
  }

  tryParse(name: string): CType | undefined {
    try {
      return parseTypeName(this.btf, name);
    } catch {
      return undefined;
    }
  }

  /**
   * A bare name as crash's arg_to_datatype takes it: `struct NAME`, else `union NAME` (the other
   * order when `prefer` is 'union'). Callers that also accept a typedef try `tryParse(name)` after.
   */
  aggregate(name: string, prefer: 'struct' | 'union' = 'struct'): CType | undefined {
    const [first, second] = prefer === 'union' ? ['union', 'struct'] : ['struct', 'union'];
    return this.tryParse(`${first} ${name}`) ?? this.tryParse(`${second} ${name}`);
  }

  parse(name: string): CType {
    const t = parseTypeName(this.btf, name);
    if (!t) throw new CrashError(`invalid data structure reference: ${name}`);
    return t;
  }

  sizeof(t: CType): number {
    return sizeofType(t, 8);
  }

  memberOf(struct: string, path: string): MemberInfo | undefined {
    const t = this.tryParse(struct);
    if (!t) return undefined;
    try {
      return findMember(t, path, 8);
    } catch {
      return undefined;
    }
  }

  enumValue(name: string): bigint | undefined {
    return this.k.btf?.enumConstant(name)?.value;
  }

  /** The declared type of a global: a BTF VAR, else the well-known table; undefined if unknown. */
  typeOfSymbol(name: string): SymbolType | undefined {
    if (this.symTypes.has(name)) return this.symTypes.get(name) ?? undefined;
    let r: SymbolType | undefined;
    const btf = this.k.btf;
    const v = btf?.findVar(name);
    if (v) r = { type: v.type, source: 'btf' };
    else if (btf) {
      const decl = this.globalDecl(name);
      const d = decl ? safe(() => parseDeclaration(btf, decl)) : undefined;
      if (d) {
        let type = d.type;
        if (d.openArray) {
          const arr = resolveType(type);
          if (arr.kind === 'array') {
            const elem = Math.max(1, sizeofType(arr.elem, 8));
            let length = Math.max(1, Math.floor(this.symbolExtent(name) / elem));
            // A string-initialized char array (linux_banner) is exactly its string and the NUL.
            const r = resolveType(arr.elem);
            if (r.kind === 'int' && r.size === 1) length = Math.min(length, this.stringLength(name) + 1);
            type = arrayOf(arr.elem, length);
          }
        }
        r = { type, source: 'table' };
      }
    }
    this.symTypes.set(name, r ?? null);
    return r;
  }

  private globalDecl(name: string): string | undefined {
    if (!this.globals) {
      this.globals = new Map();
      for (const d of WELL_KNOWN_GLOBALS) {
        const m = d.match(/([A-Za-z_$][\w$]*)\s*(\[[^\]]*\])*$/);
        if (m) this.globals.set(m[1], d);
      }
    }
    return this.globals.get(name);
  }

  private stringLength(name: string): number {
    try {
      return this.k.readCString(this.k.symbolAddress(name), 1 << 16).length;
    } catch {
      return 0;
    }
  }

  /** Bytes from a symbol to the next one: the best size estimate kallsyms allows. */
  private symbolExtent(name: string): number {
    const s = this.k.symbols.lookup(name);
    if (!s) return 0;
    const all = this.k.symbols.all();
    let lo = 0;
    let hi = all.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (all[mid].address <= s.address) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo + 1; i < all.length; i++) if (all[i].address > s.address) return Math.min(Number(all[i].address - s.address), 1 << 20);
    return 0;
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
