/**
 * Inputs made of several parts (a VMCOREINFO text plus page-table pages; an ORC table plus a
 * stack): each part is a u32 length and its bytes. Unpacking is total: a mangled length just
 * takes what is left, so every mutation still reaches the decoder.
 */
export function pack(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + 4 + p.length, 0));
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const p of parts) {
    dv.setUint32(o, p.length, true);
    out.set(p, o + 4);
    o += 4 + p.length;
  }
  return out;
}

export function unpack(b: Uint8Array, n: number): Uint8Array[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  for (let i = 0; i < n; i++) {
    const len = o + 4 <= b.length ? dv.getUint32(o, true) : 0;
    o = Math.min(b.length, o + 4);
    const take = i === n - 1 ? b.length - o : Math.min(len, b.length - o);
    out.push(b.subarray(o, o + take));
    o += take;
  }
  return out;
}

/** Little-endian field readers that never throw (0 past the end). */
export function u32At(b: Uint8Array, o: number): number {
  return o + 4 <= b.length ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, true) : 0;
}

export function u64At(b: Uint8Array, o: number): bigint {
  return o + 8 <= b.length ? new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(o, true) : 0n;
}
