import type { Kernel } from '../kernel.js';
import { mtreeLookup } from './maple-tree.js';

/**
 * User address-space lookups (include/linux/mm_types.h): find_vma() over the maple tree
 * (mm->mm_mt, v6.1+) or the vm_next list (mm->mmap, before), and the path of a mapped file.
 */

export interface Vma {
  addr: bigint;
  start: bigint;
  end: bigint;
  flags: bigint;
  file: bigint;
}

export function taskMm(k: Kernel, task: bigint): bigint {
  return k.readPtr(task + BigInt(k.offsetOf('struct task_struct', 'mm')), 'task_struct mm');
}

export function readVma(k: Kernel, vma: bigint): Vma {
  const o = (m: string) => vma + BigInt(k.offsetOf('struct vm_area_struct', m));
  return {
    addr: vma,
    start: k.readU64(o('vm_start'), 'vm_area_struct vm_start'),
    end: k.readU64(o('vm_end'), 'vm_area_struct vm_end'),
    flags: k.readU64(o('vm_flags'), 'vm_area_struct vm_flags'),
    file: k.readPtr(o('vm_file'), 'vm_area_struct vm_file'),
  };
}

/** The VMA of `mm` that contains `addr` (vm_start <= addr < vm_end), if any. */
export function findVma(k: Kernel, mm: bigint, addr: bigint): Vma | undefined {
  if (!mm) return undefined;
  if (k.hasMember('struct mm_struct', 'mm_mt')) {
    const root = k.readPtr(mm + BigInt(k.offsetOf('struct mm_struct', 'mm_mt.ma_root')), 'mm_struct mm_mt');
    const entry = mtreeLookup(k, root, addr);
    if (!entry) return undefined;
    const v = readVma(k, entry);
    return v.start <= addr && addr < v.end ? v : undefined;
  }
  let vma = k.readPtr(mm + BigInt(k.offsetOf('struct mm_struct', 'mmap')), 'mm_struct mmap');
  const next = BigInt(k.offsetOf('struct vm_area_struct', 'vm_next'));
  for (let n = 0; vma && n < 1 << 20; n++) {
    const v = readVma(k, vma);
    if (v.start <= addr && addr < v.end) return v;
    vma = k.readPtr(vma + next, 'vm_area_struct vm_next');
  }
  return undefined;
}

/** d_path() of a struct file: dentry names up to the mount root, crossing mounts to "/". */
export function filePath(k: Kernel, file: bigint): string {
  try {
    const path = file + BigInt(k.offsetOf('struct file', 'f_path'));
    const mnt = k.readPtr(path + BigInt(k.offsetOf('struct path', 'mnt')), 'path mnt');
    const dentry = k.readPtr(path + BigInt(k.offsetOf('struct path', 'dentry')), 'path dentry');
    return dentryPath(k, dentry, mnt);
  } catch {
    return '';
  }
}

export function dentryPath(k: Kernel, dentry: bigint, vfsmnt: bigint): string {
  const parentOff = BigInt(k.offsetOf('struct dentry', 'd_parent'));
  const nameOff = BigInt(k.offsetOf('struct dentry', 'd_name') + k.offsetOf('struct qstr', 'name'));
  const hasMount = !!vfsmnt && k.hasMember('struct mount', 'mnt');
  const mntOff = hasMount ? BigInt(k.offsetOf('struct mount', 'mnt')) : 0n;
  let mount = hasMount ? vfsmnt - mntOff : 0n;
  const mntRoot = () => (hasMount ? k.readPtr(mount + mntOff + BigInt(k.offsetOf('struct vfsmount', 'mnt_root')), 'vfsmount mnt_root') : 0n);
  const names: string[] = [];
  let d = dentry;
  for (let n = 0; d && n < 256; n++) {
    if (hasMount && d === mntRoot()) {
      const parent = k.readPtr(mount + BigInt(k.offsetOf('struct mount', 'mnt_parent')), 'mount mnt_parent');
      if (!parent || parent === mount) break;
      d = k.readPtr(mount + BigInt(k.offsetOf('struct mount', 'mnt_mountpoint')), 'mount mnt_mountpoint');
      mount = parent;
      continue;
    }
    const parent = k.readPtr(d + parentOff, 'dentry d_parent');
    if (parent === d) break;
    names.push(k.readCString(k.readPtr(d + nameOff, 'dentry name'), 256, 'dentry name'));
    d = parent;
  }
  return '/' + names.reverse().join('/');
}
