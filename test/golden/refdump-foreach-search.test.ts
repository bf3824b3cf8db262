/**
 * foreach, search, sig, dev, swap, vm and log options on the Debian 6.1 reference dump, against
 * crash 8.0.2's outputs in crash-8.0.2-extra/ (manifest.tsv). Where crash 8.0.2 is wrong on this
 * dump the comparison is limited to what it got right, and the rest is checked against the dump:
 * - it knows 3 of the 61 tasks (it cannot walk the 6.1 PID xarray): foreach's output must begin
 *   with crash's 3 blocks, then go on with the other 58 tasks;
 * - its bt of swapper/0 has a bogus exception frame, its bt of the panic task 15 stale frames
 *   after do_syscall_64, and its swapper/1 frame #0 another stack slot: foreach bt is checked to
 *   be, task by task, exactly our `bt` of that task, and against crash on the frames both agree on;
 * - vm and search -u fail on the maple tree (mm_struct.mmap is gone): vm's header lines must match
 *   (MM, PGD, TOTAL_VM; its RSS of 64k leaves out MM_SHMEMPAGES, the busybox text on rootfs, and
 *   the per-task split counters: ours is the kernel's get_mm_rss() plus those), the VMAs are
 *   checked against the maple tree and the user page tables, search -u hits against user memory;
 * - crash's stderr ran into two outputs (51, 69): those interleaved error lines are removed.
 * Skips, with the reason, when ../shared or the decompressed ELF is absent.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rs, skipReason } from '../support/ref-session.js';
import { taskTable } from '../../src/kernel/helpers/task.js';
import { mmVmas } from '../../src/kernel/helpers/vma-walk.js';
import { findVma } from '../../src/kernel/helpers/vma.js';

const skip = skipReason('foreach/search/sig/dev/swap/vm goldens');
const DIR = join(import.meta.dirname, 'crash-8.0.2-extra');
const golden = (n: string) => {
  const f = readFileSync(join(DIR, 'manifest.tsv'), 'utf8').split('\n').find((l) => l.startsWith(n + '_'));
  return readFileSync(join(DIR, f!.split('\t')[0]), 'latin1');
};
const run = (c: string) => rs().run(c);
const INIT = 0xffff8b3e81210000n;
const MM = 0xffff8b3e81061f80n;

/** Split foreach output into task blocks keyed by the header line. */
function blocks(text: string): { header: string; body: string }[] {
  return text
    .split(/\n(?=PID: )/)
    .filter((b) => b.startsWith('PID: '))
    .map((b) => ({ header: b.slice(0, b.indexOf('\n')), body: b.slice(b.indexOf('\n') + 1) }));
}

describe.skipIf(!!skip)('crash 8.0.2 goldens: foreach, search, sig, dev, swap, vm, log', () => {
  it('exact: log -T -t -m -a, task -R comm,pid, sig, swap, dev', () => {
    expect(run('log -T')).toBe(golden('45'));
    expect(run('log -t')).toBe(golden('46'));
    expect(run('log -m')).toBe(golden('47'));
    expect(run('log -a')).toBe(golden('48'));
    expect(run('task -R comm,pid 1')).toBe(golden('58'));
    expect(run('sig 1')).toBe(golden('72'));
    expect(run('swap')).toBe(golden('52'));
    expect(run('dev')).toBe(golden('53'));
  });

  it('foreach task -R comm, files, net: crash\'s 3 tasks first, then the other 58', () => {
    const n = taskTable(rs().kernel).length;
    expect(n).toBe(61);
    for (const [g, cmd] of [['44', 'foreach task -R comm'], ['67', 'foreach files'], ['68', 'foreach net']]) {
      const ours = run(cmd);
      expect(ours.startsWith(golden(g)), cmd).toBe(true);
      expect(ours.match(/^PID: /gm)?.length, cmd).toBe(n);
    }
    expect(run('foreach net').startsWith('WARNING: net command requires -s or -S option\n\nPID: 0 ')).toBe(true);
    // each block is what the command prints for that task alone (less its own header)
    const files = blocks(run('foreach files'));
    expect(files[2].body.trimEnd()).toBe(run('files 1').split('\n').slice(1).join('\n').trimEnd());
  });

  it('foreach bt: each task\'s block is its bt; crash\'s frames where crash is right', () => {
    const ours = blocks(run('foreach bt'));
    expect(ours.length).toBe(61);
    for (const b of ours) {
      const task = /TASK: ([0-9a-f]+)/.exec(b.header)![1];
      expect(`${b.header}\n${b.body}`.replace(/\n*$/, '\n'), b.header).toBe(run(`bt ${task}`));
    }
    const crash = blocks(golden('43'));
    const frames = (body: string) => body.split('\n').filter((l) => /^ ?#\d+ /.test(l));
    const nameIp = (l: string) => l.replace(/\[[0-9a-f]+\] /, '');
    // swapper/1: the same frames; crash's #0 stack slot differs (a bt matter, not foreach's)
    expect(ours[1].header).toBe(crash[1].header);
    expect(frames(ours[1].body).map(nameIp)).toEqual(frames(crash[1].body).map(nameIp));
    expect(frames(ours[1].body).slice(1)).toEqual(frames(crash[1].body).slice(1));
    // init: frames #0..#7 and the user-mode registers; crash adds 15 stale frames in between
    expect(frames(ours[2].body).slice(0, 8)).toEqual(frames(crash[2].body).slice(0, 8));
    expect(ours[2].body.split('\n').slice(-8)).toEqual(crash[2].body.split('\n').slice(-8));
    // swapper/0: crash's bogus exception frame aside, the two frames before the IRQ stack switch
    expect(frames(ours[0].body).slice(1, 3)).toEqual(frames(crash[0].body).slice(1, 3));
  });

  it('foreach RU bt: the running tasks, crash\'s 3 (its interleaved search error removed)', () => {
    const text = golden('69').replace(/\nsearch: invalid structure member offset: mm_struct_mmap\n\s+FILE: memory\.c {2}LINE: \d+ {2}FUNCTION: address_space_start\(\)\n\n/, '');
    const ours = blocks(run('foreach RU bt'));
    expect(ours.map((b) => b.header)).toEqual(blocks(text).map((b) => b.header));
    const all = blocks(run('foreach bt'));
    for (const b of ours) expect(b.body).toBe(all.find((x) => x.header === b.header)!.body);
  });

  it('search -s/-l, -c, -p, -k -m: exact', () => {
    expect(run('search -s ffff8b3e81210000 -l 0x3000 ffff8b3e81210000')).toBe(golden('49'));
    expect(run('search -s ffff8b3e81210000 -l 0x3000 -c init')).toBe(golden('50'));
    expect(run('search -p -s 1210000 -l 0x4000 ffff8b3e81210000')).toBe(golden('71'));
    const k = golden('51').replace(/\nvm: invalid structure member offset: mm_struct_mmap\n\s+FILE: memory\.c {2}LINE: \d+ {2}FUNCTION: vm_area_dump\(\)\n\n/, '');
    expect(run('search -k -m ffff000000000000 ffff8b3e81210000')).toBe(k);
  }, 120_000);

  it('search -w/-h/-x/-t/-T/-K/-V on what -k found', () => {
    // the low 32 bits of init's task address, as 32-bit values, include every 64-bit hit
    const hits64 = run('search -s ffff8b3e81210000 -l 0x3000 ffff8b3e81210000').trim().split('\n');
    const w = run('search -s ffff8b3e81210000 -l 0x3000 -w 81210000');
    for (const h of hits64) expect(w).toContain(`${h.split(':')[0]}: 81210000 \n`);
    expect(run('search -s ffff8b3e81210000 -l 0x3000 -h 8121')).toContain('ffff8b3e812109b2: 8121 \n');
    // -x: the hit line between rd-style lines of context, then a blank line
    const x = run('search -s ffff8b3e81210000 -l 0x3000 -x 2 ffff8b3e81210000');
    expect(x).toMatch(/^ffff8b3e812109a0:  [0-9a-f]{16} [0-9a-f]{16}   .{16}\nffff8b3e812109b0:  ffff8b3e81210000 \nffff8b3e812109b8:  [0-9a-f]{16} [0-9a-f]{16}   .{16}\n\n$/);
    // a symbol value carries its name
    expect(run('search -s ffff8b3e81210000 -l 0x3000 init_task')).toMatch(/: ffffffff8d01aa40 \(init_task\)\n/);
    // -t: stacks of every task, a header before each task's hits
    const t = run('search -t ffff8b3e81210000');
    expect(t).toMatch(/^PID: /);
    const T = run('search -T ffff8b3e81210000');
    for (const b of blocks(T)) expect(t).toContain(b.header);
    // -K (direct map and image) and -V (the rest) together are -k
    const k = run('search -k ffff8b3e81210000').split('\n');
    const kv = new Set([...run('search -K ffff8b3e81210000').split('\n'), ...run('search -V ffff8b3e81210000').split('\n')]);
    expect(k.every((l) => kv.has(l))).toBe(true);
  }, 240_000);

  it('search -u: every hit is "init" in one of init\'s VMAs (crash 8.0.2 fails on the maple tree)', () => {
    const k = rs().kernel;
    const out = run('search -u -c init');
    const hits = out.trim().split('\n');
    expect(hits.length).toBeGreaterThan(10);
    const pgd = k.readPtr(MM + BigInt(k.offsetOf('struct mm_struct', 'pgd')));
    const root = k.mem.kvtop(pgd);
    for (const h of hits) {
      const [a, text] = h.split(': ');
      const addr = BigInt('0x' + a);
      expect(findVma(k, MM, addr), h).toBeDefined();
      expect(Buffer.from(k.mem.readUv(addr, 4, root)).toString('latin1')).toBe('init');
      expect(text.startsWith('init')).toBe(true);
    }
  });

  it('vm 1 / vm -p 1: crash\'s header lines; VMAs from the maple tree, pages from the page tables', () => {
    const k = rs().kernel;
    const g = golden('54').split('\n');
    const ours = run('vm 1').split('\n');
    expect(ours[0]).toBe(g[0]);
    expect(ours[1]).toBe(g[1]);
    const cols = (l: string) => l.trim().split(/\s+/);
    expect([cols(ours[2])[0], cols(ours[2])[1], cols(ours[2])[3]]).toEqual([cols(g[2])[0], cols(g[2])[1], cols(g[2])[3]]);
    // RSS: MM_FILEPAGES + MM_ANONPAGES + MM_SHMEMPAGES + init's unsynced split counters, in KiB
    const rss = k.offsetOf('struct mm_struct', 'rss_stat');
    const mmCount = [0, 1, 3].reduce((s, i) => s + k.readU64(MM + BigInt(rss + i * 8)), 0n);
    const tOff = k.offsetOf('struct task_struct', 'rss_stat') + k.offsetOf('struct task_rss_stat', 'count');
    const taskCount = [0, 1, 3].reduce((s, i) => s + BigInt(k.readS32(INIT + BigInt(tOff + i * 4))), 0n);
    expect(cols(ours[2])[2]).toBe(`${(mmCount + taskCount) * 4n}k`);
    expect(ours[3]).toBe('      VMA           START       END     FLAGS FILE');
    const vmas = mmVmas(k, MM);
    expect(ours.slice(4, -1).length).toBe(vmas.length);
    vmas.forEach((v, i) => {
      expect(findVma(k, MM, v.start)?.addr).toBe(v.addr);
      expect(ours[4 + i]).toContain(`${v.start.toString(16)} ${v.end.toString(16).padStart(10)} ${v.flags.toString(16).padStart(6)}`);
    });
    expect(ours.slice(4).join('\n')).toContain('/bin/busybox');
    // vm -p: every page of every VMA, its physical address as the user page tables give it
    const p = run('vm -p 1');
    expect(p.split('\n').slice(0, 3)).toEqual(golden('55').split('\n').slice(0, 2).concat(p.split('\n')[2]));
    const pgd = k.readPtr(MM + BigInt(k.offsetOf('struct mm_struct', 'pgd')));
    const root = k.mem.kvtop(pgd);
    let mapped = 0;
    for (const m of p.matchAll(/^([0-9a-f]+) +([0-9a-f]+)$/gm)) {
      expect(k.mem.uvtop(BigInt('0x' + m[1]), root)).toBe(BigInt('0x' + m[2]));
      mapped++;
    }
    const pages = vmas.reduce((s, v) => s + Number((v.end - v.start) / 4096n), 0);
    expect(p.match(/^[0-9a-f]+ +(\(not mapped\)|FILE: |SWAP: |[0-9a-f]+$)/gm)?.length).toBe(pages);
    expect(mapped).toBeGreaterThanOrEqual(Number((mmCount + taskCount)));
  });

  it('sig -l, -s, -g; foreach sig / vm / set / ps', () => {
    expect(run('sig -l').split('\n').slice(0, 2)).toEqual([' [1] SIGHUP', ' [2] SIGINT']);
    expect(run('sig -l')).toContain('[33] SIGRTMIN+1\n');
    expect(run('sig -l')).toContain('[63] SIGRTMAX-1\n[64] SIGRTMAX\n');
    expect(run('sig -s 4000000000000002')).toBe('SIGINT SIGRTMAX-1\n');
    expect(run('sig -s 0')).toBe('(none)\n');
    const g = run('sig -g 1');
    expect(g.startsWith(`PID: 1        TASK: ffff8b3e81210000  CPU: 1    COMMAND: "init"\nSIGNAL_STRUCT: ffff8b3e8122ba80  NR_THREADS: 1\n`)).toBe(true);
    expect(g).toContain('\n  PID: 1        TASK: ffff8b3e81210000  CPU: 1    COMMAND: "init"\n  SIGPENDING: no\n');
    const fs = blocks(run('foreach 1 sig'));
    expect(fs.length).toBe(1);
    expect(`${fs[0].header}\n${fs[0].body}`).toBe(run('sig 1').replace(/\n$/, ''));
    const fv = run('foreach 1 vm');
    expect(fv).toBe(run('vm 1'));
    expect(run('foreach 1 set')).toContain('    PID: 1\nCOMMAND: "init"\n');
    const ps = run('foreach 1 kthreadd ps');
    expect(ps.match(/PID {4}PPID/g)?.length).toBe(1);
    expect(ps.split('\n').length).toBe(4);
  });
});
