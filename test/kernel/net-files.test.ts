/**
 * The pieces of `net` and `files` that need no dump: address text as glibc's inet_ntoa/inet_ntop
 * print it, and crash's row layouts (net.c get_sock_info, print_neighbour_q; filesys.c file_dump)
 * for the cases the dumps at hand do not show: IPv6 and UNIX sockets, an ethernet neighbour, a
 * file without a dentry or an inode.
 */
import { describe, expect, it } from 'vitest';
import { inet6Ntop, inetNtoa } from '../../src/kernel/helpers/net.js';
import { formatNetArp, formatNetSockets, sockText } from '../../src/format/net.js';
import { formatFiles, formatFilesInode } from '../../src/format/files.js';

const v6 = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex'));

describe('address text', () => {
  it('inet_ntoa of a network-order word read little-endian', () => {
    expect(inetNtoa(0x0100007f)).toBe('127.0.0.1');
    expect(inetNtoa(0x0202000a)).toBe('10.0.2.2');
  });
  it('inet_ntop(AF_INET6): the longest zero run as ::, IPv4 tails dotted', () => {
    expect(inet6Ntop(v6('00000000000000000000000000000001'))).toBe('::1');
    expect(inet6Ntop(v6('00000000000000000000000000000000'))).toBe('::');
    expect(inet6Ntop(v6('fe80000000000000505400fffe123456'))).toBe('fe80::5054:ff:fe12:3456');
    expect(inet6Ntop(v6('20010db8000000000001000000000001'))).toBe('2001:db8::1:0:0:1');
    expect(inet6Ntop(v6('00000000000000000000ffff01020304'))).toBe('::ffff:1.2.3.4');
    expect(inet6Ntop(v6('20010db8000100020003000400050006'))).toBe('2001:db8:1:2:3:4:5:6');
    expect(inet6Ntop(v6('20010db8000000010000000000000000'))).toBe('2001:db8:0:1::');
  });
});

describe("crash's net and files rows", () => {
  it('socket rows: INET pairs after two blanks, INET6 "%12s " and a centred destination, DGRAM with its blank', () => {
    expect(sockText({ family: 2, type: 1, inet: { saddr: '10.0.2.15', sport: 22, daddr: '10.0.2.2', dport: 51234 } })).toBe('INET:STREAM  10.0.2.15-22 10.0.2.2-51234');
    expect(sockText({ family: 10, type: 1, inet6: { src: '0:0:0:0:0:0:0:1-22', dst: '0:0:0:0:0:0:0:1-51234' } })).toBe('INET6:STREAM 0:0:0:0:0:0:0:1-22 0:0:0:0:0:0:0:1-51234');
    expect(sockText({ family: 10, type: 1, inet6: { src: '0:0:0:0:0:0:0:1-51234', dst: '0:0:0:0:0:0:0:0-0' } })).toBe('INET6:STREAM 0:0:0:0:0:0:0:1-51234   0:0:0:0:0:0:0:0-0  ');
    expect(sockText({ family: 1, type: 2 })).toBe('UNIX:DGRAM  ');
    expect(sockText({ family: 40, type: 7 })).toBe('40:7 ');
    expect(formatNetSockets({ kind: 'net-sockets', rows: [{ fd: 4, socket: 0xffff888104e3b400n, sock: 0xffff888104f2c800n, info: { family: 1, type: 1 } }] })).toBe(
      'FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT\n 4 ffff888104e3b400 ffff888104f2c800 UNIX:STREAM \n',
    );
  });

  it('net -a: an ethernet neighbour, and nothing at all for an empty table', () => {
    const n = { addr: 0xffff888101234500n, ip: '10.0.2.2', devType: 1, hw: v6('525400123502'), dev: 'eth0', state: 2 };
    expect(formatNetArp({ kind: 'net-arp', neighbours: [n] })).toBe(
      'NEIGHBOUR        IP ADDRESS      HW TYPE    HW ADDRESS         DEVICE  STATE\nffff888101234500 10.0.2.2        ETHER      52:54:00:12:35:02  eth0    REACHABLE\n',
    );
    expect(formatNetArp({ kind: 'net-arp', neighbours: [] })).toBe('');
  });

  it('files: a file without a dentry or an inode prints zeros and ?s', () => {
    const rows = [
      { fd: 3, file: 0xffff888100000000n, dentry: 0n, inode: 0n, type: '?   ', path: '?' },
      { fd: 4, file: 0xffff888100000100n, dentry: 0xffff888100000200n, inode: 0n, type: '?   ', path: '?' },
    ];
    expect(formatFiles({ kind: 'files', nrpagesColumns: false, rows, blankAfter: false }).split('\n').slice(1, 3)).toEqual([
      '  3 ffff888100000000 0000000000000000        ?         ?    ?',
      '  4 ffff888100000100 ffff888100000200 0000000000000000 ?    ?',
    ]);
    expect(formatFiles({ kind: 'files', rootPwd: { root: '/', pwd: '/root' }, nrpagesColumns: true, rows: [], blankAfter: true })).toBe('ROOT: /    CWD: /root\nNo open files\n\n');
    // help files' 64-bit example (files -n)
    expect(formatFilesInode({ kind: 'files-inode', inode: 0xffff8898857c55a8n, nrpages: 51748n })).toBe('     INODE        NRPAGES\nffff8898857c55a8    51748\n\n');
  });
});
