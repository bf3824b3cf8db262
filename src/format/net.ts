import type { NetArpResult, NetDevicesResult, NetSocketsResult } from '../commands/fs-results.js';
import type { SockInfo } from '../kernel/helpers/net.js';
import { mkstring, hex } from './mkstring.js';

/** `net` (net.c show_net_devices_v3): CENTER|LJUST("NET_DEVICE",16), then `%-10s ` names and addresses. */
export function formatNetDevices(r: NetDevicesResult): string {
  let s = mkstring('NET_DEVICE', 16, 'center-ljust') + '  NAME       IP ADDRESS(ES)\n';
  for (const d of r.devices) s += `${mkstring(hex(d.addr), 16, 'center-rjust')}  ${d.name.padEnd(10)} ${d.addresses.join(', ')}\n`;
  return s;
}

// include/linux/socket.h address families crash names (net.c get_sock_info)
const FAMILIES: Record<number, string> = {
  0: 'UNSPEC', 1: 'UNIX', 2: 'INET', 3: 'AX25', 4: 'IPX', 5: 'APPLETALK', 6: 'NETROM', 7: 'BRIDGE', 8: 'ATMPVC', 9: 'X25',
  10: 'INET6', 11: 'ROSE', 12: 'DECnet', 13: 'NETBEUI', 14: 'SECURITY/KEY', 16: 'NETLINK/ROUTE', 17: 'PACKET', 18: 'ASH',
  19: 'ECONET', 20: 'ATMSVC', 22: 'SNA', 23: 'IRDA', 24: 'PPPOX',
};
const TYPES: Record<number, string> = { 1: 'STREAM', 2: 'DGRAM ', 3: 'RAW', 4: 'RDM', 5: 'SEQPACKET', 10: 'PACKET' };

/** FAMILY:TYPE and, for inet sockets, ` saddr-sport daddr-dport` (64-bit layout). */
export function sockText(i: SockInfo): string {
  let s = `${FAMILIES[i.family] ?? i.family}:${TYPES[i.type] ?? i.type} `;
  if (i.inet) s += ` ${i.inet.saddr}-${i.inet.sport} ${i.inet.daddr}-${i.inet.dport}`;
  if (typeof i.inet6 === 'string') s += i.inet6;
  else if (i.inet6) s += `${i.inet6.src.padStart(12)} ${mkstring(i.inet6.dst, i.inet6.src.length, 'center')}`;
  return s;
}

export const SOCKET_HEADER = 'FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT';

/** `net -s` (sym_socket_dump s_FLAG): `%2d %16lx %16lx ` then the socket text; or "No open sockets." */
export function formatNetSockets(r: NetSocketsResult): string {
  if (!r.rows.length) return 'No open sockets.\n';
  let s = SOCKET_HEADER + '\n';
  for (const x of r.rows) s += `${String(x.fd).padStart(2)} ${hex(x.socket).padStart(16)} ${hex(x.sock).padStart(16)} ${sockText(x.info)}\n`;
  return s;
}

// include/uapi/linux/if_arp.h
const ARPHRD: Record<number, string> = { 0: 'NETROM', 1: 'ETHER', 2: 'EETHER', 3: 'AX25', 4: 'PRONET', 5: 'CHAOS', 6: 'IEEE802', 7: 'ARCNET', 8: 'APPLETLK', 15: 'DLCI', 23: 'METRICOM' };
const NUD = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT'];
const x2 = (b: number) => b.toString(16).padStart(2, '0');

/** `net -a` (dump_arp, print_neighbour_q): the header only when a bucket holds a neighbour. */
export function formatNetArp(r: NetArpResult): string {
  if (!r.neighbours.length) return '';
  let s = 'NEIGHBOUR        IP ADDRESS      HW TYPE    HW ADDRESS         DEVICE  STATE\n';
  for (const n of r.neighbours) {
    const hw = [...n.hw].map((b, i) => x2(b) + (n.devType === 1 ? (i === n.hw.length - 1 ? ' ' : ':') : ' ')).join('');
    const flags = NUD.filter((_, i) => n.state & (1 << i)).join('|');
    s += `${hex(n.addr).padEnd(16)} ${n.ip.padEnd(16)}${(ARPHRD[n.devType] ?? 'UNKNOWN').padEnd(10)} ${hw} ${n.dev.padEnd(6)}  ${flags}${n.state === 0 || flags ? '\n' : ''}`;
  }
  return s;
}
