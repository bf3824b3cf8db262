import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';
import { filePath } from './vma.js';
import { CrashError } from '../../util/errors.js';

/**
 * Character and block device majors (fs/char_dev.c chrdevs[], block/genhd.c major_names[]) and
 * the swap areas (mm/swapfile.c swap_info[]), as crash's dev and swap commands read them.
 */

// CHRDEV_MAJOR_HASH_SIZE / BLKDEV_MAJOR_HASH_SIZE (crash MAX_DEV)
const MAX_DEV = 255;
const MINORBITS = 20;
const CHAIN_LIMIT = 4096;

export interface ChrDev {
  major: number;
  name: string;
  cdev?: bigint;
  fops?: bigint;
}

const o = (k: Kernel, s: string, m: string) => BigInt(k.offsetOf(s, m));

function nameOf(k: Kernel, base: bigint, struct: string): string {
  const m = k.types.memberOf(struct, 'name');
  if (!m) return '';
  if (m.type.kind === 'ptr') {
    const p = k.readPtr(base + BigInt(m.bitOffset / 8), `${struct} name`);
    return p ? k.readCString(p, 256, `${struct} name`) : '(unknown)';
  }
  return k.readCString(base + BigInt(m.bitOffset / 8), k.types.sizeof(m.type), `${struct} name`);
}

/** dump_chrdevs(): every char_device_struct of each chrdevs[] chain, its cdev and file_operations. */
export function chrdevs(k: Kernel): ChrDev[] {
  const sym = k.symbol('chrdevs');
  if (!sym) throw new CrashError('chrdevs: symbol does not exist');
  const S = 'struct char_device_struct';
  const heads = k.readBytes(sym.address, MAX_DEV * 8, 'chrdevs array');
  const dv = new DataView(heads.buffer, heads.byteOffset, heads.byteLength);
  const out: ChrDev[] = [];
  for (let i = 0; i < MAX_DEV; i++) {
    let cd = dv.getBigUint64(i * 8, true);
    for (let n = 0; cd && n < CHAIN_LIMIT; n++) {
      const major = k.readS32(cd + o(k, S, 'major'), 'char_device_struct major');
      const minor = k.readS32(cd + o(k, S, 'baseminor'), 'char_device_struct baseminor');
      const name = nameOf(k, cd, S);
      let cdev = 0n;
      let fops = 0n;
      if (k.hasMember(S, 'cdev')) {
        cdev = k.readPtr(cd + o(k, S, 'cdev'), 'char_device_struct cdev');
        if (cdev) fops = k.readPtr(cdev + o(k, 'struct cdev', 'ops'), 'cdev ops');
      } else if (k.hasMember(S, 'fops')) fops = k.readPtr(cd + o(k, S, 'fops'), 'char_device_struct fops');
      if (!fops) {
        const probe = cdevMapProbe(k, major, minor);
        if (probe) ({ cdev, fops } = probe);
      }
      out.push({ major, name, cdev: fops ? cdev : undefined, fops: fops || undefined });
      cd = k.readPtr(cd + o(k, S, 'next'), 'char_device_struct next');
    }
  }
  return out;
}

/** search_cdev_map_probes(): the cdev registered in cdev_map for major:minor. */
function cdevMapProbe(k: Kernel, major: number, minor: number): { cdev: bigint; fops: bigint } | undefined {
  const sym = k.symbol('cdev_map');
  if (!sym || !k.hasType('struct probe')) return undefined;
  try {
    const map = k.readPtr(sym.address, 'cdev_map');
    let next = k.readPtr(map + o(k, 'struct kobj_map', 'probes') + BigInt((major % MAX_DEV) * 8), 'cdev_map.probes[]');
    for (let n = 0; next && n < CHAIN_LIMIT; n++) {
      const dev = k.readU32(next + o(k, 'struct probe', 'dev'), 'probe dev');
      if (dev >>> MINORBITS === major && (dev & ((1 << MINORBITS) - 1)) === minor) {
        const data = k.readPtr(next + o(k, 'struct probe', 'data'), 'probe data');
        return { cdev: data, fops: k.readPtr(data + o(k, 'struct cdev', 'ops'), 'cdev ops') };
      }
      next = k.readPtr(next + o(k, 'struct probe', 'next'), 'probe next');
    }
  } catch {
    /* QUIET|RETURN_ON_ERROR */
  }
  return undefined;
}

export interface BlkDev {
  major: number;
  name: string;
  gendisk?: bigint;
  fops?: bigint;
}

/** dump_blkdevs_v3(): major_names[] and, for v5.11+, the gendisk found among the bdev inodes. */
export function blkdevs(k: Kernel): BlkDev[] {
  const sym = k.symbol('major_names');
  if (!sym) throw new CrashError('major_names: symbol does not exist');
  const S = 'struct blk_major_name';
  const disks = blockdevDisks(k);
  const out: BlkDev[] = [];
  for (let i = 0; i < MAX_DEV; i++) {
    let p = k.readPtr(sym.address + BigInt(i * 8), 'major_names[] entry');
    for (let n = 0; p && n < CHAIN_LIMIT; n++) {
      const major = k.readU32(p + o(k, S, 'major'), 'blk_major_name major');
      const name = nameOf(k, p, S) || '(unknown)';
      const d = disks.find((x) => x.major === major && x.fops);
      out.push({ major, name, gendisk: d?.disk, fops: d?.fops });
      p = k.readPtr(p + o(k, S, 'next'), 'blk_major_name next');
    }
  }
  return out;
}

/** search_blockdev_inodes(): the gendisk (major, fops) of every block_device inode. */
function blockdevDisks(k: Kernel): { major: number; disk: bigint; fops: bigint }[] {
  const sb = k.symbol('blockdev_superblock');
  if (!sb || !k.hasMember('struct block_device', 'bd_disk')) return [];
  const out: { major: number; disk: bigint; fops: bigint }[] = [];
  try {
    const bdSb = k.readPtr(sb.address, 'blockdev_superblock');
    const head = bdSb + o(k, 'struct super_block', 's_inodes');
    const listOff = o(k, 'struct inode', 'i_sb_list');
    // bdev_inode { struct block_device bdev; struct inode vfs_inode; } (block/bdev.c)
    const vfsOff = k.hasType('struct bdev_inode') ? o(k, 'struct bdev_inode', 'vfs_inode') : undefined;
    if (vfsOff === undefined) return [];
    for (const node of listForEach(k, head, 'super_block s_inodes')) {
      if (out.length > CHAIN_LIMIT) break;
      const bdev = node - listOff - vfsOff + o(k, 'struct bdev_inode', 'bdev');
      const disk = k.readPtr(bdev + o(k, 'struct block_device', 'bd_disk'), 'block_device.bd_disk');
      if (!disk) continue;
      const major = k.readS32(disk + o(k, 'struct gendisk', 'major'), 'gendisk major');
      out.push({ major, disk, fops: k.readPtr(disk + o(k, 'struct gendisk', 'fops'), 'gendisk fops') });
    }
  } catch {
    /* QUIET|RETURN_ON_ERROR */
  }
  return out;
}

export interface SwapArea {
  addr: bigint;
  partition: boolean;
  pages: bigint;
  inuse: bigint;
  prio: number;
  file: string;
}

function memberInt(k: Kernel, base: bigint, struct: string, m: string, signed = false): bigint {
  const t = k.types.memberOf(struct, m);
  if (!t) return 0n;
  const size = k.types.sizeof(t.type);
  const at = base + BigInt(t.bitOffset / 8);
  if (size === 8) return k.readU64(at, m);
  if (size === 2) {
    const v = k.readU16(at, m);
    return BigInt(signed ? (v << 16) >> 16 : v);
  }
  return BigInt(signed ? k.readS32(at, m) : k.readU32(at, m));
}

/** dump_swap_info(): the swap_info[] areas in use (SWP_USED). */
export function swapAreas(k: Kernel): SwapArea[] {
  const nr = k.symbol('nr_swapfiles');
  const info = k.symbol('swap_info');
  if (!nr) throw new CrashError("nr_swapfiles doesn't exist in this kernel!");
  if (!info) throw new CrashError("swap_info doesn't exist in this kernel!");
  const S = 'struct swap_info_struct';
  const n = Math.min(k.readU32(nr.address, 'nr_swapfiles'), 64);
  const out: SwapArea[] = [];
  for (let i = 0; i < n; i++) {
    const si = k.readPtr(info.address + BigInt(i * 8), 'swap_info pointer');
    if (!si || !(memberInt(k, si, S, 'flags') & 1n)) continue;
    const file = memberInt(k, si, S, 'swap_file');
    let partition: boolean;
    if (k.hasMember(S, 'swap_device') || k.hasMember(S, 'old_block_size')) partition = memberInt(k, si, S, k.hasMember(S, 'swap_device') ? 'swap_device' : 'old_block_size') !== 0n;
    else {
      // v6.10: S_ISBLK(swap_file->f_inode->i_mode)
      const inode = k.readPtr(file + o(k, 'struct file', 'f_inode'), 'swap_file.f_inode');
      partition = (k.readU16(inode + o(k, 'struct inode', 'i_mode'), 'inode.i_mode') & 0o170000) === 0o060000;
    }
    let path = '(unknown)';
    if (file) {
      path = filePath(k, file);
      const dev = mountDevname(k, file);
      if ((dev === 'devtmpfs' || dev === 'udev') && !path.startsWith('/dev/')) path = '/dev' + path;
    }
    out.push({ addr: si, partition, pages: memberInt(k, si, S, 'pages', true), inuse: memberInt(k, si, S, 'inuse_pages'), prio: Number(memberInt(k, si, S, 'prio', true)), file: path });
  }
  return out;
}

function mountDevname(k: Kernel, file: bigint): string {
  try {
    const mnt = k.readPtr(file + o(k, 'struct file', 'f_path.mnt'), 'file f_path.mnt');
    const mount = mnt - o(k, 'struct mount', 'mnt');
    return k.readCString(k.readPtr(mount + o(k, 'struct mount', 'mnt_devname'), 'mount mnt_devname'), 64, 'mnt_devname');
  } catch {
    return '';
  }
}
