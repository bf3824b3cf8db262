import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';
import { perCpuInfo } from './percpu.js';
import { xaForEach } from './xarray.js';
import { CrashError } from '../../util/errors.js';
import { rethrowInterrupt } from '../../util/interrupt.js';

/**
 * Disk I/O statistics for `dev -d` / `-D` (crash's diskio_option()): every gendisk registered in
 * block_class, with the requests it has in flight, read the way the kernel holds them.
 *
 * Disks: the devices of block_class (block/genhd.c) whose device.type is &disk_type (partitions
 * are part_type), found on the class's subsys_private.klist_devices. The gendisk of a device:
 *  - v5.11+ (0d02129e76ed "block: merge struct block_device and struct hd_struct"): the device is
 *    block_device.bd_device, and block_device.bd_disk is the gendisk;
 *  - before that, it is gendisk.part0 (a struct hd_struct) .__dev.
 * In-flight requests:
 *  - blk-mq queues (request_queue.mq_ops set) with request.state (v4.18, 12f5b9314545 "blk-mq:
 *    Remove generation seqeunce"): the busy tags of every hardware context, as
 *    blk_mq_queue_tag_busy_iter() / blk_mq_check_inflight() count them (MQ_RQ_IN_FLIGHT requests
 *    of this queue, writes when the op's low bit is set);
 *  - older blk-mq: blk_mq_ctx.rq_dispatched[] - rq_completed[] summed over the cpus;
 *  - bio-based queues: request_queue.rq.count[] when the legacy request_list exists, else the
 *    per-cpu disk_stats.in_flight[] of part0 (block_device.bd_stats since v5.11).
 */

/** crash's skipped_disk_name[]: ram and loop devices are left out. */
const SKIPPED = ['ram', 'loop'];
const MQ_RQ_IN_FLIGHT = 1;
const REQ_OP_MASK = 0xff;
const DISK_LIMIT = 65_536;
/** No blk-mq tag space is larger than BLK_MQ_MAX_DEPTH (10240); allow a margin. */
const TAG_LIMIT = 1 << 16;
const HCTX_LIMIT = 4096;

export interface DiskIo {
  major: number;
  gendisk: bigint;
  name: string;
  queue: bigint;
  read: number;
  write: number;
  /** request_queue.in_flight (old kernels): the driver's count, or 'N/A(MQ)' for a blk-mq queue */
  drv?: number | 'N/A(MQ)';
}

export interface DiskIoTable {
  /** BLK_RW_SYNC exists: the counts are async/sync rather than read/write */
  syncCount: boolean;
  /** request_queue has in_flight: crash adds a DRV column */
  hasDrv: boolean;
  disks: DiskIo[];
  /** the walk stopped here; the disks before it are good */
  error?: string;
}

const off = (k: Kernel, s: string, m: string) => BigInt(k.offsetOf(s, m));
const notSupported = () => new CrashError('-d option not supported or applicable on this architecture or kernel');

/** The subsys_private of block_class: class.p, or (v6.4+, class.p removed) the "block" kset on class_kset. */
function blockSubsys(k: Kernel): bigint {
  const cls = k.symbol('block_class');
  if (!cls) throw notSupported();
  if (k.hasMember('struct class', 'p')) return k.readPtr(cls.address + off(k, 'struct class', 'p'), 'class.p');
  // 2df418cf4b72 "driver core: class: remove subsystem private pointer from struct class" (v6.4):
  // crash's get_subsys_private("class_kset", "block")
  const ks = k.symbol('class_kset');
  if (ks) {
    const kset = k.readPtr(ks.address, 'class_kset');
    const entryOff = off(k, 'struct kobject', 'entry');
    const kobjOff = off(k, 'struct subsys_private', 'subsys') + off(k, 'struct kset', 'kobj');
    for (const n of listForEach(k, kset + off(k, 'struct kset', 'list'), 'kset list')) {
      const kobj = n - entryOff;
      const np = k.readPtr(kobj + off(k, 'struct kobject', 'name'), 'kobject name');
      if (np && k.readCString(np, 64, 'kobject name') === 'block') return kobj - kobjOff;
    }
  }
  throw new CrashError('cannot determine subsys_private for block.');
}

/** init_iter(): the list_head of block_class's klist of devices, and &disk_type. */
export function blockDiskList(k: Kernel): { head: bigint; diskType: bigint } {
  const diskType = k.symbol('disk_type');
  if (!diskType || !k.hasType('struct gendisk')) throw notSupported();
  const p = blockSubsys(k);
  if (!p) throw new CrashError('cannot determine subsys_private for block.');
  // v2.6.37 dropped class_private for subsys_private
  const head = k.hasMember('struct subsys_private', 'klist_devices')
    ? p + off(k, 'struct subsys_private', 'klist_devices') + off(k, 'struct klist', 'k_list')
    : p + off(k, 'struct class_private', 'class_devices') + off(k, 'struct klist', 'k_list');
  return { head, diskType: diskType.address };
}

/** The gendisk of each disk device on block_class's klist, in list order. */
export function* blockDisks(k: Kernel, list = blockDiskList(k)): Generator<bigint> {
  const { head, diskType } = list;
  const nNode = off(k, 'struct klist_node', 'n_node');
  const nKlist = off(k, 'struct klist_node', 'n_klist');
  const viaPrivate = !k.hasMember('struct device', 'knode_class'); // v5.1 moved knode_class to device_private
  let count = 0;
  for (const n of listForEach(k, head, 'klist_devices')) {
    const knode = n - nNode;
    if (k.readPtr(knode + nKlist, 'klist_node.n_klist') & 1n) continue; // a dead klist_node
    const device = viaPrivate
      ? k.readPtr(knode - off(k, 'struct device_private', 'knode_class') + off(k, 'struct device_private', 'device'), 'device_private.device')
      : knode - off(k, 'struct device', 'knode_class');
    if (k.readPtr(device + off(k, 'struct device', 'type'), 'device.type') !== diskType) continue;
    if (++count > DISK_LIMIT) throw new CrashError(`block_class: more than ${DISK_LIMIT} disks`);
    yield gendiskOfDevice(k, device);
  }
}

function gendiskOfDevice(k: Kernel, device: bigint): bigint {
  if (k.hasMember('struct block_device', 'bd_device')) {
    const bdev = device - off(k, 'struct block_device', 'bd_device');
    return k.readPtr(bdev + off(k, 'struct block_device', 'bd_disk'), 'block_device.bd_disk');
  }
  if (k.hasMember('struct gendisk', 'part0') && k.hasMember('struct hd_struct', '__dev'))
    return device - off(k, 'struct hd_struct', '__dev') - off(k, 'struct gendisk', 'part0');
  throw notSupported();
}

/** sbitmap_for_each_set() over sbitmap_queue.sb: the set, not cleared, bits below depth. */
function* sbitmapSetBits(k: Kernel, sbq: bigint): Generator<number> {
  const sb = sbq + off(k, 'struct sbitmap_queue', 'sb');
  const S = 'struct sbitmap';
  const depth = k.readU32(sb + off(k, S, 'depth'), 'sbitmap.depth');
  const shift = k.readU32(sb + off(k, S, 'shift'), 'sbitmap.shift');
  const mapNr = k.readU32(sb + off(k, S, 'map_nr'), 'sbitmap.map_nr');
  const map = k.readPtr(sb + off(k, S, 'map'), 'sbitmap.map');
  if (depth > TAG_LIMIT || shift > 6 || mapNr > TAG_LIMIT) throw new CrashError(`sbitmap at ${sb.toString(16)}: invalid depth ${depth} shift ${shift} map_nr ${mapNr}`);
  const W = 'struct sbitmap_word';
  const wsize = BigInt(k.sizeOf(W));
  const wOff = off(k, W, 'word');
  const cOff = k.hasMember(W, 'cleared') ? off(k, W, 'cleared') : undefined;
  const per = 1 << shift;
  for (let i = 0, scanned = 0; i < mapNr && scanned < depth; i++) {
    const bits = Math.min(per, depth - scanned);
    scanned += bits;
    const w = map + BigInt(i) * wsize;
    let word = k.readU64(w + wOff, 'sbitmap_word');
    if (cOff !== undefined) word &= ~k.readU64(w + cOff, 'sbitmap_word');
    for (let b = 0; word && b < bits; b++) if ((word >> BigInt(b)) & 1n) yield (i << shift) + b;
  }
}

/** blk_mq_queue_tag_busy_iter() + blk_mq_check_inflight(): the queue's in-flight reads and writes. */
function mqInflight(k: Kernel, q: bigint): { read: number; write: number } {
  const io = { read: 0, write: 0 };
  const Q = 'struct request_queue';
  let hctxs: bigint[] = [];
  if (k.hasMember(Q, 'hctx_table')) {
    // 4e5cc99e1e48 "blk-mq: manage hctx map via xarray" (v5.18)
    for (const { entry } of xaForEach(k, q + off(k, Q, 'hctx_table'))) {
      hctxs.push(entry);
      if (hctxs.length > HCTX_LIMIT) break;
    }
  } else {
    const n = Math.min(k.readU32(q + off(k, Q, 'nr_hw_queues'), 'request_queue.nr_hw_queues'), HCTX_LIMIT);
    const arr = k.readPtr(q + off(k, Q, 'queue_hw_ctx'), 'request_queue.queue_hw_ctx');
    hctxs = Array.from({ length: n }, (_, i) => k.readPtr(arr + BigInt(i * 8), 'request_queue.queue_hw_ctx[]'));
  }
  // the places holding a struct blk_mq_tags pointer to scan
  let tagPtrs = hctxs.map((h) => h + off(k, 'struct blk_mq_hw_ctx', 'tags'));
  const shared = k.types.enumValue('BLK_MQ_F_TAG_HCTX_SHARED');
  if (shared !== undefined && k.hasMember('struct blk_mq_tag_set', 'shared_tags')) {
    const set = k.readPtr(q + off(k, Q, 'tag_set'), 'request_queue.tag_set');
    const flags = k.readU32(set + off(k, 'struct blk_mq_tag_set', 'flags'), 'blk_mq_tag_set.flags');
    if (BigInt(flags) & shared) tagPtrs = [set + off(k, 'struct blk_mq_tag_set', 'shared_tags')];
  }
  const T = 'struct blk_mq_tags';
  // 4.x-5.15 held pointers to the sbitmap_queues; 5.16 (ae0f1a732f4a) embedded them
  const sbqIsPtr = k.types.memberOf(T, 'bitmap_tags')?.type.kind === 'ptr';
  const R = 'struct request';
  const [rqQ, rqFlags, rqState] = [off(k, R, 'q'), off(k, R, 'cmd_flags'), off(k, R, 'state')];
  for (const tp of tagPtrs) {
    const tags = k.readPtr(tp, 'blk_mq_hw_ctx.tags');
    if (!tags) continue;
    const nrReserved = k.readU32(tags + off(k, T, 'nr_reserved_tags'), 'blk_mq_tags_nr_reserved_tags');
    const rqs = k.readPtr(tags + off(k, T, 'rqs'), 'blk_mq_tags.rqs');
    const scan = (member: string, base: number) => {
      let sbq = tags + off(k, T, member);
      if (sbqIsPtr) sbq = k.readPtr(sbq, `blk_mq_tags.${member}`);
      try {
        for (const bit of sbitmapSetBits(k, sbq)) {
          const rq = k.readPtr(rqs + BigInt((bit + base) * 8), 'blk_mq_tags.rqs[]');
          if (!k.arch.isKernelAddr(rq)) continue; // !IS_KVADDR(rq)
          if (k.readPtr(rq + rqQ, 'request.q') !== q) continue;
          if (k.readU32(rq + rqState, 'request.state') !== MQ_RQ_IN_FLIGHT) continue;
          if (k.readU32(rq + rqFlags, 'request.cmd_flags') & REQ_OP_MASK & 1) io.write++;
          else io.read++;
        }
      } catch (e) {
        rethrowInterrupt(e);
        // crash's bt_iter/mq_check_inflight read with RETURN_ON_ERROR: an unreadable request or
        // bitmap ends this tag map; the disk keeps what was counted and the next disk is listed
        if (!(e instanceof CrashError)) throw e;
      }
    };
    if (nrReserved) scan('breserved_tags', 0);
    scan('bitmap_tags', nrReserved);
  }
  return io;
}

/** Sum a per-cpu pair of longs (rq_dispatched[2], disk_stats.in_flight[2]) over the cpus. */
function perCpuPair(k: Kernel, addr: bigint, what: string): [bigint, bigint] {
  const pc = perCpuInfo(k);
  if (!pc) throw notSupported();
  let a = 0n;
  let b = 0n;
  for (const o of pc.offsets) {
    const at = (addr + o) & ((1n << 64n) - 1n);
    a += k.readU64(at, what);
    b += k.readU64(at + 8n, what);
  }
  return [a, b];
}

/** The kernel sums these counters in an int (part_in_flight, blk_mq_in_flight): keep its wrap. */
const int32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

function diskInflight(k: Kernel, gendisk: bigint, q: bigint): { read: number; write: number; mq: boolean } {
  const Q = 'struct request_queue';
  const mq = k.hasMember(Q, 'mq_ops') && k.readPtr(q + off(k, Q, 'mq_ops'), 'request_queue.mq_ops') !== 0n;
  if (mq) {
    if (k.hasMember('struct request', 'state')) return { ...mqInflight(k, q), mq };
    const ctx = k.readPtr(q + off(k, Q, 'queue_ctx'), 'request_queue.queue_ctx');
    const C = 'struct blk_mq_ctx';
    const d = perCpuPair(k, ctx + off(k, C, 'rq_dispatched'), 'blk_mq_ctx.rq_dispatched');
    const c = perCpuPair(k, ctx + off(k, C, 'rq_completed'), 'blk_mq_ctx.rq_completed');
    return { read: int32(d[0] - c[0]), write: int32(d[1] - c[1]), mq };
  }
  const rl = k.hasMember(Q, 'rq') ? 'rq' : k.hasMember(Q, 'root_rl') ? 'root_rl' : undefined;
  if (rl) {
    const at = q + off(k, Q, rl) + off(k, 'struct request_list', 'count');
    return { read: k.readS32(at, 'request_list.count'), write: k.readS32(at + 4n, 'request_list.count'), mq };
  }
  let dkstats: bigint;
  if (k.hasMember('struct hd_struct', 'dkstats')) dkstats = k.readPtr(gendisk + off(k, 'struct gendisk', 'part0') + off(k, 'struct hd_struct', 'dkstats'), 'gendisk.part0.dkstats');
  else {
    const bdev = k.readPtr(gendisk + off(k, 'struct gendisk', 'part0'), 'gendisk.part0');
    dkstats = k.readPtr(bdev + off(k, 'struct block_device', 'bd_stats'), 'block_device.bd_stats');
  }
  const [read, write] = perCpuPair(k, dkstats + off(k, 'struct disk_stats', 'in_flight'), 'disk_stats.in_flight');
  return { read: int32(read), write: int32(write), mq };
}

/** `dev -d` (all disks) or `dev -D` (nonzero: only disks with requests in flight). */
export function diskIoTable(k: Kernel, nonzero: boolean): DiskIoTable {
  const name = k.types.memberOf('struct gendisk', 'disk_name');
  const nameLen = name ? k.types.sizeof(name.type) : -1;
  if (nameLen <= 0 || nameLen > 1500) throw notSupported();
  const Q = 'struct request_queue';
  const inFlight = k.types.memberOf(Q, 'in_flight');
  const list = blockDiskList(k);
  const table: DiskIoTable = { syncCount: k.types.enumValue('BLK_RW_SYNC') !== undefined, hasDrv: !!inFlight, disks: [] };
  try {
    for (const g of blockDisks(k, list)) {
      const diskName = k.readCString(g + off(k, 'struct gendisk', 'disk_name'), nameLen, 'gen_disk.disk_name');
      if (SKIPPED.some((s) => diskName.startsWith(s))) continue;
      const queue = k.readPtr(g + off(k, 'struct gendisk', 'queue'), 'gen_disk.queue');
      const major = k.readS32(g + off(k, 'struct gendisk', 'major'), 'gen_disk.major');
      const io = diskInflight(k, g, queue);
      if (nonzero && io.read + io.write === 0) continue;
      const row: DiskIo = { major, gendisk: g, name: diskName, queue, read: io.read, write: io.write };
      if (inFlight) {
        if (io.mq) row.drv = 'N/A(MQ)';
        else {
          const at = queue + off(k, Q, 'in_flight');
          // get_in_flight_1 / _2: one counter, or the read and write pair
          row.drv = k.readU32(at, 'request_queue.in_flight') + (k.types.sizeof(inFlight.type) >= 8 ? k.readU32(at + 4n, 'request_queue.in_flight') : 0);
        }
      }
      table.disks.push(row);
    }
  } catch (e) {
    rethrowInterrupt(e);
    if (!(e instanceof CrashError)) throw e;
    table.error = e.message;
  }
  return table;
}
