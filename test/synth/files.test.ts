/**
 * The scenario builder's open files, sockets and page caches (infra-files/-vfs/-pagecache), read
 * back through the general `net` and `files` code: tgtd's socket on the 3.10 usercopy scenario, a
 * 3.10 radix-tree page cache and 5.4 xarray page caches of several heights added to the bundled
 * scenarios, and the page digests of `files -p -M` against the bytes the builder wrote.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildScenarioDump } from '../../src/synth/build.js';
import { loadScenario } from '../../src/synth/scenario.js';
import { parseFiles } from '../../src/synth/infra-files.js';
import { pageFill } from '../../src/synth/infra-pagecache.js';
import { dumpsDir } from '../../src/synth/bundled.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { mappingPages } from '../../src/kernel/helpers/fs.js';
import { sockInfo, taskSockets } from '../../src/kernel/helpers/net.js';

const dir = (n: string) => join(dumpsDir(), n);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe('usercopy-kmalloc512: tgtd fd 66, a loopback TCP socket (3.10)', () => {
  const session = new Session(kernelFromDump(buildScenarioDump(dir('usercopy-kmalloc512'))), { dumpPath: 'x', silent: true });
  const run = (l: string) => session.runLine(l).text;
  const HEADER = 'PID: 28054    TASK: ffff9cb12e1e0000  CPU: 9    COMMAND: "tgtd"';

  it('net -s: socket_alloc, the inet_sock, and the address pairs in network order', () => {
    expect(run('net -s')).toBe(
      [
        HEADER,
        'FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT',
        '66 ffff9cc11d941e00 ffff9cc1242a8000 INET:STREAM  127.0.0.1-3260 127.0.0.1-41654',
        '',
      ].join('\n'),
    );
    expect(run('net -s 1')).toBe('PID: 1        TASK: ffff9ca27fc58000  CPU: 4    COMMAND: "systemd"\nNo open sockets.\n');
    const k = session.kernel;
    const [s] = taskSockets(k, 0xffff9cb12e1e0000n)!;
    expect(sockInfo(k, s.sock)).toEqual({ family: 2, type: 1, inet: { saddr: '127.0.0.1', sport: 3260, daddr: '127.0.0.1', dport: 41654 } });
  });

  it('files: ROOT/CWD, the /dev/null fds, the socket on sockfs named after its protocol', () => {
    const out = run('files').split('\n');
    expect(out.slice(0, 3)).toEqual([HEADER, 'ROOT: /    CWD: /', ' FD       FILE            DENTRY           INODE       TYPE PATH']);
    expect(out.slice(3, 6).map((l) => l.replace(/ [0-9a-f]{16}/g, ' X'))).toEqual(Array(3).fill('').map((_, i) => `  ${i} X X X CHR  /dev/null`));
    expect(out[6]).toMatch(/^ 66 [0-9a-f]{16} [0-9a-f]{16} ffff9cc11d941e\w\w SOCK TCP$/);
    // a pid argument: crash prints a blank line after the task's table; a task address does not
    expect(run('files 28054').endsWith('TCP\n\n')).toBe(true);
    expect(run('files ffff9cb12e1e0000').endsWith('TCP\n')).toBe(true);
    expect(run('net -S').split('\n').slice(1, 5)).toEqual(['FD       SOCKET             SOCK      ', '66  ffff9cc11d941e00  ffff9cc1242a8000', '', 'struct socket {']);
  });
});

/** A bundled scenario with extra files declared (its own `files:` section replaced). */
function withFiles(name: string, files: unknown): Session {
  const s = loadScenario(dir(name));
  s.files = parseFiles(files);
  return new Session(kernelFromDump(buildScenarioDump(s)), { dumpPath: 'x', silent: true });
}

describe('page caches the builder lays out', () => {
  it('3.10: a radix tree with the height in its root (indexes 0-2, 70-71, 5000)', () => {
    const session = withFiles('usercopy-kmalloc512', {
      heap: 'ffff9cc11e000000',
      inodes: [
        {
          path: '/var/lib/tgtd/lun0',
          inode: 'ffff9cc11e800000',
          size: 5001 * 4096,
          page_cache: [
            { index: 0, pfn: '0x1000000', count: 3, fill: 'lun0' },
            { index: 70, pfn: '0x1000100', count: 2, fill: 'lun0' },
            { index: 5000, pfn: '0x1000200', count: 1, fill: 'lun0' },
          ],
        },
      ],
    });
    const k = session.kernel;
    const mapping = 0xffff9cc11e800000n + BigInt(k.offsetOf('struct inode', 'i_data'));
    expect([...mappingPages(k, mapping)].map((e) => Number(e.index))).toEqual([0, 1, 2, 70, 71, 5000]);
    const out = session.runLine('files -p ffff9cc11e800000').text.split('\n');
    expect(out.slice(0, 4)).toEqual(['     INODE        NRPAGES', 'ffff9cc11e800000        6', '', '      PAGE         PHYSICAL      MAPPING       INDEX CNT FLAGS']);
    // the page of pfn 0x1000000 at vmemmap_base + pfn * 64, flags uptodate|lru by the 3.10 enum
    expect(out[4]).toBe(`fffff59780000000 1000000000 ${mapping.toString(16)}        0  1 28 uptodate,lru`);
    expect(out.slice(4, 10).map((l) => l.split(/\s+/)[3])).toEqual(['0', '1', '2', '46', '47', '1388']);
    const sums = session.runLine('files -p ffff9cc11e800000 -M md5').text.split('\n');
    const row = sums.find((l) => /^\s+1388 /.test(l))!;
    expect(row.split(/\s+/).pop()).toBe(md5(pageFill('lun0', 5000n)));
    expect(sums.at(-2)).toBe("FILE MD5: none (6 of the file's 5001 pages are cached)");
  });

  it('5.4: xarrays of one entry (xa_head is the page) and of four levels, and a whole-file digest', () => {
    const size = 3 * 4096 - 100;
    const session = withFiles('pagecache-corruption-arm64', {
      heap: 'ffff0001d5000000',
      inodes: [
        { path: '/etc/one', inode: 'ffff0001d5400000', size: 10, page_cache: { index: 0, pfn: '0x100000', count: 1, fill: 'one' } },
        {
          path: '/var/big',
          inode: 'ffff0001d5400400',
          size: 300001 * 4096,
          page_cache: [
            { index: 0, pfn: '0x100010', count: 3, fill: 'big' },
            { index: 4100, pfn: '0x100020', count: 2, fill: 'big' },
            { index: 300000, pfn: '0x100030', count: 1, fill: 'big' },
          ],
        },
        { path: '/etc/whole', inode: 'ffff0001d5400800', size, page_cache: { index: 0, pfn: '0x100040', count: 3, fill: 'whole' } },
      ],
    });
    const k = session.kernel;
    const off = BigInt(k.offsetOf('struct inode', 'i_data'));
    const one = 0xffff0001d5400000n + off;
    expect(k.readPtr(one + BigInt(k.offsetOf('struct address_space', 'i_pages.xa_head'))) & 3n).toBe(0n);
    expect([...mappingPages(k, one)].map((e) => e.index)).toEqual([0n]);
    expect([...mappingPages(k, 0xffff0001d5400400n + off)].map((e) => Number(e.index))).toEqual([0, 1, 2, 4100, 4101, 300000]);
    expect(session.runLine('files -p ffff0001d5400400').text.split('\n')[1]).toBe('ffff0001d5400400        6');
    const whole = Buffer.concat([0n, 1n, 2n].map((i) => pageFill('whole', i, size - Number(i) * 4096))).subarray(0, size);
    const sums = session.runLine('files -p ffff0001d5400800 -M md5').text.split('\n');
    expect(sums.at(-2)).toBe(`FILE MD5: ${md5(whole)}  (3 pages, ${size} bytes)`);
    // the last page is zero past i_size, as the kernel leaves it
    expect(sums[6].split(/\s+/).pop()).toBe(md5(pageFill('whole', 2n, size - 2 * 4096)));
    expect(session.runLine('files -n ffff0001d5400800').text).toBe('     INODE        NRPAGES\nffff0001d5400800        3\n\n     NODE           PAGES\n      0                 3\n');
  });
});
