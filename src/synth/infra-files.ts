import { CrashError } from '../util/errors.js';
import { writeObject, type BuildContext } from './infra.js';
import { num } from './scenario.js';
import { Vfs } from './infra-vfs.js';
import { buildPageCache, parsePageRanges, type PageRange } from './infra-pagecache.js';

/**
 * Open files, sockets and page caches of a scenario (its `files:` section):
 *
 *   files:
 *     heap: ffff9cc11d900000          # direct-map range for the objects the scenario does not place
 *     mounts: [{ path: /, devname: /dev/sda1 }, { path: /mnt/flash, devname: ubi0:flash }]
 *     inodes:                          # files with a known inode, and their page cache
 *       - { path: /mnt/flash/ipe, inode: ffff.., size: 4956160, page_cache: { index: 1152, pfn: 0x222774, count: 58, flags: 0x34, fill: seed } }
 *     tasks:
 *       - pid: 28054
 *         cwd: /
 *         fds:
 *           - { fd: 0, path: /dev/null, type: chr }
 *           - { fd: 66, socket: { at: ffff.., sock: ffff.., family: INET, type: STREAM, local: 127.0.0.1:3260, remote: 127.0.0.1:41654 } }
 *
 * laid out as the kernel does: task->files (files_struct; its embedded fdtable and fd_array for
 * fds below 64, else an expanded fdtable of a power-of-two multiple of 128 fds, as alloc_fdtable
 * sizes it), task->fs (root/pwd paths), struct file (f_path, f_inode), sockets in a
 * socket_alloc {socket, vfs_inode} on sockfs with a dentry named after the protocol
 * (sock_alloc_file: sk_prot_creator->name), and the inet_sock's addresses in network order.
 */

export interface ScenarioSocket {
  at: bigint;
  sock: bigint;
  family: number;
  type: number;
  /** TCP_ESTABLISHED etc. (skc_state) */
  state: number;
  local?: [number, number];
  remote?: [number, number];
}
export interface ScenarioFd {
  fd: number;
  path?: string;
  type: string;
  socket?: ScenarioSocket;
}
export interface ScenarioFiles {
  heap: bigint;
  mounts: { path: string; devname: string }[];
  inodes: { path: string; inode: bigint; type: string; size: bigint; pageCache: PageRange[] }[];
  tasks: { pid: number; root: string; cwd: string; fds: ScenarioFd[] }[];
}

const FAMILIES: Record<string, number> = { UNIX: 1, INET: 2, INET6: 10, NETLINK: 16, PACKET: 17 };
const TYPES: Record<string, number> = { STREAM: 1, DGRAM: 2, RAW: 3, RDM: 4, SEQPACKET: 5, PACKET: 10 };

function endpoint(v: unknown, what: string): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+):(\d+)$/.exec(String(v));
  if (!m) throw new CrashError(`scenario: ${what} ${JSON.stringify(v)}: want a.b.c.d:port`);
  return [((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0, +m[5]];
}

const named = (v: unknown, table: Record<string, number>, what: string) =>
  typeof v === 'string' && table[v.toUpperCase()] !== undefined ? table[v.toUpperCase()] : Number(num(v, what));

export function parseFiles(y: any): ScenarioFiles | undefined {
  if (!y) return undefined;
  return {
    heap: num(y.heap, 'files.heap'),
    mounts: (y.mounts ?? []).map((m: any) => ({ path: String(m.path), devname: String(m.devname ?? 'none') })),
    inodes: (y.inodes ?? []).map((i: any) => ({
      path: String(i.path),
      inode: num(i.inode, 'files.inodes inode'),
      type: String(i.type ?? 'reg'),
      size: num(i.size ?? 0, 'files.inodes size'),
      pageCache: parsePageRanges(i.page_cache, `${i.path} page_cache`),
    })),
    tasks: (y.tasks ?? []).map((t: any) => ({
      pid: Number(t.pid),
      root: String(t.root ?? '/'),
      cwd: String(t.cwd ?? '/'),
      fds: (t.fds ?? []).map((f: any) => ({
        fd: Number(f.fd),
        path: f.path === undefined ? undefined : String(f.path),
        type: String(f.type ?? 'reg'),
        socket: f.socket
          ? {
              at: num(f.socket.at, 'socket at'),
              sock: num(f.socket.sock, 'socket sock'),
              family: named(f.socket.family ?? 'INET', FAMILIES, 'socket family'),
              type: named(f.socket.type ?? 'STREAM', TYPES, 'socket type'),
              state: Number(f.socket.state ?? 1),
              local: endpoint(f.socket.local, 'socket local'),
              remote: endpoint(f.socket.remote, 'socket remote'),
            }
          : undefined,
      })),
    })),
  };
}

export function buildFiles(c: BuildContext, f: ScenarioFiles): void {
  const vfs = new Vfs(c, f.heap);
  if (f.mounts.length && f.mounts[0].path !== '/') throw new CrashError(`scenario ${c.s.name}: files.mounts must start with the root mount (path: /)`);
  for (const m of f.mounts) vfs.mount(m.path, m.devname);
  vfs.mountOf('/');
  for (const i of f.inodes) {
    vfs.lookup(i.path, i.type, i.inode, { i_size: i.size });
    if (i.pageCache.length) buildPageCache(c, vfs, i.inode, i.size, i.pageCache);
  }
  for (const t of f.tasks) {
    const task = c.s.tasks.find((x) => x.pid === t.pid);
    if (!task) throw new CrashError(`scenario ${c.s.name}: files for pid ${t.pid}, which is not a task`);
    const files = filesStruct(c, vfs, t.fds.map((fd) => ({ fd: fd.fd, file: openFile(c, vfs, fd) })));
    const fs = fsStruct(vfs, t.root, t.cwd);
    writeObject(c, task.task, 'struct task_struct', { files, fs });
  }
  vfs.finish();
}

/** files_struct with its fdtable: the embedded one for fds < NR_OPEN_DEFAULT (64), else expanded. */
function filesStruct(c: BuildContext, vfs: Vfs, fds: { fd: number; file: bigint }[]): bigint {
  const F = 'struct files_struct';
  const files = vfs.allocObject(F, { 'count.counter': 1 });
  const o = (m: string) => files + vfs.off(F, m);
  const max = fds.reduce((a, x) => Math.max(a, x.fd), -1);
  let fdt = o('fdtab');
  writeObject(c, fdt, 'struct fdtable', { max_fds: 64, fd: o('fd_array'), open_fds: o('open_fds_init'), close_on_exec: o('close_on_exec_init') });
  let fdArray = o('fd_array');
  let openFds = o('open_fds_init');
  if (max >= 64) {
    // alloc_fdtable(): nr rounded up to a power of two times 1024/sizeof(struct file *)
    let n = 128;
    while (n <= max) n *= 2;
    fdArray = vfs.alloc(n * 8);
    openFds = vfs.alloc(n / 8);
    fdt = vfs.allocObject('struct fdtable', { max_fds: n, fd: fdArray, open_fds: openFds, close_on_exec: vfs.alloc(n / 8) });
  }
  const bits = new Uint8Array(Math.max(8, Math.ceil((max + 1) / 64) * 8));
  for (const { fd, file } of fds) {
    c.mem.writeU64(fdArray + BigInt(fd * 8), file);
    bits[fd >> 3] |= 1 << (fd & 7);
  }
  c.mem.write(openFds, bits);
  let next = 0;
  while (fds.some((x) => x.fd === next)) next++;
  writeObject(c, files, F, { fdt, next_fd: next });
  return files;
}

function fsStruct(vfs: Vfs, root: string, cwd: string): bigint {
  const r = vfs.lookup(root, 'dir');
  const p = vfs.lookup(cwd, 'dir');
  return vfs.allocObject('struct fs_struct', {
    users: 1,
    'root.mnt': r.mount.vfsmount,
    'root.dentry': r.dentry,
    'pwd.mnt': p.mount.vfsmount,
    'pwd.dentry': p.dentry,
  });
}

/** A struct file for one fd: a path's dentry, or a socket on sockfs. */
function openFile(c: BuildContext, vfs: Vfs, fd: ScenarioFd): bigint {
  let mnt: bigint;
  let dentry: bigint;
  let inode: bigint;
  let priv = 0n;
  if (fd.socket) {
    const s = fd.socket;
    const sockfs = vfs.pseudoMount('sockfs');
    inode = vfs.inode('sock', sockfs.sb, {}, s.at + vfs.off('struct socket_alloc', 'vfs_inode'));
    const proto = s.family === 1 ? 'UNIX' : s.type === 1 ? 'TCP' : s.type === 2 ? 'UDP' : 'RAW';
    dentry = vfs.dentry(proto, 0n, inode, sockfs.sb);
    mnt = sockfs.vfsmount;
    priv = s.at;
    inetSock(c, s);
  } else {
    if (!fd.path) throw new CrashError(`scenario ${c.s.name}: fd ${fd.fd} needs a path or a socket`);
    const l = vfs.lookup(fd.path, fd.type);
    [mnt, dentry, inode] = [l.mount.vfsmount, l.dentry, l.inode];
  }
  const file = vfs.allocObject('struct file', {
    'f_path.mnt': mnt,
    'f_path.dentry': dentry,
    f_inode: inode,
    'f_count.counter': 1,
    f_mapping: inode + vfs.off('struct inode', 'i_data'),
    private_data: priv,
  });
  if (fd.socket) writeObject(c, fd.socket.at, 'struct socket', { state: 'SS_CONNECTED', type: fd.socket.type, file, sk: fd.socket.sock });
  return file;
}

const htons = (p: number) => ((p & 0xff) << 8) | (p >> 8);
const htonl = (a: number) => (((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24)) >>> 0;

/** The sock (an inet_sock for INET) of a socket: family, type, state, and addresses in network order. */
function inetSock(c: BuildContext, s: ScenarioSocket): void {
  const inet = c.hasType('struct inet_sock') && s.family === 2;
  const p = inet ? 'sk.' : '';
  const v: Record<string, unknown> = {
    [`${p}__sk_common.skc_family`]: s.family,
    [`${p}__sk_common.skc_state`]: s.state,
    [`${p}__sk_common.skc_refcnt.counter`]: 1,
    [`${p}sk_type`]: s.type,
    [`${p}sk_protocol`]: s.type === 1 ? 6 : s.type === 2 ? 17 : 0,
    [`${p}sk_socket`]: s.at,
  };
  if (s.local) Object.assign(v, { [`${p}__sk_common.skc_rcv_saddr`]: htonl(s.local[0]), [`${p}__sk_common.skc_num`]: s.local[1] });
  if (s.remote) Object.assign(v, { [`${p}__sk_common.skc_daddr`]: htonl(s.remote[0]), [`${p}__sk_common.skc_dport`]: htons(s.remote[1]) });
  if (inet && s.local) Object.assign(v, { inet_saddr: htonl(s.local[0]), inet_sport: htons(s.local[1]) });
  writeObject(c, s.sock, inet ? 'struct inet_sock' : 'struct sock', v);
}
