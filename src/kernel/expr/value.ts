import type { Kernel } from '../kernel.js';
import { resolveType, sizeofType, type CType } from '../../debuginfo/btf/types.js';
import { CrashError } from '../../util/errors.js';
import { intType } from '../type-parse.js';

/** A gdb-style value: an lvalue in kernel memory (addr) or an rvalue (bytes), of a C type. */
export interface Value {
  type: CType;
  addr?: bigint;
  bytes?: Uint8Array;
  /** Bitfield members: bit position within the bytes at addr, and width. */
  bitPos?: number;
  bitSize?: number;
}

export function valueBytes(k: Kernel, v: Value): Uint8Array {
  if (v.bytes) return v.bytes;
  if (v.addr === undefined) throw new CrashError('value has no storage');
  const size = Math.max(1, sizeofType(v.type));
  if (size > 16 << 20) throw new CrashError(`object of ${size} bytes is too large to print`);
  if (v.bitSize) return k.readBytes(v.addr, Math.ceil((v.bitPos! + v.bitSize) / 8), 'gdb request');
  return k.readBytes(v.addr, size, 'gdb request');
}

export function isIntegral(t: CType): boolean {
  const r = resolveType(t);
  return r.kind === 'int' || r.kind === 'enum' || r.kind === 'ptr';
}

export function isSigned(t: CType): boolean {
  const r = resolveType(t);
  return (r.kind === 'int' && r.signed) || (r.kind === 'enum' && r.signed);
}

/** Integer interpretation of a scalar value (pointers as unsigned 64-bit). */
export function toBigInt(k: Kernel, v: Value): bigint {
  const r = resolveType(v.type);
  if (r.kind === 'array') {
    if (v.addr === undefined) throw new CrashError('Attempt to take address of value not located in memory.');
    return v.addr; // arrays decay to pointers
  }
  if (r.kind !== 'int' && r.kind !== 'enum' && r.kind !== 'ptr') throw new CrashError('Argument to arithmetic operation not a number or boolean.');
  const b = valueBytes(k, v);
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  if (v.bitSize) {
    n = (n >> BigInt(v.bitPos!)) & ((1n << BigInt(v.bitSize)) - 1n);
    return isSigned(r) ? BigInt.asIntN(v.bitSize, n) : n;
  }
  const size = r.kind === 'ptr' ? 8 : r.size;
  return isSigned(r) ? BigInt.asIntN(size * 8, n) : BigInt.asUintN(size * 8, n);
}

/** An rvalue of an integral type holding n (truncated to the type's size). */
export function fromBigInt(type: CType, n: bigint): Value {
  const r = resolveType(type);
  const size = r.kind === 'ptr' ? 8 : r.kind === 'int' || r.kind === 'enum' ? r.size : 8;
  const u = BigInt.asUintN(size * 8, n);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return { type, bytes };
}

/** The C types literals and arithmetic produce; BTF's own when present so names print right. */
export function baseType(k: Kernel, name: 'int' | 'unsigned int' | 'long' | 'unsigned long' | 'long long' | 'unsigned long long'): CType {
  const t = k.btf?.findType(name);
  if (t) return t;
  const size = name.includes('long') ? 8 : 4;
  return intType(name, size, !name.startsWith('unsigned'));
}
