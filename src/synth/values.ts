import { findMember, resolveType, sizeofType, type CType } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';
import { num } from './scenario.js';

/**
 * Write scenario values into the bytes of an object of a C type. `values` maps member paths
 * ('len', 'frags[0].page.p', 'comm') or nested objects/arrays to values: numbers, hex strings,
 * enumerator names, strings for char arrays.
 */
export function encodeObject(type: CType, values: Record<string, unknown>, buf: Uint8Array = new Uint8Array(sizeofType(type))): Uint8Array {
  for (const [path, v] of Object.entries(values)) writePath(buf, type, path, v, 0);
  return buf;
}

function writePath(buf: Uint8Array, type: CType, path: string, v: unknown, baseBits: number): void {
  const m = findMember(type, path);
  if (!m) throw new CrashError(`scenario: ${typeLabel(type)} has no member ${path}`);
  writeValue(buf, m.type, v, baseBits + m.bitOffset, m.bitSize, path);
}

function writeValue(buf: Uint8Array, type: CType, v: unknown, bitOffset: number, bitSize: number, what: string): void {
  const r = resolveType(type);
  if (r.kind === 'struct' || r.kind === 'union') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CrashError(`scenario: ${what} needs an object of members`);
    for (const [k, x] of Object.entries(v)) writePath(buf, r, k, x, bitOffset);
    return;
  }
  if (r.kind === 'array') {
    const elem = sizeofType(r.elem) * 8;
    const er = resolveType(r.elem);
    if (typeof v === 'string' && er.kind === 'int' && er.size === 1) {
      const bytes = Buffer.from(v, 'latin1');
      if (bytes.length > r.length) throw new CrashError(`scenario: ${what}: string longer than char[${r.length}]`);
      buf.set(bytes, bitOffset / 8);
      return;
    }
    if (!Array.isArray(v)) throw new CrashError(`scenario: ${what} needs a list`);
    v.forEach((x, i) => writeValue(buf, r.elem, x, bitOffset + i * elem, 0, `${what}[${i}]`));
    return;
  }
  let n: bigint;
  if (r.kind === 'enum' && typeof v === 'string' && r.values.some((e) => e.name === v)) n = r.values.find((e) => e.name === v)!.value;
  else if (typeof v === 'boolean') n = v ? 1n : 0n;
  else n = num(v, what);
  const size = r.kind === 'ptr' ? 8 : r.kind === 'int' || r.kind === 'enum' ? r.size : 0;
  if (!size) throw new CrashError(`scenario: ${what}: cannot write a value of kind ${r.kind}`);
  if (bitSize) {
    for (let b = 0; b < bitSize; b++) {
      const bit = bitOffset + b;
      const on = (n >> BigInt(b)) & 1n;
      buf[bit >> 3] = on ? buf[bit >> 3] | (1 << (bit & 7)) : buf[bit >> 3] & ~(1 << (bit & 7));
    }
    return;
  }
  const u = BigInt.asUintN(size * 8, n);
  const at = bitOffset / 8;
  for (let i = 0; i < size; i++) buf[at + i] = Number((u >> BigInt(8 * i)) & 0xffn);
}

function typeLabel(t: CType): string {
  return 'name' in t && t.name ? `${t.kind === 'struct' || t.kind === 'union' ? t.kind + ' ' : ''}${t.name}` : t.kind;
}

/** The bytes of a scalar (integer, enum, pointer, bool) value of a type. */
export function encodeScalar(type: CType, v: unknown): Uint8Array {
  const buf = new Uint8Array(Math.max(1, sizeofType(type)));
  writeValue(buf, type, v, 0, 0, 'value');
  return buf;
}
