/**
 * `net` and `files` on the real Debian 6.1 reference dump. Its init (../shared/refdumps/tools/
 * mkinitramfs.sh) brought lo up, wrote /tmp/blob (64 pages of /dev/urandom on tmpfs) and its md5sum
 * to /tmp/blob.md5, and started `nc` twice; busybox-static has no nc applet there, so no task holds
 * a socket: the subshell that piped `sleep 1000` into nc (pid 102) is left with sleep 104 writing
 * into a pipe. The page digests are checked against the pages read here, and the whole-file digest
 * against what md5sum wrote into the dump.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { rs, skipReason } from '../support/ref-session.js';
import { listForEachEntry } from '../../src/kernel/helpers/list.js';
import { pageToPfn } from '../../src/kernel/helpers/mm-page.js';
import { mappingPages } from '../../src/kernel/helpers/fs.js';
import type { Kernel } from '../../src/kernel/kernel.js';

const skip = skipReason('files/net on the reference dump');
const INIT = 'PID: 1        TASK: ffff8b3e81210000  CPU: 1    COMMAND: "init"';

/** The inode of a file in the tmpfs mounted on /tmp, found by walking init's mount namespace and the dcache. */
function tmpInode(k: Kernel, name: string): bigint {
  const o = (s: string, m: string) => BigInt(k.offsetOf(s, m));
  const fs = k.readPtr(0xffff8b3e81210000n + o('struct task_struct', 'fs'));
  const mount = k.readPtr(fs + o('struct fs_struct', 'root.mnt')) - o('struct mount', 'mnt');
  const ns = k.readPtr(mount + o('struct mount', 'mnt_ns'));
  for (const m of listForEachEntry(k, ns + o('struct mnt_namespace', 'list'), 'struct mount', 'mnt_list')) {
    if (k.readCString(k.readPtr(m + o('struct mount', 'mnt_devname'))) !== 'tmp') continue;
    const root = k.readPtr(m + o('struct mount', 'mnt.mnt_root'));
    for (const d of listForEachEntry(k, root + o('struct dentry', 'd_subdirs'), 'struct dentry', 'd_child')) {
      if (k.readCString(k.readPtr(d + o('struct dentry', 'd_name.name'))) === name) return k.readPtr(d + o('struct dentry', 'd_inode'));
    }
  }
  throw new Error(`/tmp/${name} not found`);
}

describe.skipIf(!!skip)('net and files on the reference dump', () => {
  it('net: lo with its IPv4 and IPv6 addresses', () => {
    expect(rs().run('net')).toBe('   NET_DEVICE     NAME       IP ADDRESS(ES)\nffff8b3e8184c000  lo         127.0.0.1, ::1\n');
    expect(rs().run('net -N 16777343')).toBe('127.0.0.1\n');
  });

  it('net -s: no task of this dump holds a socket', () => {
    const out = rs().run('net -s 1 94 95 102 104 106');
    expect(out.match(/No open sockets\.\n/g)?.length).toBe(6);
    expect(out.startsWith(`${INIT}\nNo open sockets.\n\nPID: 94 `)).toBe(true);
    expect(rs().run('net -s')).toBe(`${INIT}\nNo open sockets.\n`);
  });

  it('files: init\'s console, the sysrq-trigger it writes, its script', () => {
    const table = [
      'ROOT: /    CWD: /',
      ' FD       FILE            DENTRY           INODE       TYPE PATH',
      '  0 ffff8b3e81b20200 ffff8b3e81412180 ffff8b3e811ed2f0 CHR  /dev/console',
      '  1 ffff8b3e824afd00 ffff8b3e820b2780 ffff8b3e81493d78 REG  /proc/sysrq-trigger',
      '  2 ffff8b3e81b20200 ffff8b3e81412180 ffff8b3e811ed2f0 CHR  /dev/console',
      ' 10 ffff8b3e81b20d00 ffff8b3e814120c0 ffff8b3e811ee240 REG  /init',
      ' 11 ffff8b3e81b20200 ffff8b3e81412180 ffff8b3e811ed2f0 CHR  /dev/console',
    ];
    expect(rs().run('files')).toBe([INIT, ...table, ''].join('\n'));
    // a pid argument: a blank line after each of its tasks (cmd_files STR_PID)
    expect(rs().run('files 1')).toBe([INIT, ...table, '', ''].join('\n'));
    // the fd array holds what the FILE column says, and f_path.dentry what DENTRY says
    const k = rs().kernel;
    const files = k.readPtr(0xffff8b3e81210000n + BigInt(k.offsetOf('struct task_struct', 'files')));
    const fdt = k.readPtr(files + BigInt(k.offsetOf('struct files_struct', 'fdt')));
    const fd = k.readPtr(fdt + BigInt(k.offsetOf('struct fdtable', 'fd')));
    expect(k.readPtr(fd + 8n)).toBe(0xffff8b3e824afd00n);
    expect(k.readPtr(0xffff8b3e824afd00n + BigInt(k.offsetOf('struct file', 'f_path.dentry')))).toBe(0xffff8b3e820b2780n);
    // sleep 104 writes into the pipe nc never read: a FIFO on pipefs, no path
    expect(rs().run('files -c 104').split('\n')[4]).toBe('  1 ffff8b3e820e6c80 ffff8b3e820e6df8       0 FIFO ');
  });

  it('files -p: /tmp/blob has 64 pages cached, in index order, each pointing back at the mapping', () => {
    const k = rs().kernel;
    const inode = tmpInode(k, 'blob');
    const mapping = inode + BigInt(k.offsetOf('struct inode', 'i_data'));
    const out = rs().run(`files -p ${inode.toString(16)}`).split('\n');
    expect(out.slice(0, 4)).toEqual(['     INODE        NRPAGES', `${inode.toString(16)}       64`, '', '      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS']);
    const rows = out.slice(4, -1);
    expect(rows).toHaveLength(64);
    rows.forEach((r, i) => {
      const [page, , map, index] = r.split(/\s+/);
      expect([map, index]).toEqual([mapping.toString(16), i.toString(16)]);
      expect(k.readPtr(BigInt('0x' + page) + BigInt(k.offsetOf('struct page', 'mapping')))).toBe(mapping);
    });
  });

  it('files -p -M md5: each page\'s digest, and the file\'s, which md5sum wrote into /tmp/blob.md5', () => {
    const k = rs().kernel;
    const inode = tmpInode(k, 'blob');
    const out = rs().run(`files -p ${inode.toString(16)} -M md5`).split('\n');
    expect(out[3]).toBe('   INDEX      PFN       PAGE       PHYSICAL MD5');
    const pages = [...mappingPages(k, inode + BigInt(k.offsetOf('struct inode', 'i_data')))];
    pages.forEach((p, i) => {
      const pfn = pageToPfn(k, p.page)!;
      const digest = createHash('md5').update(k.mem.readPhys(pfn << 12n, 4096)).digest('hex');
      expect(out[4 + i].trim().split(/\s+/)).toEqual([i.toString(16), pfn.toString(16), p.page.toString(16), (pfn << 12n).toString(16), digest]);
    });
    // md5sum's line in /tmp/blob.md5's only page: "<md5>  /tmp/blob"
    const sumPage = [...mappingPages(k, tmpInode(k, 'blob.md5') + BigInt(k.offsetOf('struct inode', 'i_data')))][0].page;
    const line = Buffer.from(k.mem.readPhys(pageToPfn(k, sumPage)! << 12n, 44)).toString('latin1');
    expect(line).toMatch(/^[0-9a-f]{32} {2}\/tmp\/blob\n$/);
    expect(out.at(-2)).toBe(`FILE MD5: ${line.slice(0, 32)}  (64 pages, 262144 bytes)`);
  });

  it('files -n: the NUMA distribution of the cached pages', () => {
    const inode = tmpInode(rs().kernel, 'blob').toString(16);
    expect(rs().run(`files -n ${inode}`)).toBe(`     INODE        NRPAGES\n${inode}       64\n\n     NODE           PAGES\n      0                64\n`);
  });
});
