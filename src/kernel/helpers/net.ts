import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';
import { CrashError } from '../../util/errors.js';
import { dentryInode, fileDentry, inodeMode, isSocketMode, taskOpenFiles } from './fs.js';

/**
 * Network devices, sockets and the ARP cache as crash's net.c reads them: net->dev_base_head of
 * the task's (init's) network namespace, in_device ifa_list and inet6_dev addr_list; a socket
 * inode's struct socket (socket_alloc) and its sock/inet_sock addresses, probing the member names
 * each kernel era uses (inet_sock.daddr, inet_daddr, or sock_common.skc_daddr ...).
 */

const off = (k: Kernel, s: string, m: string) => BigInt(k.offsetOf(s, m));
const ptrAt = (k: Kernel, base: bigint, s: string, m: string) => k.readPtr(base + off(k, s, m), `${s.replace('struct ', '')} ${m}`);

/** An unsigned member value, bitfields included (3.10's sk_type is `unsigned int sk_type:16`). */
export function readMemberUint(k: Kernel, base: bigint, struct: string, path: string): bigint {
  const m = k.types.memberOf(struct, path);
  if (!m) throw new CrashError(`invalid structure member: ${struct}.${path}`);
  const size = m.bitSize ? Math.ceil(((m.bitOffset % 8) + m.bitSize) / 8) : k.types.sizeof(m.type);
  const b = k.readBytes(base + BigInt(Math.floor(m.bitOffset / 8)), size, `${struct.replace('struct ', '')} ${path}`);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return m.bitSize ? (v >> BigInt(m.bitOffset % 8)) & ((1n << BigInt(m.bitSize)) - 1n) : v;
}

/** The first of several member spellings this kernel has. */
function firstMember(k: Kernel, candidates: [string, string][]): [string, string] | undefined {
  return candidates.find(([s, m]) => k.hasMember(s, m));
}

export const inetNtoa = (be32: number): string => [be32 & 0xff, (be32 >>> 8) & 0xff, (be32 >>> 16) & 0xff, be32 >>> 24].join('.');
const ntohs = (v: number) => ((v & 0xff) << 8) | (v >> 8);

/** glibc inet_ntop(AF_INET6): the longest run (2+) of zero groups as "::", IPv4 tails dotted. */
export function inet6Ntop(b: Uint8Array): string {
  const w = [...Array(8).keys()].map((i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = { base: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (w[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && !w[j]) j++;
    if (j - i > best.len) best = { base: i, len: j - i };
    i = j;
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) s += ':';
      continue;
    }
    if (i) s += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && w[5] === 0xffff))) {
      s += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    s += w[i].toString(16);
  }
  if (best.base >= 0 && best.base + best.len === 8) s += ':';
  return s;
}

// ---- devices ---------------------------------------------------------------------------------

export interface NetDevice {
  addr: bigint;
  name: string;
  addresses: string[];
}

/** The network namespace of a task (task->nsproxy->net_ns), else init_net. */
function netNamespace(k: Kernel, task: bigint): bigint {
  if (k.hasMember('struct task_struct', 'nsproxy') && k.hasMember('struct nsproxy', 'net_ns')) {
    const ns = ptrAt(k, task, 'struct task_struct', 'nsproxy');
    if (ns) return ptrAt(k, ns, 'struct nsproxy', 'net_ns');
  }
  return k.symbolAddress('init_net');
}

const devName = (k: Kernel, dev: bigint) => k.readCString(dev + off(k, 'struct net_device', 'name'), 16, 'net_device name');

function devAddresses(k: Kernel, dev: bigint): string[] {
  const out: string[] = [];
  const D = 'struct net_device';
  const inDev = ptrAt(k, dev, D, 'ip_ptr');
  if (inDev) {
    let ifa = ptrAt(k, inDev, 'struct in_device', 'ifa_list');
    for (let n = 0; ifa && n < 4096; n++) {
      out.push(inetNtoa(k.readU32(ifa + off(k, 'struct in_ifaddr', 'ifa_address'), 'ifa_address')));
      ifa = ptrAt(k, ifa, 'struct in_ifaddr', 'ifa_next');
    }
  }
  const in6 = k.hasMember(D, 'ip6_ptr') ? ptrAt(k, dev, D, 'ip6_ptr') : 0n;
  // inet6_ifaddr.if_list is a list_head since 2.6.35 (502a2ffd7376)
  if (in6 && k.hasMember('struct inet6_ifaddr', 'if_list')) {
    const ifList = off(k, 'struct inet6_ifaddr', 'if_list');
    for (const node of listForEach(k, in6 + off(k, 'struct inet6_dev', 'addr_list'), 'inet6_dev addr_list')) {
      out.push(inet6Ntop(k.readBytes(node - ifList + off(k, 'struct inet6_ifaddr', 'addr'), 16, 'in6_addr')));
    }
  }
  return out;
}

/** show_net_devices(): net_device list of the namespace (dev_base_head since 2.6.24, dev_base before). */
export function netDevices(k: Kernel, task: bigint): NetDevice[] {
  const D = 'struct net_device';
  if (!k.hasMember(D, 'name')) throw new CrashError('net subsystem not initialized!');
  const devs: bigint[] = [];
  if (k.hasSymbol('dev_base_head') || k.hasMember('struct net', 'dev_base_head')) {
    const head = k.hasSymbol('dev_base_head') ? k.symbolAddress('dev_base_head') : netNamespace(k, task) + off(k, 'struct net', 'dev_base_head');
    const lo = off(k, D, 'dev_list');
    for (const node of listForEach(k, head, 'net_device dev_list')) devs.push(node - lo);
  } else {
    let dev = k.readPtr(k.symbolAddress('dev_base'), 'dev_base');
    for (let n = 0; dev && n < 65536; n++, dev = ptrAt(k, dev, D, 'next')) devs.push(dev);
  }
  return devs.map((addr) => ({ addr, name: devName(k, addr), addresses: devAddresses(k, addr) }));
}

// ---- sockets ---------------------------------------------------------------------------------

export interface SockInfo {
  family: number;
  type: number;
  /** AF_INET: dotted quads and host-order ports */
  inet?: { saddr: string; sport: number; daddr: string; dport: number };
  /** AF_INET6: crash's "x:x:x:x:x:x:x:x-port" forms, or an error text */
  inet6?: { src: string; dst: string } | string;
}

export interface TaskSocket {
  fd: number;
  socket: bigint;
  sock: bigint;
}

/** The sockets among a task's open files (dump_sockets_workhorse + sym_socket_dump). */
export function taskSockets(k: Kernel, task: bigint): TaskSocket[] | undefined {
  const fds = taskOpenFiles(k, task);
  if (!fds) return undefined;
  const out: TaskSocket[] = [];
  const vfsInode = off(k, 'struct socket_alloc', 'vfs_inode');
  for (const { fd, file } of fds) {
    const { dentry } = fileDentry(k, file);
    if (!dentry) continue;
    const inode = dentryInode(k, dentry);
    if (!inode || !isSocketMode(inodeMode(k, inode))) continue;
    const socket = inode - vfsInode;
    out.push({ fd, socket, sock: ptrAt(k, socket, 'struct socket', 'sk') });
  }
  return out;
}

const AF_INET = 2;
const AF_INET6 = 10;

/** get_sock_info(): family, type and, for inet sockets, the address/port pairs. */
export function sockInfo(k: Kernel, sock: bigint): SockInfo {
  const S = 'struct sock';
  const family = Number(readMemberUint(k, sock, S, '__sk_common.skc_family'));
  const type = Number(readMemberUint(k, sock, S, 'sk_type'));
  const info: SockInfo = { family, type };
  const I = 'struct inet_sock';
  const pick = (names: [string, string][]) => {
    const m = firstMember(k, names);
    if (!m) return 0;
    const base = m[0] === 'struct sock_common' ? sock + off(k, S, '__sk_common') : sock;
    return Number(readMemberUint(k, base, m[0], m[1]));
  };
  const C = 'struct sock_common';
  const daddr = pick([[I, 'daddr'], [I, 'inet_daddr'], [C, 'skc_daddr']]);
  const saddr = pick([[I, 'rcv_saddr'], [I, 'inet_rcv_saddr'], [C, 'skc_rcv_saddr']]);
  const dport = pick([[I, 'dport'], [I, 'inet_dport'], [C, 'skc_dport']]);
  const sport = pick([[I, 'sport'], [I, 'inet_sport']]);
  if (family === AF_INET) info.inet = { saddr: inetNtoa(saddr), sport: ntohs(sport), daddr: inetNtoa(daddr), dport: ntohs(dport) };
  if (family === AF_INET6) {
    let src: bigint | undefined;
    let dst: bigint | undefined;
    if (k.hasMember('struct ipv6_pinfo', 'rcv_saddr') && k.hasMember('struct ipv6_pinfo', 'daddr')) {
      const pinfo = ptrAt(k, sock, I, 'pinet6');
      src = pinfo + off(k, 'struct ipv6_pinfo', 'rcv_saddr');
      dst = pinfo + off(k, 'struct ipv6_pinfo', 'daddr');
    } else if (k.hasMember(C, 'skc_v6_daddr') && k.hasMember(C, 'skc_v6_rcv_saddr')) {
      src = sock + off(k, S, '__sk_common.skc_v6_rcv_saddr');
      dst = sock + off(k, S, '__sk_common.skc_v6_daddr');
    }
    if (src === undefined || dst === undefined) info.inet6 = '(cannot get IPv6 addresses)';
    else {
      try {
        const form = (a: bigint, port: number) => {
          const b = k.readBytes(a, 16, 'in6_addr');
          return [...Array(8).keys()].map((i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16)).join(':') + `-${ntohs(port)}`;
        };
        info.inet6 = { src: form(src, sport), dst: form(dst, dport) };
      } catch {
        /* crash stops quietly when the addresses are unreadable */
      }
    }
  }
  return info;
}

// ---- ARP cache -------------------------------------------------------------------------------

export interface Neighbour {
  addr: bigint;
  ip: string;
  devType: number;
  hw: Uint8Array;
  dev: string;
  state: number;
}

/** dump_arp(): the neighbours of arp_tbl's hash table (neigh_hash_table since 2.6.37). */
export function arpTable(k: Kernel): Neighbour[] | undefined {
  const T = 'struct neigh_table';
  const H = 'struct neigh_hash_table';
  const N = 'struct neighbour';
  if (!k.hasSymbol('arp_tbl') || !k.hasMember(T, 'nht')) return undefined;
  const tbl = k.symbolAddress('arp_tbl');
  const nht = ptrAt(k, tbl, T, 'nht');
  const n = k.hasMember(H, 'hash_mask') ? k.readU32(nht + off(k, H, 'hash_mask'), 'hash_mask') + 1 : 1 << k.readU32(nht + off(k, H, 'hash_shift'), 'hash_shift');
  // 6.13 made the buckets hlists (hash_heads, neighbour.hash)
  const hl = k.hasMember(H, 'hash_heads');
  const buckets = ptrAt(k, nht, H, hl ? 'hash_heads' : 'hash_buckets');
  const keyLen = k.readU32(tbl + off(k, T, 'key_len'), 'key_len');
  const haLen = k.types.memberOf(N, 'ha') ? k.types.sizeof(k.types.memberOf(N, 'ha')!.type) : 32;
  const out: Neighbour[] = [];
  for (let i = 0; i < Math.min(n, 1 << 20); i++) {
    let nb = k.readPtr(buckets + BigInt(8 * i), 'hash bucket');
    if (nb && hl) nb -= off(k, N, 'hash');
    for (let c = 0; nb && c < 65536; c++) {
      const dev = ptrAt(k, nb, N, 'dev');
      const addrLen = Number(readMemberUint(k, dev, 'struct net_device', 'addr_len'));
      out.push({
        addr: nb,
        ip: keyLen >= 4 ? inetNtoa(k.readU32(nb + off(k, N, 'primary_key'), 'primary_key')) : '',
        devType: Number(readMemberUint(k, dev, 'struct net_device', 'type')),
        hw: k.readBytes(nb + off(k, N, 'ha'), Math.min(addrLen, haLen), 'neighbour ha'),
        dev: devName(k, dev),
        state: k.readU8(nb + off(k, N, 'nud_state'), 'nud_state'),
      });
      if (hl) {
        const next = ptrAt(k, nb, N, 'hash');
        nb = next ? next - off(k, N, 'hash') : 0n;
      } else nb = ptrAt(k, nb, N, 'next');
    }
  }
  return out;
}
