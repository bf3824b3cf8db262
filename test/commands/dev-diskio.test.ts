/**
 * `dev -d` / `dev -D` with disks. The reference dump has none, so the disks are planted over its
 * memory: a kernel whose reads go first to an overlay of fake objects (laid out with the dump's own
 * v6.1 BTF offsets) and then to the dump. block_class.p is pointed at a fake subsys_private whose
 * klist holds a disk "vda" with a blk-mq queue and four busy tags, a partition (part_type, left
 * out), a dead klist node (skipped), a "loop0" disk (crash skips ram/loop), an idle disk "sdb" and a
 * bio-based disk "md0" whose in-flight counts are per-cpu disk_stats.
 * Every expected number is one the overlay planted.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/session/session.js';
import { diskIoTable } from '../../src/kernel/helpers/blockdev.js';
import { rs, skipReason } from '../support/ref-session.js';
import { Overlay } from './dev-overlay.js';

const skip = skipReason('dev -d overlay tests');

describe.skipIf(!!skip)('dev -d / -D with planted disks over the 6.1 reference dump', () => {
  const r = rs();
  const k = r.kernel;
  const off = (s: string, m: string) => BigInt(k.offsetOf(`struct ${s}`, m));
  // a kernel-address range unused by the dump (the vmalloc area's start is never mapped this low)
  const BASE = 0xffffc90077700000n;
  const SIZE = 0x100000n;
  let next = BASE;
  const alloc = (n: number) => {
    const a = next;
    next += BigInt(Math.ceil(n / 64) * 64);
    return a;
  };
  const ov = new Overlay();
  const diskType = r.mapAddr('disk_type');
  const partType = r.mapAddr('part_type');
  const P = alloc(k.sizeOf('struct subsys_private'));
  const head = P + off('subsys_private', 'klist_devices') + off('klist', 'k_list');
  ov.u64(r.mapAddr('block_class') + off('class', 'p'), P);
  const nodes: bigint[] = [];

  /** A device on the klist: device_private → block_device.bd_device (type) → bd_disk. */
  function device(type: bigint, disk: bigint, dead = false) {
    const dp = alloc(k.sizeOf('struct device_private'));
    const bdev = alloc(k.sizeOf('struct block_device'));
    const kn = dp + off('device_private', 'knode_class');
    ov.u64(kn + off('klist_node', 'n_klist'), dead ? head | 1n : head);
    ov.u64(dp + off('device_private', 'device'), bdev + off('block_device', 'bd_device'));
    ov.u64(bdev + off('block_device', 'bd_device') + off('device', 'type'), type);
    ov.u64(bdev + off('block_device', 'bd_disk'), disk);
    nodes.push(kn + off('klist_node', 'n_node'));
  }
  /** A gendisk with a blk-mq queue of one hardware context whose tags have `busy` set bits. */
  function disk(name: string, major: number, busy: { tag: number; write: boolean; state?: number; otherQueue?: boolean }[]) {
    const g = alloc(k.sizeOf('struct gendisk'));
    const q = alloc(k.sizeOf('struct request_queue'));
    const hctx = alloc(k.sizeOf('struct blk_mq_hw_ctx'));
    const tags = alloc(k.sizeOf('struct blk_mq_tags'));
    const set = alloc(k.sizeOf('struct blk_mq_tag_set'));
    const words = alloc(k.sizeOf('struct sbitmap_word'));
    const rqs = alloc(64 * 8);
    ov.u32(g + off('gendisk', 'major'), major);
    ov.str(g + off('gendisk', 'disk_name'), name);
    ov.u64(g + off('gendisk', 'queue'), q);
    ov.u64(q + off('request_queue', 'mq_ops'), r.mapAddr('disk_type')); // any non-NULL ops
    ov.u64(q + off('request_queue', 'hctx_table') + off('xarray', 'xa_head'), hctx); // one entry, index 0
    ov.u64(q + off('request_queue', 'tag_set'), set);
    ov.u64(hctx + off('blk_mq_hw_ctx', 'tags'), tags);
    ov.u64(tags + off('blk_mq_tags', 'rqs'), rqs);
    const sb = tags + off('blk_mq_tags', 'bitmap_tags') + off('sbitmap_queue', 'sb');
    ov.u32(sb + off('sbitmap', 'depth'), 64);
    ov.u32(sb + off('sbitmap', 'shift'), 6);
    ov.u32(sb + off('sbitmap', 'map_nr'), 1);
    ov.u64(sb + off('sbitmap', 'map'), words);
    let word = 1n << 40n; // a set bit whose request slot is NULL: not a kernel address, skipped
    for (const b of busy) {
      word |= 1n << BigInt(b.tag);
      const rq = alloc(k.sizeOf('struct request'));
      ov.u64(rqs + BigInt(b.tag * 8), rq);
      ov.u64(rq + off('request', 'q'), b.otherQueue ? g : q);
      ov.u32(rq + off('request', 'state'), b.state ?? 1);
      ov.u32(rq + off('request', 'cmd_flags'), (b.write ? 1 : 0) | 0x800); // REQ_OP_WRITE / READ, with a flag bit
    }
    ov.u64(words + off('sbitmap_word', 'word'), word | (1n << 5n));
    ov.u64(words + off('sbitmap_word', 'cleared'), 1n << 5n); // cleared: not busy
    return { g, q };
  }

  const vda = disk('vda', 252, [
    { tag: 0, write: true },
    { tag: 3, write: false },
    { tag: 7, write: false },
    { tag: 9, write: true, state: 2 }, // MQ_RQ_COMPLETE: not in flight
    { tag: 11, write: true, otherQueue: true }, // another queue's request
  ]);
  const loop = disk('loop0', 7, [{ tag: 1, write: true }]);
  const sdb = disk('sdb', 8, []);
  // a bio-based disk (no mq_ops): disk_stats.in_flight[] of part0's per-cpu bd_stats, summed over the cpus
  const md = disk('md0', 9, []);
  ov.u64(md.q + off('request_queue', 'mq_ops'), 0n);
  const part0 = alloc(k.sizeOf('struct block_device'));
  ov.u64(md.g + off('gendisk', 'part0'), part0);
  const stats = 0x3f000n; // a per-cpu offset; each cpu's copy is at stats + __per_cpu_offset[cpu]
  ov.u64(part0 + off('block_device', 'bd_stats'), stats);
  [[2n, 1n], [1n, 0n]].forEach(([rd, wr], cpu) => {
    const at = r.perCpu('__per_cpu_start', cpu) - r.mapAddr('__per_cpu_start') + stats + off('disk_stats', 'in_flight');
    ov.u64(at, rd);
    ov.u64(at + 8n, wr);
  });
  device(diskType, vda.g);
  device(partType, vda.g); // vda1: a partition, not a disk
  device(diskType, sdb.g, true); // a dead klist node
  device(diskType, loop.g);
  device(diskType, sdb.g);
  device(diskType, md.g);
  // link the klist: head → nodes… → head
  [head, ...nodes].forEach((n, i, all) => ov.u64(n, all[(i + 1) % all.length]));
  const kk = ov.kernel(k, BASE, SIZE);
  const hex = (v: bigint) => v.toString(16);

  it('finds the disks, skips partitions, dead nodes and loop devices, and counts in-flight tags', () => {
    const t = diskIoTable(kk, false);
    expect(t.error).toBeUndefined();
    expect(t.hasDrv).toBe(false); // v6.1 request_queue has no in_flight
    expect(t.disks.map((d) => [d.name, d.major, d.gendisk, d.queue, d.read, d.write])).toEqual([
      ['vda', 252, vda.g, vda.q, 2, 1],
      ['sdb', 8, sdb.g, sdb.q, 0, 0],
      ['md0', 9, md.g, md.q, 3, 1],
    ]);
    expect(diskIoTable(kk, true).disks.map((d) => d.name)).toEqual(['vda', 'md0']);
  });

  it('prints crash layout', () => {
    const s = new Session(kk, { dumpPath: r.ref.elf, silent: true });
    const header = 'MAJOR GENDISK            NAME       REQUEST_QUEUE      TOTAL  READ WRITE \n';
    const vdaLine = `  252 ${hex(vda.g)}   vda        ${hex(vda.q)}       3     2     1 \n`;
    const mdLine = `    9 ${hex(md.g)}   md0        ${hex(md.q)}       4     3     1 \n`;
    expect(s.runLine('dev -d').text).toBe(header + vdaLine + `    8 ${hex(sdb.g)}   sdb        ${hex(sdb.q)}       0     0     0 \n` + mdLine);
    expect(s.runLine('dev -D').text).toBe(header + vdaLine + mdLine);
  });

  it('a wild pointer mid-table: the rows before it, then a crash-worded error', () => {
    const bad = new Overlay();
    for (const [a, b] of ov.bytes) bad.bytes.set(a, b);
    bad.u64(sdb.g + off('gendisk', 'queue'), 0x7777000000000000n); // not a kernel address
    const s = new Session(bad.kernel(k, BASE, SIZE), { dumpPath: r.ref.elf, silent: true });
    const out = s.runLine('dev -d').text.split('\n');
    expect(out[1]).toMatch(/^ {2}252 /);
    const at = hex(0x7777000000000000n + off('request_queue', 'mq_ops'));
    expect(out[2]).toBe(`dev: invalid kernel virtual address: ${at}  type: "request_queue.mq_ops"`);
  });

  it('a klist that loops back into itself ends with an error, not a hang', () => {
    const loopy = new Overlay();
    for (const [a, b] of ov.bytes) loopy.bytes.set(a, b);
    loopy.u64(nodes[nodes.length - 1], nodes[0]); // the last node points back at the first, never at the head
    const out = new Session(loopy.kernel(k, BASE, SIZE), { dumpPath: r.ref.elf, silent: true }).runLine('dev -d').text;
    expect(out).toMatch(/dev: duplicate list entry: /);
  });
});
