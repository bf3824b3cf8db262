import type { Kernel } from '../kernel.js';
import { findMember, resolveType, sizeofType, type CType } from '../../debuginfo/btf/types.js';
import { CrashError } from '../../util/errors.js';
import { ptrTo } from '../type-parse.js';
import type { Expr } from './ast.js';
import { parseExpr } from './parse.js';
import { baseType, fromBigInt, isSigned, toBigInt, type Value } from './value.js';

/** Parse and evaluate a C expression over the kernel, as gdb's `print` would. */
export function evaluate(k: Kernel, text: string): Value {
  const isType = (t: string) => {
    try {
      return k.types.tryParse(t) !== undefined;
    } catch {
      return false;
    }
  };
  return new Evaluator(k).eval(parseExpr(text, isType));
}

/** AST depth the evaluator recurses through (`1+1+...+1` is a left-deep chain the parser builds in a loop). */
const MAX_DEPTH = 1000;

class Evaluator {
  private depth = 0;

  constructor(private readonly k: Kernel) {}

  eval(e: Expr): Value {
    if (this.depth >= MAX_DEPTH) throw new CrashError('expression nested too deeply');
    this.depth++;
    try {
      return this.eval1(e);
    } finally {
      this.depth--;
    }
  }

  private eval1(e: Expr): Value {
    const k = this.k;
    switch (e.k) {
      case 'num': {
        const fitsInt = e.v < 2n ** 31n && !e.long && !e.unsigned;
        const t = fitsInt ? baseType(k, 'int') : e.unsigned || e.v >= 2n ** 63n ? baseType(k, 'unsigned long') : baseType(k, 'long');
        return fromBigInt(t, e.v);
      }
      case 'id':
        return this.identifier(e.name);
      case 'member': {
        let obj = this.eval(e.obj);
        if (e.arrow) obj = this.deref(obj);
        const st = resolveType(obj.type);
        if (st.kind !== 'struct' && st.kind !== 'union') {
          throw new CrashError(`Attempt to extract a component of a value that is not a structure${e.arrow ? ' pointer' : ''}.`);
        }
        const m = findMember(st, e.name);
        if (!m) throw new CrashError(`There is no member named ${e.name}.`);
        if (obj.addr === undefined) throw new CrashError('value not located in memory');
        const addr = obj.addr + BigInt(Math.floor(m.bitOffset / 8));
        return m.bitSize ? { type: m.type, addr, bitPos: m.bitOffset % 8, bitSize: m.bitSize } : { type: m.type, addr };
      }
      case 'index': {
        const obj = this.eval(e.obj);
        const idx = toBigInt(k, this.eval(e.idx));
        const t = resolveType(obj.type);
        if (t.kind === 'array') {
          if (obj.addr === undefined) throw new CrashError('array not in memory');
          return { type: t.elem, addr: obj.addr + idx * BigInt(elemSize(t.elem)) };
        }
        if (t.kind === 'ptr') return { type: t.target, addr: BigInt.asUintN(64, toBigInt(k, obj) + idx * BigInt(elemSize(t.target))) };
        throw new CrashError('cannot subscript something of type `' + typeLabel(obj.type) + "'");
      }
      case 'unary':
        return this.unary(e.op, e.e);
      case 'cast':
        return this.cast(k.types.parse(e.type), this.eval(e.e));
      case 'sizeof': {
        const t = e.type ? k.types.parse(e.type) : this.eval(e.e!).type;
        return fromBigInt(baseType(k, 'unsigned long'), BigInt(sizeofType(t)));
      }
      case 'binary':
        return this.binary(e.op, this.eval(e.l), this.eval(e.r));
      case 'cond':
        return toBigInt(k, this.eval(e.c)) !== 0n ? this.eval(e.a) : this.eval(e.b);
    }
  }

  private identifier(name: string): Value {
    const k = this.k;
    const sym = k.symbol(name);
    if (sym) {
      const st = k.typeOfSymbol(name);
      if (!st) throw new CrashError(`'${name}' has unknown type; cast it to its declared type`);
      return { type: st.type, addr: sym.address };
    }
    const en = k.btf?.enumConstant(name);
    if (en) return fromBigInt(en.type, en.value);
    throw new CrashError(`No symbol "${name}" in current context.`);
  }

  private deref(v: Value): Value {
    const t = resolveType(v.type);
    if (t.kind === 'ptr') {
      const target = resolveType(t.target);
      if (target.kind === 'void') throw new CrashError('Attempt to take contents of a non-pointer value.');
      return { type: t.target, addr: toBigInt(this.k, v) };
    }
    if (t.kind === 'array' && v.addr !== undefined) return { type: t.elem, addr: v.addr };
    throw new CrashError('Attempt to take contents of a non-pointer value.');
  }

  private unary(op: string, inner: Expr): Value {
    const k = this.k;
    if (op === '*') return this.deref(this.eval(inner));
    const v = this.eval(inner);
    if (op === '&') {
      if (v.addr === undefined || v.bitSize) throw new CrashError('Attempt to take address of value not located in memory.');
      return fromBigInt(ptrTo(v.type), v.addr);
    }
    const n = toBigInt(k, v);
    const t = promote(k, v.type);
    if (op === '-') return fromBigInt(t, -n);
    if (op === '~') return fromBigInt(t, ~n);
    if (op === '+') return fromBigInt(t, n);
    return fromBigInt(baseType(k, 'int'), n === 0n ? 1n : 0n);
  }

  private cast(to: CType, v: Value): Value {
    const r = resolveType(to);
    if (r.kind === 'struct' || r.kind === 'union' || r.kind === 'array') {
      if (v.addr === undefined) throw new CrashError('Invalid cast.');
      return { type: to, addr: v.addr };
    }
    return fromBigInt(to, toBigInt(this.k, v));
  }

  private binary(op: string, l: Value, r: Value): Value {
    const k = this.k;
    const lt = resolveType(l.type);
    const rt = resolveType(r.type);
    const lp = lt.kind === 'ptr' || lt.kind === 'array' ? lt : undefined;
    const rp = rt.kind === 'ptr' || rt.kind === 'array' ? rt : undefined;
    const a = toBigInt(k, l);
    const b = toBigInt(k, r);
    const int = baseType(k, 'int');
    if (['==', '!=', '<', '>', '<=', '>=', '&&', '||'].includes(op)) {
      const res = { '==': a === b, '!=': a !== b, '<': a < b, '>': a > b, '<=': a <= b, '>=': a >= b, '&&': a !== 0n && b !== 0n, '||': a !== 0n || b !== 0n }[op]!;
      return fromBigInt(int, res ? 1n : 0n);
    }
    if ((op === '+' || op === '-') && lp && !rp) {
      const elem = lp.kind === 'ptr' ? lp.target : lp.elem;
      return fromBigInt(ptrTo(elem), a + (op === '+' ? b : -b) * BigInt(elemSize(elem)));
    }
    if (op === '+' && rp && !lp) {
      const elem = rp.kind === 'ptr' ? rp.target : rp.elem;
      return fromBigInt(ptrTo(elem), b + a * BigInt(elemSize(elem)));
    }
    if (op === '-' && lp && rp) {
      const elem = lp.kind === 'ptr' ? lp.target : lp.elem;
      return fromBigInt(baseType(k, 'long'), (a - b) / BigInt(elemSize(elem)));
    }
    const t = arith(k, l.type, r.type);
    const signed = isSigned(t);
    const x = signed ? a : BigInt.asUintN(64, a);
    const y = signed ? b : BigInt.asUintN(64, b);
    switch (op) {
      case '+': return fromBigInt(t, x + y);
      case '-': return fromBigInt(t, x - y);
      case '*': return fromBigInt(t, x * y);
      case '/':
      case '%':
        if (y === 0n) throw new CrashError('Division by zero');
        return fromBigInt(t, op === '/' ? x / y : x % y);
      // A shift past the width gives what an unbounded shift would (0, or -1 for a negative >>);
      // clamping keeps `1 << 0xffffffff` from building a 4-gigabit BigInt (RangeError).
      case '<<': return fromBigInt(t, x << clampShift(y));
      case '>>': return fromBigInt(t, x >> clampShift(y));
      case '&': return fromBigInt(t, x & y);
      case '|': return fromBigInt(t, x | y);
      case '^': return fromBigInt(t, x ^ y);
    }
    throw new CrashError(`unsupported operator ${op}`);
  }
}

const clampShift = (y: bigint): bigint => (y > 64n ? 64n : y < -64n ? -64n : y);

const elemSize = (t: CType) => Math.max(1, sizeofType(t));

function typeLabel(t: CType): string {
  return 'name' in t ? String(t.name) : t.kind;
}

/** Integer promotion: anything narrower than int becomes int. */
function promote(k: Kernel, t: CType): CType {
  const r = resolveType(t);
  if ((r.kind === 'int' || r.kind === 'enum') && r.size < 4) return baseType(k, 'int');
  if (r.kind === 'enum') return baseType(k, r.signed ? 'int' : 'unsigned int');
  return t;
}

/** The usual arithmetic conversions (simplified to the kernel's LP64 integer types). */
function arith(k: Kernel, a: CType, b: CType): CType {
  const pa = resolveType(promote(k, a));
  const pb = resolveType(promote(k, b));
  const size = (x: CType) => (x.kind === 'int' || x.kind === 'enum' ? x.size : 8);
  const sa = size(pa);
  const sb = size(pb);
  const unsigned = (sa >= sb && !isSigned(pa)) || (sb >= sa && !isSigned(pb));
  const s = Math.max(sa, sb);
  if (s <= 4) return baseType(k, unsigned ? 'unsigned int' : 'int');
  return baseType(k, unsigned ? 'unsigned long' : 'long');
}
