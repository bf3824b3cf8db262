import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { cstring } from '../../util/bytes.js';

/** One printk record as the kernel stored it. */
export interface LogRecord {
  seq: bigint;
  tsNsec: bigint;
  level: number;
  callerId: number;
  /** Raw text bytes (may contain newlines and non-printable bytes). */
  text: Uint8Array;
  subsystem: string;
  device: string;
}

const DESC_ID_MASK = (1n << 62n) - 1n; // DESC_SV_BITS - 2 on 64-bit
const DESC_COMMITTED = 1n;
const DESC_FINALIZED = 2n;
const MAX_DESC_BITS = 24;
const MAX_TEXT_BITS = 28;

/**
 * The lockless printk ring buffer (kernel/printk/printk_ringbuffer.h, v5.10+), read entirely
 * through the layout VMCOREINFO publishes (log_buf_vmcoreinfo_setup), so it needs no types.
 * Records are returned from tail to head, committed or finalized only, as crash prints them.
 */
export function readPrintkRingbuffer(k: Kernel): LogRecord[] {
  const vi = k.vmcoreinfo;
  if (vi.symbol('prb') === undefined && !k.hasSymbol('prb') && (vi.symbol('log_buf') !== undefined || k.hasSymbol('log_buf'))) {
    return readLogBuf(k);
  }
  const off = (m: string): number => {
    const v = vi.offset(m);
    if (v === undefined) throw new CrashError(`VMCOREINFO lacks OFFSET(${m}): cannot read the printk ring buffer`);
    return v;
  };
  const size = (s: string): number => {
    const v = vi.size(s);
    if (v === undefined) throw new CrashError(`VMCOREINFO lacks SIZE(${s}): cannot read the printk ring buffer`);
    return v;
  };
  const prbSym = vi.symbol('prb') ?? k.symbolAddress('prb');
  const prb = k.readU64(prbSym, 'prb');
  const descRing = prb + BigInt(off('printk_ringbuffer.desc_ring'));
  const textRing = prb + BigInt(off('printk_ringbuffer.text_data_ring'));
  const countBits = k.readU32(descRing + BigInt(off('prb_desc_ring.count_bits')), 'prb_desc_ring count_bits');
  const sizeBits = k.readU32(textRing + BigInt(off('prb_data_ring.size_bits')), 'prb_data_ring size_bits');
  if (countBits > MAX_DESC_BITS || sizeBits > MAX_TEXT_BITS) {
    throw new CrashError(`implausible printk ring buffer (count_bits ${countBits}, size_bits ${sizeBits})`);
  }
  const count = 1 << countBits;
  const textSize = 1 << sizeBits;
  const descSize = size('prb_desc');
  const infoSize = size('printk_info');
  const descs = k.readBytes(k.readU64(descRing + BigInt(off('prb_desc_ring.descs')), 'descs'), descSize * count, 'prb_desc_ring contents');
  const infos = k.readBytes(k.readU64(descRing + BigInt(off('prb_desc_ring.infos')), 'infos'), infoSize * count, 'prb_info_ring contents');
  const text = k.readBytes(k.readU64(textRing + BigInt(off('prb_data_ring.data')), 'data'), textSize, 'prb_text_data_ring contents');
  const counter = vi.offset('atomic_long_t.counter') ?? 0;
  const headId = k.readU64(descRing + BigInt(off('prb_desc_ring.head_id') + counter), 'head_id');
  const tailId = k.readU64(descRing + BigInt(off('prb_desc_ring.tail_id') + counter), 'tail_id');

  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dd = dv(descs);
  const di = dv(infos);
  const o = {
    stateVar: off('prb_desc.state_var') + counter,
    lpos: off('prb_desc.text_blk_lpos'),
    begin: off('prb_data_blk_lpos.begin'),
    next: off('prb_data_blk_lpos.next'),
    seq: off('printk_info.seq'),
    ts: off('printk_info.ts_nsec'),
    textLen: off('printk_info.text_len'),
    caller: off('printk_info.caller_id'),
    dev: off('printk_info.dev_info'),
    subsys: off('dev_printk_info.subsystem'),
    device: off('dev_printk_info.device'),
  };
  // struct printk_info { u64 seq; u64 ts_nsec; u16 text_len; u8 facility; u8 flags:5; u8 level:3; ...}:
  // the level byte follows text_len and facility (not in VMCOREINFO; BTF confirms when present).
  const levelOff = k.memberByteOffset('struct printk_info', 'level') ?? o.textLen + 3;
  const subLen = vi.length('printk_info_subsystem') ?? 16;
  const devLen = vi.length('printk_info_device') ?? 48;

  const out: LogRecord[] = [];
  const record = (id: bigint) => {
    const idx = Number(id % BigInt(count));
    const d = idx * descSize;
    const sv = dd.getBigUint64(d + o.stateVar, true);
    const state = (sv >> 62n) & 3n;
    if ((sv & DESC_ID_MASK) !== id || (state !== DESC_COMMITTED && state !== DESC_FINALIZED)) return;
    const i = idx * infoSize;
    let begin = Number(dd.getBigUint64(d + o.lpos + o.begin, true) % BigInt(textSize));
    const next = Number(dd.getBigUint64(d + o.lpos + o.next, true) % BigInt(textSize));
    const rec: LogRecord = {
      seq: di.getBigUint64(i + o.seq, true),
      tsNsec: di.getBigUint64(i + o.ts, true),
      level: infos[i + levelOff] >> 5,
      callerId: di.getUint32(i + o.caller, true),
      text: new Uint8Array(0),
      subsystem: cstring(infos, i + o.dev + o.subsys, subLen),
      device: cstring(infos, i + o.dev + o.device, devLen),
    };
    if (begin !== next) {
      if (begin > next) begin = 0; // wrapped data block
      begin += 8; // skip the descriptor id
      let len = di.getUint16(i + o.textLen, true);
      if (next - begin < len) len = Math.max(0, next - begin);
      rec.text = text.subarray(begin, begin + len);
    }
    out.push(rec);
  };
  let id = tailId;
  for (let n = 0; id !== headId && n <= count; n++, id = (id + 1n) & DESC_ID_MASK) record(id);
  record(id);
  return out;
}

/**
 * The variable-length record log (kernel/printk/printk.c, v3.5-v5.9): `struct printk_log`
 * (`struct log` until 3.11) headers followed by text and dictionary, from log_first_idx to
 * log_next_idx; a zero `len` wraps to the start of the buffer.
 */
function readLogBuf(k: Kernel): LogRecord[] {
  const vi = k.vmcoreinfo;
  const sym = (n: string) => vi.symbol(n) ?? k.symbolAddress(n);
  const rec = vi.size('printk_log') !== undefined ? 'printk_log' : 'log';
  const hdr = vi.size(rec) ?? 16;
  const off = (m: string, dflt: number) => vi.offset(`${rec}.${m}`) ?? dflt;
  const buf = k.readPtr(sym('log_buf'), 'log_buf');
  const len = k.readU32(sym('log_buf_len'), 'log_buf_len');
  if (len <= 0 || len > 1 << 28) throw new CrashError(`implausible log_buf_len ${len}`);
  const data = k.readBytes(buf, len, 'log_buf contents');
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let idx = k.readU32(sym('log_first_idx'), 'log_first_idx');
  const next = k.readU32(sym('log_next_idx'), 'log_next_idx');
  const o = { ts: off('ts_nsec', 0), len: off('len', 8), textLen: off('text_len', 10) };
  const out: LogRecord[] = [];
  for (let n = 0; idx !== next && n < len; n++) {
    if (idx + hdr > len) break;
    let rlen = dv.getUint16(idx + o.len, true);
    if (rlen === 0) {
      idx = 0; // wrap marker
      rlen = dv.getUint16(o.len, true);
      if (rlen === 0) break;
    }
    const textLen = Math.min(dv.getUint16(idx + o.textLen, true), len - idx - hdr);
    out.push({
      seq: BigInt(out.length),
      tsNsec: dv.getBigUint64(idx + o.ts, true),
      level: data[idx + o.textLen + 5] >> 5, // after text_len, dict_len, facility: the flags:5/level:3 byte
      callerId: 0,
      text: data.subarray(idx + hdr, idx + hdr + textLen),
      subsystem: '',
      device: '',
    });
    idx += rlen;
  }
  return out;
}


/** The text of a record as crash prints it: newlines kept, non-printables as '.'. */
export function recordText(r: LogRecord): string {
  let s = '';
  for (const c of r.text) s += c === 10 || (c >= 0x20 && c < 0x7f) || (c >= 9 && c <= 13) ? String.fromCharCode(c) : '.';
  return s;
}
