/**
 * Mutators over real seeds. Binary: bit flips, byte sets, interesting integers written over
 * (likely) length and offset fields, inflation of the values already there, truncation,
 * extension, chunk deletion/duplication/moves, splices from other seeds, and target-supplied
 * dictionary values (page addresses, type ids, magic numbers). Text: token insertion from a
 * dictionary, deletion, repetition (deep nesting), number swaps, splices.
 */
import type { Rng } from './rng.js';

export interface Dictionary {
  /** Integers worth writing into binary inputs (as u16/u32/u64, little-endian). */
  ints?: readonly bigint[];
  /** Byte strings worth inserting/overwriting (binary) or tokens (text). */
  tokens?: readonly string[];
}

const INTERESTING: readonly bigint[] = [
  0n, 1n, 2n, 3n, 4n, 7n, 8n, 12n, 16n, 24n, 32n, 56n, 64n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x1000n,
  0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffff0n,
];

const MAX_LEN = 8 << 20;

function writeLE(b: Uint8Array, off: number, width: number, v: bigint): void {
  for (let i = 0; i < width && off + i < b.length; i++) b[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

function readLE(b: Uint8Array, off: number, width: number): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i] ?? 0);
  return v;
}

function offset(rng: Rng, len: number, align: number): number {
  if (len <= 0) return 0;
  const o = rng.int(len);
  return rng.chance(0.75) ? o - (o % align) : o;
}

function interesting(rng: Rng, len: number, dict: Dictionary): bigint {
  const r = rng.int(10);
  if (r < 5) return rng.pick(INTERESTING);
  if (r < 7 && dict.ints?.length) return rng.pick(dict.ints);
  if (r < 8) return BigInt(len + rng.int(9) - 4);
  if (r < 9) return BigInt(rng.u32());
  return rng.u64();
}

type BinMutator = (b: Uint8Array, rng: Rng, others: readonly Uint8Array[], dict: Dictionary) => Uint8Array;

const binaryMutators: [number, BinMutator][] = [
  [4, (b, rng) => { // bit flip
    if (b.length) b[rng.int(b.length)] ^= 1 << rng.int(8);
    return b;
  }],
  [3, (b, rng) => { // byte set
    if (b.length) b[rng.int(b.length)] = rng.chance(0.5) ? rng.pick([0, 1, 0x7f, 0x80, 0xff]) : rng.int(256);
    return b;
  }],
  [6, (b, rng, _o, dict) => { // interesting integer over a (likely) field
    const w = rng.pick([2, 4, 4, 8, 8]);
    writeLE(b, offset(rng, b.length, w), w, interesting(rng, b.length, dict));
    return b;
  }],
  [4, (b, rng) => { // inflate or nudge the value already there (length-field inflation)
    const w = rng.pick([2, 4, 8]);
    const o = offset(rng, b.length, w);
    const v = readLE(b, o, w);
    const r = rng.int(6);
    const nv = r === 0 ? v * 2n : r === 1 ? v << BigInt(4 + rng.int(20)) : r === 2 ? v + BigInt(1 + rng.int(16)) : r === 3 ? v - BigInt(1 + rng.int(16)) : r === 4 ? ~v : v + (1n << BigInt(8 * w - 1));
    writeLE(b, o, w, BigInt.asUintN(8 * w, nv));
    return b;
  }],
  [2, (b, rng) => b.subarray(0, rng.int(b.length + 1))], // truncate anywhere
  [1, (b, rng) => b.subarray(0, Math.max(0, b.length - rng.len(Math.max(1, b.length))))], // truncate near the end
  [1, (b, rng) => { // extend
    const n = rng.len(4096);
    const out = new Uint8Array(Math.min(MAX_LEN, b.length + n));
    out.set(b);
    if (rng.chance(0.5)) for (let i = b.length; i < out.length; i++) out[i] = rng.int(256);
    return out;
  }],
  [2, (b, rng) => { // delete a chunk
    if (!b.length) return b;
    const s = rng.int(b.length);
    const n = Math.min(b.length - s, rng.len(b.length));
    const out = new Uint8Array(b.length - n);
    out.set(b.subarray(0, s));
    out.set(b.subarray(s + n), s);
    return out;
  }],
  [2, (b, rng) => { // duplicate a chunk in place
    if (!b.length) return b;
    const s = rng.int(b.length);
    const n = Math.min(b.length - s, rng.len(Math.min(b.length, 65536)));
    if (b.length + n > MAX_LEN) return b;
    const out = new Uint8Array(b.length + n);
    out.set(b.subarray(0, s + n));
    out.set(b.subarray(s), s + n);
    return out;
  }],
  [2, (b, rng) => { // copy a chunk over another place
    if (!b.length) return b;
    const s = rng.int(b.length);
    const d = rng.int(b.length);
    const n = Math.min(b.length - s, b.length - d, rng.len(b.length));
    b.copyWithin(d, s, s + n);
    return b;
  }],
  [1, (b, rng) => { // fill a range with one byte
    if (!b.length) return b;
    const s = rng.int(b.length);
    b.fill(rng.pick([0, 0xff, rng.int(256)]), s, s + rng.len(b.length - s));
    return b;
  }],
  [3, (b, rng, others) => { // splice from another seed (same offset, or anywhere)
    if (!others.length || !b.length) return b;
    const o = rng.pick(others);
    if (!o.length) return b;
    const s = rng.int(o.length);
    const n = Math.min(o.length - s, rng.len(o.length));
    const d = rng.chance(0.5) ? Math.min(s, b.length - 1) : rng.int(b.length);
    b.set(o.subarray(s, s + Math.min(n, b.length - d)), d);
    return b;
  }],
  [2, (b, rng, _o, dict) => { // dictionary token over the input
    if (!dict.tokens?.length || !b.length) return b;
    const t = Buffer.from(rng.pick(dict.tokens), 'latin1');
    if (t.length < b.length) b.set(t, rng.int(b.length - t.length + 1));
    return b;
  }],
];

const binTotal = binaryMutators.reduce((s, [w]) => s + w, 0);

/** 1..8 stacked mutations of a copy of `seed`. */
export function mutateBytes(seed: Uint8Array, rng: Rng, others: readonly Uint8Array[], dict: Dictionary = {}): Uint8Array {
  let b: Uint8Array = Uint8Array.from(seed);
  const n = 1 + rng.int(rng.chance(0.7) ? 3 : 8);
  for (let i = 0; i < n; i++) {
    let r = rng.int(binTotal);
    for (const [w, m] of binaryMutators) {
      if (r < w) {
        b = m(b, rng, others, dict);
        break;
      }
      r -= w;
    }
  }
  // subarray views keep a large backing buffer; decoders must not see past the end anyway
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

const TEXT_CHARS = ' \t()[]{}<>*&|^!~-+/%=?:;,.\'"\\$@#0123456789abcdefxXlLuU_\n\0\u00e9\u{1f600}';
const NUMBERS = ['0', '1', '-1', '0x0', '0xffffffffffffffff', '0x10000000000000000', '18446744073709551616', '99999999999999999999999', '0777', '08', '1e30', '4294967296', '2147483648', '-9223372036854775808', '0x', '1k', '4g', '07777777777777777777777'];

type TextMutator = (s: string, rng: Rng, others: readonly string[], dict: Dictionary) => string;

const at = (rng: Rng, s: string) => rng.int(s.length + 1);

const textMutators: [number, TextMutator][] = [
  [5, (s, rng, _o, d) => { // insert a token
    const i = at(rng, s);
    const tok = d.tokens?.length && rng.chance(0.7) ? rng.pick(d.tokens) : rng.pick([...TEXT_CHARS]);
    const sep = rng.chance(0.3) ? ' ' : '';
    return s.slice(0, i) + sep + tok + sep + s.slice(i);
  }],
  [3, (s, rng) => { // delete a range
    const i = at(rng, s);
    return s.slice(0, i) + s.slice(i + rng.len(Math.max(1, s.length - i)));
  }],
  [3, (s, rng) => { // replace one character
    if (!s.length) return s;
    const i = rng.int(s.length);
    return s.slice(0, i) + rng.pick([...TEXT_CHARS]) + s.slice(i + 1);
  }],
  [2, (s, rng) => { // repeat a range (often: deep nesting, long operator chains)
    if (!s.length) return s;
    const i = rng.int(s.length);
    const piece = s.slice(i, i + rng.len(Math.min(16, s.length - i)));
    const times = Math.min(rng.pick([2, 3, 10, 100, 1000, 20000]), Math.ceil(40000 / piece.length));
    return s.slice(0, i) + piece.repeat(times) + s.slice(i);
  }],
  [1, (s, rng) => { // wrap in parentheses, many times
    const n = rng.pick([1, 2, 50, 1000, 20000]);
    return '('.repeat(n) + s + ')'.repeat(rng.chance(0.8) ? n : rng.int(n + 1));
  }],
  [1, (s, rng) => { // prefix unary operators, many times
    const n = rng.pick([1, 3, 100, 20000]);
    return rng.pick(['-', '~', '!', '*', '&', '+', '(int)']).repeat(n) + s;
  }],
  [3, (s, rng) => { // swap a number
    const nums = [...s.matchAll(/\b(0[xX][0-9a-fA-F]*|\d+)\b/g)];
    const n = rng.pick(NUMBERS);
    if (!nums.length) return s + ' ' + n;
    const m = rng.pick(nums);
    return s.slice(0, m.index!) + n + s.slice(m.index! + m[0].length);
  }],
  [2, (s, rng, others) => { // splice with another seed
    if (!others.length) return s;
    const o = rng.pick(others);
    const i = at(rng, s);
    const j = rng.int(o.length + 1);
    return rng.chance(0.5) ? s.slice(0, i) + o.slice(j) : o.slice(0, j) + s.slice(i);
  }],
  [1, (s, rng) => { // swap two words
    const w = s.split(/(\s+)/);
    if (w.length < 3) return s;
    const a = rng.int(w.length);
    const b = rng.int(w.length);
    [w[a], w[b]] = [w[b]!, w[a]!];
    return w.join('');
  }],
];

const textTotal = textMutators.reduce((s, [w]) => s + w, 0);
const MAX_TEXT = 128 << 10;

export function mutateText(seed: string, rng: Rng, others: readonly string[], dict: Dictionary = {}): string {
  let s = seed;
  const n = 1 + rng.int(rng.chance(0.7) ? 3 : 6);
  for (let i = 0; i < n; i++) {
    let r = rng.int(textTotal);
    for (const [w, m] of textMutators) {
      if (r < w) {
        s = m(s, rng, others, dict);
        break;
      }
      r -= w;
    }
    if (s.length > MAX_TEXT) s = s.slice(0, MAX_TEXT);
  }
  return s;
}
