import { sizeofType } from '../debuginfo/btf/types.js';
import type { BuildContext } from './infra.js';
import { writeObject } from './infra.js';
import { CrashError } from '../util/errors.js';

interface Rec {
  tsNsec: bigint;
  level: number;
  text: string;
}

/** `[  123.456789] text` lines, optionally `<4>`-prefixed with the level (default 6, KERN_INFO). */
export function parseLogLines(lines: string[]): Rec[] {
  return lines.map((l) => {
    const m = /^(?:<(\d)>)?\[\s*(\d+)\.(\d{6})\](?: |(?=\[))?(.*)$/.exec(l);
    if (!m) throw new CrashError(`scenario log line without a [seconds.micros] stamp: ${l}`);
    return { level: m[1] ? Number(m[1]) : 6, tsNsec: BigInt(m[2]) * 1_000_000_000n + BigInt(m[3]) * 1000n, text: m[4] };
  });
}

/**
 * The lockless printk ring buffer (kernel/printk/printk_ringbuffer.h, v5.10+): descriptors,
 * infos and the text ring, every record finalized, and the VMCOREINFO layout lines the kernel
 * publishes for it (log_buf_vmcoreinfo_setup), computed from the declared types.
 */
export function buildPrintkRingbuffer(c: BuildContext): void {
  const recs = parseLogLines(c.s.log.lines);
  const countBits = Math.max(5, Math.ceil(Math.log2(recs.length + 1)));
  const count = 1 << countBits;
  const blocks = recs.map((r) => Buffer.from(r.text, 'latin1'));
  const textNeed = blocks.reduce((a, b) => a + 8 + ((b.length + 7) & ~7), 0);
  const sizeBits = Math.max(12, Math.ceil(Math.log2(textNeed + 16)));
  const descSize = sizeofType(c.type('struct prb_desc'));
  const infoSize = sizeofType(c.type('struct printk_info'));
  const descs = c.mem.allocData(descSize * count, 64);
  const infos = c.mem.allocData(infoSize * count, 64);
  const data = c.mem.allocData(1 << sizeBits, 64);
  let lpos = 0n;
  recs.forEach((r, id) => {
    const b = blocks[id];
    const begin = lpos;
    const idb = new Uint8Array(8);
    new DataView(idb.buffer).setBigUint64(0, BigInt(id), true);
    c.mem.write(data + begin, idb);
    c.mem.write(data + begin + 8n, b);
    lpos += BigInt(8 + ((b.length + 7) & ~7));
    writeObject(c, descs + BigInt(id * descSize), 'struct prb_desc', {
      'state_var.counter': (2n << 62n) | BigInt(id), // desc_finalized
      'text_blk_lpos.begin': begin,
      'text_blk_lpos.next': lpos,
    });
    writeObject(c, infos + BigInt(id * infoSize), 'struct printk_info', { seq: id, ts_nsec: r.tsNsec, text_len: b.length, level: r.level, caller_id: 0x80000000 });
  });
  const rb = c.mem.allocData(sizeofType(c.type('struct printk_ringbuffer')), 64);
  writeObject(c, rb, 'struct printk_ringbuffer', {
    'desc_ring.count_bits': countBits,
    'desc_ring.descs': descs,
    'desc_ring.infos': infos,
    'desc_ring.head_id.counter': recs.length - 1,
    'desc_ring.tail_id.counter': 0,
    'text_data_ring.size_bits': sizeBits,
    'text_data_ring.data': data,
    'text_data_ring.head_lpos.counter': lpos,
    'text_data_ring.tail_lpos.counter': 0,
  });
  c.syms.add('printk_rb_static', rb, 'd');
  const prb = c.mem.allocData(8, 8);
  c.mem.writeU64(prb, rb);
  c.syms.add('prb', prb, 'd');
  const o = (t: string, m: string, key = `${t.replace('struct ', '')}.${m}`) => `OFFSET(${key})=${c.offsetOf(t, m)}`;
  const sz = (t: string) => `SIZE(${t.replace('struct ', '')})=${sizeofType(c.type(t))}`;
  c.vmcoreinfo.push(
    `SYMBOL(prb)=${prb.toString(16)}`,
    `SYMBOL(printk_rb_static)=${rb.toString(16)}`,
    sz('struct printk_ringbuffer'),
    o('struct printk_ringbuffer', 'desc_ring'),
    o('struct printk_ringbuffer', 'text_data_ring'),
    o('struct printk_ringbuffer', 'fail'),
    sz('struct prb_desc_ring'),
    ...['count_bits', 'descs', 'infos', 'head_id', 'tail_id'].map((m) => o('struct prb_desc_ring', m)),
    sz('struct prb_desc'),
    o('struct prb_desc', 'state_var'),
    o('struct prb_desc', 'text_blk_lpos'),
    sz('struct prb_data_blk_lpos'),
    o('struct prb_data_blk_lpos', 'begin'),
    o('struct prb_data_blk_lpos', 'next'),
    sz('struct printk_info'),
    ...['seq', 'ts_nsec', 'text_len', 'caller_id', 'dev_info'].map((m) => o('struct printk_info', m)),
    sz('struct dev_printk_info'),
    o('struct dev_printk_info', 'subsystem'),
    `LENGTH(printk_info_subsystem)=16`,
    o('struct dev_printk_info', 'device'),
    `LENGTH(printk_info_device)=48`,
    sz('struct prb_data_ring'),
    ...['size_bits', 'data', 'head_lpos', 'tail_lpos'].map((m) => o('struct prb_data_ring', m)),
    `SIZE(atomic_long_t)=8`,
    `OFFSET(atomic_long_t.counter)=0`,
  );
}

/**
 * The variable-length record log of v3.5-v5.9 (kernel/printk/printk.c): `struct printk_log`
 * (`struct log` before 3.11) records, each header + text padded to 8 bytes, in log_buf, with the
 * VMCOREINFO lines the kernel publishes for them (log_buf_kexec_setup).
 */
export function buildLogBuf(c: BuildContext): void {
  const rec = c.hasType('struct printk_log') ? 'struct printk_log' : 'struct log';
  const recs = parseLogLines(c.s.log.lines);
  const hdr = sizeofType(c.type(rec));
  const blocks = recs.map((r) => Buffer.from(r.text, 'latin1'));
  const need = blocks.reduce((a, b) => a + ((hdr + b.length + 7) & ~7), 0) + hdr;
  const len = 1 << Math.max(14, Math.ceil(Math.log2(need)));
  const buf = c.mem.allocData(len, 64);
  let idx = 0;
  recs.forEach((r, i) => {
    const size = (hdr + blocks[i].length + 7) & ~7;
    writeObject(c, buf + BigInt(idx), rec, { ts_nsec: r.tsNsec, len: size, text_len: blocks[i].length, level: r.level });
    c.mem.write(buf + BigInt(idx + hdr), blocks[i]);
    idx += size;
  });
  const scalar = (name: string, v: bigint | number, size: 4 | 8) => {
    const va = c.mem.allocData(size, size);
    if (size === 8) c.mem.writeU64(va, BigInt(v));
    else c.mem.writeU32(va, v);
    c.syms.add(name, va, 'd');
    c.vmcoreinfo.push(`SYMBOL(${name})=${va.toString(16)}`);
  };
  scalar('log_buf', buf, 8);
  scalar('log_buf_len', len, 4);
  scalar('log_first_idx', 0, 4);
  scalar('clear_idx', 0, 4);
  scalar('log_next_idx', idx, 4);
  const key = rec.replace('struct ', '');
  c.vmcoreinfo.push(
    `SIZE(${key})=${hdr}`,
    ...['ts_nsec', 'len', 'text_len', 'dict_len'].map((m) => `OFFSET(${key}.${m})=${c.offsetOf(rec, m)}`),
  );
}
