/**
 * A guard in front of fzstd 0.1.1, the pure-JS zstd decoder zstd.ts uses, which trusts two
 * things a damaged page can get wrong:
 *  - rhu() decodes the FSE-compressed weights of a Huffman tree description without counting
 *    them: a weight table whose states read 0 bits (one symbol with all the probability) loops
 *    forever. libzstd stops after 255 weights; RFC 8878 makes more an error (zstd PR #3813).
 *  - rzb() runs every sequence's literal and match copies in full, even far past the end of the
 *    output (writes past a typed array are dropped, the loops still run): garbage lengths of up
 *    to 2^17 per sequence and tens of thousands of sequences made one 4 KB page take seconds.
 * So the stream is walked the way fzstd will walk it (frames, blocks, literals and sequences
 * headers, FSE tables rebuilt as its rfse() does, the sequence bitstream read as rzb() reads it)
 * without writing anything, and refused when it would decode more than 255 weights, use a code
 * the format does not have, or copy more bytes than the page has. The arithmetic follows fzstd (MIT, 101arrowz/fzstd)
 * line for line, typed arrays included; every loop here is bounded.
 */
interface Fse { b: number; s: Uint8Array; n: Uint8Array; t: Uint16Array }

const MAX_WEIGHTS = 255;
const MAX_FRAMES = 64;
const MIN_MATCH = 3;
const MAX_LL_CODE = 35;
const MAX_ML_CODE = 52;
const MAX_OF_CODE = 31;

function msb(val: number): number {
  let bits = 0;
  for (; (1 << bits) <= val && bits < 31; ++bits);
  return bits - 1;
}

const u32 = (d: Uint8Array, o: number) => (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
const bits16 = (d: Uint8Array, pos: number, n: number) => ((d[pos >> 3] | (d[(pos >> 3) + 1] << 8)) >> (pos & 7)) & ((1 << n) - 1);
const bits24 = (d: Uint8Array, pos: number, n: number) => ((d[pos >> 3] | (d[(pos >> 3) + 1] << 8) | (d[(pos >> 3) + 2] << 16)) >> (pos & 7)) & ((1 << n) - 1);

/** fzstd's rfse(): an FSE table description at `bt`, or undefined where fzstd throws. */
function rfse(dat: Uint8Array, bt: number, mal: number): [number, Fse] | undefined {
  let tpos = (bt << 3) + 4;
  const al = (dat[bt] & 15) + 5;
  if (al > mal) return undefined;
  const sz = 1 << al;
  let probs = sz;
  let sym = -1;
  let re = -1;
  let ht = sz;
  const buf = new ArrayBuffer(512 + (sz << 2));
  const freq = new Int16Array(buf, 0, 256);
  const dstate = new Uint16Array(buf, 0, 256);
  const nstate = new Uint16Array(buf, 512, sz);
  const syms = new Uint8Array(buf, 512 + (sz << 1), sz);
  const nbits = new Uint8Array(buf, 512 + (sz << 1) + sz);
  while (sym < 255 && probs > 0) {
    const bits = msb(probs + 1);
    const cbt = tpos >> 3;
    const msk = (1 << (bits + 1)) - 1;
    let val = ((dat[cbt] | (dat[cbt + 1] << 8) | (dat[cbt + 2] << 16)) >> (tpos & 7)) & msk;
    const msk1fb = (1 << bits) - 1;
    const msv = msk - probs - 1;
    const sval = val & msk1fb;
    if (sval < msv) {
      tpos += bits;
      val = sval;
    } else {
      tpos += bits + 1;
      if (val > msk1fb) val -= msv;
    }
    freq[++sym] = --val;
    if (val === -1) {
      probs += val;
      syms[--ht] = sym;
    } else probs -= val;
    if (!val) {
      do {
        re = bits16(dat, tpos, 2);
        tpos += 2;
        sym += re;
      } while (re === 3);
    }
  }
  if (sym > 255 || probs) return undefined;
  let sympos = 0;
  const sstep = (sz >> 1) + (sz >> 3) + 3;
  const smask = sz - 1;
  for (let s = 0; s <= sym; ++s) {
    const sf = freq[s];
    if (sf < 1) {
      dstate[s] = -sf;
      continue;
    }
    for (let i = 0; i < sf; ++i) {
      syms[sympos] = s;
      do sympos = (sympos + sstep) & smask;
      while (sympos >= ht);
    }
  }
  if (sympos) return undefined;
  for (let i = 0; i < sz; ++i) {
    const ns = dstate[syms[i]]++;
    const nb = (nbits[i] = al - msb(ns));
    nstate[i] = (ns << nb) - sz;
  }
  return [(tpos + 7) >> 3, { b: al, s: syms, n: nbits, t: nstate }];
}

// fzstd's predefined tables and length codes (RFC 8878 3.1.1.3.2.2, 3.1.1.3.2.1.1)
const DLLT = rfse(new Uint8Array([81, 16, 99, 140, 49, 198, 24, 99, 12, 33, 196, 24, 99, 102, 102, 134, 70, 146, 4]), 0, 6)![1];
const DMLT = rfse(new Uint8Array([33, 20, 196, 24, 99, 140, 33, 132, 16, 66, 8, 33, 132, 16, 66, 8, 33, 68, 68, 68, 68, 68, 68, 68, 68, 36, 9]), 0, 6)![1];
const DOCT = rfse(new Uint8Array([32, 132, 16, 66, 102, 70, 68, 68, 68, 68, 36, 73, 2]), 0, 5)![1];
const LLB = new Uint8Array(new Int32Array([0, 0, 0, 0, 16843009, 50528770, 134678020, 202050057, 269422093]).buffer, 0, 36);
const MLB = new Uint8Array(new Int32Array([0, 0, 0, 0, 0, 0, 0, 0, 16843009, 50528770, 117769220, 185207048, 252579084, 16]).buffer, 0, 53);
const baselines = (b: Uint8Array, s: number) => Int32Array.from(b, (x) => ((s += 1 << x) - (1 << x)));
const LLBL = baselines(LLB, 0);
const MLBL = baselines(MLB, 3);

/** How many weights fzstd's rhu() would decode from the tree description at `bt` (stops past the limit). */
function huffmanWeights(dat: Uint8Array, bt: number): number {
  const hb = dat[bt];
  if (!(hb < 128)) return 0; // direct 4-bit weights: hb - 127 of them
  const t = rfse(dat, bt + 1, 6);
  if (!t) return 0;
  const [ebt, fdt] = t;
  bt += hb;
  const epos = ebt << 3;
  const lb = dat[bt];
  if (!lb) return 0;
  let st1 = 0;
  let st2 = 0;
  let btr1 = fdt.b;
  let btr2 = btr1;
  let fpos = (++bt << 3) - 8 + msb(lb);
  let wc = 0;
  while (wc <= MAX_WEIGHTS) {
    fpos -= btr1;
    if (fpos < epos) break;
    st1 += bits16(dat, fpos, btr1);
    wc++;
    fpos -= btr2;
    if (fpos < epos) break;
    st2 += bits16(dat, fpos, btr2);
    wc++;
    btr1 = fdt.n[st1];
    st1 = fdt.t[st1];
    btr2 = fdt.n[st2];
    st2 = fdt.t[st2];
  }
  return wc;
}

/** What fzstd's rzb() would do with the compressed block [bt, ebt): literals, then sequences. */
function block(dat: Uint8Array, bt: number, ebt: number, frame: { tables?: Fse[]; room: number }): string | undefined {
  const b3 = dat[bt];
  const lbt = b3 & 3;
  const sf = (b3 >> 2) & 3;
  let lss = b3 >> 4;
  let lcs = 0;
  if (lbt < 2) {
    if (sf & 1) lss |= (dat[++bt] << 4) | ((sf & 2) && dat[++bt] << 12);
    else lss = b3 >> 3;
  } else if (sf < 2) {
    lss |= (dat[++bt] & 63) << 4;
    lcs = (dat[bt] >> 6) | (dat[++bt] << 2);
  } else if (sf === 2) {
    lss |= (dat[++bt] << 4) | ((dat[++bt] & 3) << 12);
    lcs = (dat[bt] >> 2) | (dat[++bt] << 6);
  } else {
    lss |= (dat[++bt] << 4) | ((dat[++bt] & 63) << 12);
    lcs = (dat[bt] >> 6) | (dat[++bt] << 2) | (dat[++bt] << 10);
  }
  ++bt;
  if (lbt === 2 && huffmanWeights(dat, bt) > MAX_WEIGHTS) return 'a Huffman tree description decodes more than 255 weights';
  // Every literal is written once (by a sequence or after the last one): lss of the page's bytes.
  if ((frame.room -= lss) < 0) return 'its literals are more bytes than the page holds';
  bt += lbt === 0 ? lss : lbt === 1 ? 1 : lcs;
  let ns = dat[bt++];
  if (!ns) return undefined;
  if (ns === 255) ns = (dat[bt++] | (dat[bt++] << 8)) + 0x7f00;
  else if (ns > 127) ns = ((ns - 128) << 8) | dat[bt++];
  if (ns * MIN_MATCH > frame.room) return `${ns} sequences cannot fit in the page`; // each matches >= 3 bytes
  const scm = dat[bt++];
  if (scm & 3) return undefined; // fzstd: error
  const dts: Fse[] = [DMLT, DOCT, DLLT];
  for (let i = 2; i > -1; --i) {
    const md = (scm >> ((i << 1) + 2)) & 3;
    if (md === 1) dts[i] = { s: new Uint8Array([dat[bt++]]), n: new Uint8Array(1), t: new Uint16Array(1), b: 0 };
    else if (md === 2) {
      const r = rfse(dat, bt, 9 - (i & 1));
      if (!r) return undefined;
      [bt, dts[i]] = r;
    } else if (md === 3) {
      if (!frame.tables) return undefined;
      dts[i] = frame.tables[i]!;
    }
  }
  frame.tables = dts;
  const [mlt, oct, llt] = dts as [Fse, Fse, Fse];
  const lb = dat[ebt - 1];
  if (!lb) return undefined;
  let spos = (ebt << 3) - 8 + msb(lb) - llt.b;
  let lst = bits16(dat, spos, llt.b);
  let ost = bits16(dat, (spos -= oct.b), oct.b);
  let mst = bits16(dat, (spos -= mlt.b), mlt.b);
  for (++ns; --ns; ) {
    const llc = llt.s[lst];
    const lbtr = llt.n[lst];
    const mlc = mlt.s[mst];
    const mbtr = mlt.n[mst];
    const ofc = oct.s[ost];
    const obtr = oct.n[ost];
    // Codes past the format's tables (RFC 8878 3.1.1.3.2.1) make fzstd's lengths NaN, and a NaN
    // match length no longer bounds the copy from a (garbage) offset up to 2^31 bytes back.
    if (llc > MAX_LL_CODE || mlc > MAX_ML_CODE || ofc > MAX_OF_CODE) return 'a sequence uses an invalid length or offset code';
    spos -= ofc;
    spos -= MLB[mlc];
    const ml = MLBL[mlc] + bits24(dat, spos, MLB[mlc]);
    spos -= LLB[llc];
    const ll = LLBL[llc] + bits24(dat, spos, LLB[llc]);
    lst = llt.t[lst] + bits16(dat, (spos -= lbtr), lbtr);
    mst = mlt.t[mst] + bits16(dat, (spos -= mbtr), mbtr);
    ost = oct.t[ost] + bits16(dat, (spos -= obtr), obtr);
    if (ll > 0) frame.room -= ll;
    if (ml > 0) frame.room -= ml;
    if (frame.room < 0) return 'its sequences copy more bytes than the page holds';
  }
  return undefined;
}

/**
 * Why fzstd must not be given this stream for a page of `outLen` bytes, or undefined. The copy
 * budget is 2 * outLen: a valid page writes lss + sum(match lengths) = outLen bytes per the
 * format, and its literal lengths sum to at most lss.
 */
export function zstdStreamProblem(dat: Uint8Array, outLen: number): string | undefined {
  const frame = { tables: undefined as Fse[] | undefined, room: 2 * outLen };
  let at = 0;
  for (let frames = 0; at + 8 <= dat.length && frames < MAX_FRAMES; frames++) {
    const magic = u32(dat, at);
    if (magic >>> 4 === 0x184d2a5) {
      at += 8 + u32(dat, at + 4); // skippable frame
      continue;
    }
    if (magic !== 0xfd2fb528) return undefined; // fzstd rejects it
    const flg = dat[at + 4];
    const ss = (flg >> 5) & 1;
    const df = flg & 3;
    const fcf = flg >> 6;
    let bt = at + 6 - ss + (df === 3 ? 4 : df) + (fcf ? 1 << fcf : ss);
    frame.tables = undefined;
    for (let last = 0; !last && bt + 3 <= dat.length; ) {
      const b0 = dat[bt];
      last = b0 & 1;
      const type = (b0 >> 1) & 3;
      const size = (b0 >> 3) | (dat[bt + 1] << 5) | (dat[bt + 2] << 13);
      bt += 3;
      if (type === 2) {
        if (bt + size > dat.length) return undefined; // fzstd: truncated block, an error
        const why = block(dat, bt, bt + size, frame);
        if (why) return why;
      }
      bt += type === 1 ? 1 : size;
    }
    at = bt + ((flg >> 2) & 1) * 4;
  }
  return undefined;
}
