import type { Kernel } from '../kernel.js';
import { xaForEach } from './xarray.js';
import { radixTreeForEach } from './radix-tree.js';

/**
 * Open files and the page cache (include/linux/fdtable.h, fs.h, dcache.h), read as crash's
 * filesys.c reads them: task->files->fdt (the fdtable since 2.6.14) with its open_fds bitmap and
 * fd[] array; file->f_path.{mnt,dentry} (f_dentry/f_vfsmnt before 2.6.20); dentry names walked up
 * through mounts as get_pathname() does; inode->i_mapping's page tree as an xarray (i_pages, 4.20)
 * or a radix tree (page_tree; i_pages 4.17-4.19).
 */

const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

export interface OpenFd {
  fd: number;
  file: bigint;
}

const off = (k: Kernel, s: string, m: string) => BigInt(k.offsetOf(s, m));
const ptrAt = (k: Kernel, base: bigint, s: string, m: string) => k.readPtr(base + off(k, s, m), `${s.replace('struct ', '')} ${m}`);

/** The fds of a task with a file (crash's open_fds walk); undefined when it has no files table. */
export function taskOpenFiles(k: Kernel, task: bigint): OpenFd[] | undefined {
  const files = ptrAt(k, task, 'struct task_struct', 'files');
  if (!files) return undefined;
  const F = 'struct files_struct';
  // the fdtable moved out of files_struct in 2.6.14 (badf16621c1f); max_fdset went in 2.6.26
  const hasFdt = k.hasMember(F, 'fdt');
  const table = hasFdt ? ptrAt(k, files, F, 'fdt') : files;
  if (!table) return undefined;
  const T = hasFdt ? 'struct fdtable' : F;
  const maxFds = k.readU32(table + off(k, T, 'max_fds'), 'fdtable max_fds');
  const maxFdset = k.hasMember(T, 'max_fdset') ? k.readU32(table + off(k, T, 'max_fdset'), 'max_fdset') : -1;
  if (!maxFds || !maxFdset) return undefined;
  const openFds = ptrAt(k, table, T, 'open_fds');
  const fdArray = ptrAt(k, table, T, 'fd');
  if (!openFds || !fdArray) return undefined;
  // a corrupt max_fds must not make us read gigabytes: no kernel allows more than NR_OPEN (1M) fds
  const limit = Math.min(maxFdset >= 0 ? Math.min(maxFds, maxFdset) : maxFds, 1 << 20);
  const bitmap = k.readBytes(openFds, Math.ceil(Math.min(Math.max(maxFds, maxFdset), 1 << 20) / 64) * 8, 'fdtable open_fds');
  const out: OpenFd[] = [];
  for (let i = 0; i < limit; i++) {
    if (!(bitmap[i >> 3] & (1 << (i & 7)))) continue;
    const file = k.readPtr(fdArray + BigInt(i * 8), 'fd file');
    if (file) out.push({ fd: i, file });
  }
  return out;
}

/** file->f_path.dentry and .mnt (file_f_dentry, file_f_vfsmnt). */
export function fileDentry(k: Kernel, file: bigint): { dentry: bigint; vfsmnt: bigint } {
  if (k.hasMember('struct file', 'f_dentry')) {
    return { dentry: ptrAt(k, file, 'struct file', 'f_dentry'), vfsmnt: ptrAt(k, file, 'struct file', 'f_vfsmnt') };
  }
  const p = file + off(k, 'struct file', 'f_path');
  return { dentry: ptrAt(k, p, 'struct path', 'dentry'), vfsmnt: ptrAt(k, p, 'struct path', 'mnt') };
}

export const dentryInode = (k: Kernel, dentry: bigint): bigint => ptrAt(k, dentry, 'struct dentry', 'd_inode');

/** inode->i_mode (umode_t: 16 bits on every kernel crash-tui reads). */
export function inodeMode(k: Kernel, inode: bigint): number {
  return k.readU16(inode + off(k, 'struct inode', 'i_mode'), 'inode i_mode');
}
export const isSocketMode = (mode: number): boolean => (mode & S_IFMT) === S_IFSOCK;

/** The mount a vfsmount is embedded in (struct mount, 3.3+), or undefined on older kernels. */
const mountOf = (k: Kernel, vfsmnt: bigint) => (k.hasMember('struct mount', 'mnt') ? vfsmnt - off(k, 'struct mount', 'mnt') : undefined);

/** The name of a dentry, when d_name.len agrees with the string (get_pathname_component). */
function dentryName(k: Kernel, dentry: bigint): string | undefined {
  const q = dentry + off(k, 'struct dentry', 'd_name');
  const len = k.readU32(q + off(k, 'struct qstr', 'len'), 'qstr len');
  if (!len) return undefined;
  const name = ptrAt(k, q, 'struct qstr', 'name');
  if (!name) return undefined;
  const s = k.readCString(name, len + 1, 'dentry name');
  return s.length === len ? s : undefined;
}

/**
 * crash's get_pathname(): d_name components joined up the d_parent chain; at a root, when `full`,
 * continue at the mountpoint of the mount (mnt_mountpoint, mnt_parent) until the root mount.
 */
export function getPathname(k: Kernel, dentry: bigint, vfsmnt: bigint, full = true): string {
  let path = '';
  let parent = dentry;
  let mnt = vfsmnt;
  for (let n = 0; n < 4096; n++) {
    const tmp = parent;
    let name: string | undefined;
    try {
      name = dentryName(k, tmp);
    } catch {
      name = undefined;
    }
    if (name === undefined) break;
    if (tmp !== dentry) path = (name.length > 1 || name !== '/') && !path.startsWith('/') ? `${name}/${path}` : name + path;
    else path = name;
    parent = ptrAt(k, tmp, 'struct dentry', 'd_parent');
    if (tmp === parent && full && mnt) {
      const mount = mountOf(k, mnt);
      if (mount === undefined) break;
      if (path.startsWith('//')) path = path.slice(1);
      parent = ptrAt(k, mount, 'struct mount', 'mnt_mountpoint');
      const mntParent = ptrAt(k, mount, 'struct mount', 'mnt_parent');
      if (mount === mntParent) break;
      mnt = mntParent + off(k, 'struct mount', 'mnt');
      continue;
    }
    if (tmp === parent || !parent) break;
  }
  if (path !== '/' && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

/** mount->mnt_devname (vfsmount_devname), '' when unreadable. */
function mountDevname(k: Kernel, vfsmnt: bigint): string {
  try {
    const mount = mountOf(k, vfsmnt);
    const p = mount !== undefined ? ptrAt(k, mount, 'struct mount', 'mnt_devname') : ptrAt(k, vfsmnt, 'struct vfsmount', 'mnt_devname');
    return p ? k.readCString(p, 256, 'mnt_devname') : '';
  } catch {
    return '';
  }
}

/**
 * The path crash prints for an open file (file_dump DUMP_FULL_NAME): get_root_vfsmount() steps
 * from a udev/devtmpfs mount to a parent of the same name, and devpts paths get "/dev" in front.
 */
export function filePathname(k: Kernel, dentry: bigint, vfsmnt: bigint): string {
  let mnt = vfsmnt;
  const dev = mountDevname(k, mnt);
  if (dev === 'udev' || dev === 'devtmpfs') {
    try {
      const mount = mountOf(k, mnt);
      const parent = mount !== undefined ? ptrAt(k, mount, 'struct mount', 'mnt_parent') + off(k, 'struct mount', 'mnt') : ptrAt(k, mnt, 'struct vfsmount', 'mnt_parent');
      if (mountDevname(k, parent) === dev) mnt = parent;
    } catch {
      /* keep the file's own mount */
    }
  }
  const path = getPathname(k, dentry, mnt, true);
  return path.startsWith('/pts/') && mountDevname(k, mnt) === 'devpts' ? '/dev' + path : path;
}

/** crash's inode_type(): the 4-character TYPE column, and the path it prints (pipes and "/" sockets: none). */
export function inodeType(k: Kernel, inode: bigint, path: string): { type: string; path: string } {
  const mode = inodeMode(k, inode);
  const fmt = mode & S_IFMT;
  const types: Record<number, string> = { [S_IFREG]: 'REG ', [S_IFLNK]: 'LNK ', [S_IFDIR]: 'DIR ', [S_IFCHR]: 'CHR ', [S_IFBLK]: 'BLK ' };
  let type = types[fmt] ?? 'UNKN';
  if (fmt === S_IFIFO) {
    type = 'FIFO';
    // pipe_inode_operations went away in 2.6.39 (pipes use pipefifo_fops since 3.12)
    const ops = k.symbol('pipe_inode_operations') ?? k.symbol('rdwr_pipe_fops');
    const member = k.symbol('pipe_inode_operations') ? 'i_op' : 'i_fop';
    if (ops && k.hasMember('struct inode', member) && ptrAt(k, inode, 'struct inode', member) === ops.address) return { type: 'PIPE', path: '' };
  }
  if (fmt === S_IFSOCK) return { type: 'SOCK', path: path === '/' ? '' : path };
  return { type, path };
}

/** ROOT and CWD of a task (fs_struct root/pwd: struct path since 2.6.25, dentry + vfsmount before). */
export function taskRootPwd(k: Kernel, task: bigint): { root: string; pwd: string } | undefined {
  const fs = ptrAt(k, task, 'struct task_struct', 'fs');
  if (!fs) return undefined;
  const F = 'struct fs_struct';
  const one = (which: 'root' | 'pwd'): string => {
    const usePath = k.types.memberOf(F, which)?.type.kind === 'struct';
    const base = fs + off(k, F, which);
    const dentry = usePath ? ptrAt(k, base, 'struct path', 'dentry') : k.readPtr(base, `fs_struct ${which}`);
    if (!dentry) return '';
    const mnt = usePath ? ptrAt(k, base, 'struct path', 'mnt') : ptrAt(k, fs, F, `${which}mnt`);
    return getPathname(k, dentry, mnt, true);
  };
  return { root: one('root'), pwd: one('pwd') };
}

// ---- the page cache --------------------------------------------------------------------------

export const inodeMapping = (k: Kernel, inode: bigint): bigint => ptrAt(k, inode, 'struct inode', 'i_mapping');
export const mappingNrpages = (k: Kernel, mapping: bigint): bigint => k.readU64(mapping + off(k, 'struct address_space', 'nrpages'), 'address_space nrpages');
export const inodeSize = (k: Kernel, inode: bigint): bigint => k.readU64(inode + off(k, 'struct inode', 'i_size'), 'inode i_size');

/**
 * The pages of an address_space, in index order: i_pages as an xarray (4.20, f6bb2a2c0b81) or,
 * before, the radix tree (page_tree, renamed i_pages in 4.17). Value entries (shadows) are skipped.
 */
export function* mappingPages(k: Kernel, mapping: bigint): Generator<{ index: bigint; page: bigint }> {
  const A = 'struct address_space';
  const member = k.hasMember(A, 'i_pages') ? 'i_pages' : 'page_tree';
  const root = mapping + off(k, A, member);
  const tn = typeName(k, A, member);
  const xarray = tn === 'xarray' || (tn === 'radix_tree_root' && k.hasMember('struct radix_tree_root', 'xa_head'));
  const walk = xarray ? xaForEach(k, root) : radixTreeForEach(k, root);
  for (const { index, entry } of walk) yield { index, page: entry };
}

function typeName(k: Kernel, s: string, m: string): string | undefined {
  const t = k.types.memberOf(s, m)?.type;
  return t && 'name' in t ? (t.name as string | undefined) : undefined;
}
