import { sizeofType } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';
import { writeObject, type BuildContext } from './infra.js';

/**
 * The VFS as the kernel links it, for a scenario's open files: mounts (struct mount around a
 * vfsmount, mnt_parent/mnt_mountpoint up to the root mount, which is its own parent), a
 * super_block and root dentry "/" per mount, dentries chained by d_parent with their names
 * (inline in d_iname when short, as d_alloc does) and linked on the parent's d_subdirs, and
 * inodes whose i_mapping is their own i_data. Objects the scenario does not place come from
 * `heap`, a direct-map range (slab memory).
 */

const S_IFMT_BY_TYPE: Record<string, number> = { sock: 0o140777, lnk: 0o120777, reg: 0o100644, blk: 0o060660, dir: 0o040755, chr: 0o020666, fifo: 0o010600 };
const DNAME_INLINE_LEN = 32;

export interface VfsMount {
  path: string;
  mount: bigint;
  vfsmount: bigint;
  root: bigint;
  sb: bigint;
}

export class Vfs {
  private heapNext: bigint;
  private readonly heapEnd: bigint;
  readonly mounts: VfsMount[] = [];
  private readonly dentries = new Map<string, bigint>();
  private readonly children = new Map<bigint, bigint[]>();
  private nextIno = 2n;
  private readonly pseudo = new Map<string, VfsMount>();
  private readonly all: bigint[] = [];

  constructor(
    readonly c: BuildContext,
    heap: bigint,
    heapSize = 1n << 22n,
  ) {
    this.heapNext = heap;
    this.heapEnd = heap + heapSize;
  }

  /** Slab memory for an object of `size` bytes (zeroed). */
  alloc(size: number, align = 64): bigint {
    const a = BigInt(align);
    const at = (this.heapNext + a - 1n) & ~(a - 1n);
    this.heapNext = at + BigInt(size);
    if (this.heapNext > this.heapEnd) throw new CrashError(`scenario ${this.c.s.name}: files.heap exhausted`);
    this.c.mem.write(at, new Uint8Array(size));
    return at;
  }

  allocObject(type: string, values: Record<string, unknown> = {}): bigint {
    const at = this.alloc(sizeofType(this.c.type(type)));
    writeObject(this.c, at, type, values);
    return at;
  }

  size = (type: string): number => sizeofType(this.c.type(type));
  off = (type: string, member: string): bigint => BigInt(this.c.offsetOf(type, member));

  /** A new inode (at `at`, or from the heap) of a type (reg, dir, chr, sock ...). */
  inode(type: string, sb: bigint, values: Record<string, unknown> = {}, at?: bigint): bigint {
    const mode = S_IFMT_BY_TYPE[type];
    if (mode === undefined) throw new CrashError(`scenario ${this.c.s.name}: unknown file type ${type} (${Object.keys(S_IFMT_BY_TYPE).join(', ')})`);
    const inode = at ?? this.alloc(this.size('struct inode'));
    const mapping = inode + this.off('struct inode', 'i_data');
    writeObject(this.c, inode, 'struct inode', { i_mode: mode, i_ino: this.nextIno++, i_nlink: 1, i_sb: sb, i_mapping: mapping, 'i_data.host': inode, 'i_count.counter': 1, ...values });
    return inode;
  }

  /** A dentry named `name` under `parent` (itself when 0: a root or a pseudo-file's dentry). */
  dentry(name: string, parent: bigint, inode: bigint, sb: bigint): bigint {
    const d = this.alloc(this.size('struct dentry'));
    const bytes = Buffer.from(name + '\0', 'latin1');
    let nameAt = d + this.off('struct dentry', 'd_iname');
    if (bytes.length > DNAME_INLINE_LEN) nameAt = this.alloc(bytes.length, 8);
    this.c.mem.write(nameAt, bytes);
    writeObject(this.c, d, 'struct dentry', { d_parent: parent || d, 'd_name.len': name.length, 'd_name.name': nameAt, d_inode: inode, d_sb: sb, d_count: 1 });
    this.all.push(d);
    if (parent && parent !== d) this.children.set(parent, [...(this.children.get(parent) ?? []), d]);
    return d;
  }

  /** A mount of a new filesystem at `path` (the first is the root mount, its own parent). */
  mount(path: string, devname: string): VfsMount {
    const sb = this.allocObject('struct super_block');
    const rootInode = this.inode('dir', sb);
    const root = this.dentry('/', 0n, rootInode, sb);
    writeObject(this.c, sb, 'struct super_block', { s_root: root });
    const mount = this.alloc(this.size('struct mount'));
    const vfsmount = mount + this.off('struct mount', 'mnt');
    const devAt = this.alloc(devname.length + 1, 8);
    this.c.mem.write(devAt, Buffer.from(devname + '\0', 'latin1'));
    let parent = mount;
    let mountpoint = root;
    if (path !== '' && this.mounts.length) {
      const where = this.lookup(path, 'dir');
      parent = where.mount.mount;
      mountpoint = where.dentry;
    }
    writeObject(this.c, mount, 'struct mount', { mnt_parent: parent, mnt_mountpoint: mountpoint, 'mnt.mnt_root': root, 'mnt.mnt_sb': sb, mnt_devname: devAt, mnt_id: this.mounts.length + this.pseudo.size + 1 });
    const m = { path, mount, vfsmount, root, sb };
    if (path !== '') this.mounts.push(m);
    return m;
  }

  /** An internal mount (sockfs, pipefs): its own parent, mounted nowhere. */
  pseudoMount(name: string): VfsMount {
    let m = this.pseudo.get(name);
    if (!m) {
      m = this.mount('', name);
      this.pseudo.set(name, m);
    }
    return m;
  }

  /** The mount holding a path: the one with the longest matching mount path. */
  mountOf(path: string): VfsMount {
    if (!this.mounts.length) this.mount('/', 'rootfs');
    const inside = (m: VfsMount) => m.path === '/' || path === m.path || path.startsWith(m.path + '/');
    return this.mounts.filter(inside).sort((a, b) => b.path.length - a.path.length)[0];
  }

  /** The dentry of an absolute path, creating directories on the way and the last one as `type`. */
  lookup(path: string, type = 'reg', inodeAt?: bigint, inodeValues: Record<string, unknown> = {}): { mount: VfsMount; dentry: bigint; inode: bigint } {
    if (!path.startsWith('/')) throw new CrashError(`scenario ${this.c.s.name}: path ${path} is not absolute`);
    const mount = this.mountOf(path);
    const rel = path.slice(mount.path === '/' ? 1 : mount.path.length + 1).split('/').filter(Boolean);
    let d = mount.root;
    let key = `${mount.mount}:`;
    rel.forEach((name, i) => {
      key += '/' + name;
      const last = i === rel.length - 1;
      let next = this.dentries.get(key);
      if (next === undefined) {
        const inode = this.inode(last ? type : 'dir', mount.sb, last ? inodeValues : {}, last ? inodeAt : undefined);
        next = this.dentry(name, d, inode, mount.sb);
        this.dentries.set(key, next);
      } else if (last && inodeAt !== undefined) throw new CrashError(`scenario ${this.c.s.name}: ${path} declared twice`);
      d = next;
    });
    return { mount, dentry: d, inode: this.c.mem.readU64(d + this.off('struct dentry', 'd_inode')) };
  }

  /** Link every dentry on its parent's d_subdirs list (d_child), as d_alloc does. */
  finish(): void {
    const child = this.off('struct dentry', 'd_child');
    const subdirs = this.off('struct dentry', 'd_subdirs');
    for (const d of this.all) {
      this.c.mem.writeU64(d + child, d + child);
      this.c.mem.writeU64(d + child + 8n, d + child);
    }
    for (const d of this.all) {
      const head = d + subdirs;
      const nodes = (this.children.get(d) ?? []).map((x) => x + child);
      const ring = [head, ...nodes];
      ring.forEach((n, i) => {
        this.c.mem.writeU64(n, ring[(i + 1) % ring.length]);
        this.c.mem.writeU64(n + 8n, ring[(i - 1 + ring.length) % ring.length]);
      });
    }
  }
}
