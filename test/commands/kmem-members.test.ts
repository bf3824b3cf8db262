/**
 * `kmem -m member[,member] [address]` on the Debian 6.1 reference dump: byte for byte against crash
 * 8.0.2's outputs (crash-8.0.2-extra 76-78), then the rules of memory.c show_page_member_data()
 * checked against the dump's own struct page bytes: the walk over every page (as kmem -p), nested
 * members (lru.next), the radix, and crash's error wording for a bad member list.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rs, skipReason } from '../support/ref-session.js';

const skip = skipReason('kmem -m goldens');
const DIR = join(import.meta.dirname, '..', 'golden', 'crash-8.0.2-extra');
const golden = (n: string) => {
  const f = readFileSync(join(DIR, 'manifest.tsv'), 'utf8').split('\n').find((l) => l.startsWith(n + '_'));
  return readFileSync(join(DIR, f!.split('\t')[0]), 'latin1');
};
const PAGE = 0xffffec1980048400n;

describe.skipIf(!!skip)('kmem -m on x86_64-debian12-sysrq', () => {
  it('equals crash 8.0.2 (76, 77, 78)', () => {
    expect(rs().run('kmem -m flags,_refcount ffffec1980000000')).toBe(golden('76'));
    expect(rs().run('kmem -m lru,mapping,index 1210000')).toBe(golden('77'));
    expect(rs().run('kmem -m _mapcount,private,flags ffffec1980048400')).toBe(golden('78'));
  });

  it('prints nested members from the struct page bytes', () => {
    const r = rs();
    const lru = r.run('kmem -m lru.next,lru.prev ffffec1980048400').split('\n');
    expect(lru[0]).toBe('      PAGE        lru.next  lru.prev');
    const next = r.u64(PAGE + 8n);
    const prev = r.u64(PAGE + 16n);
    expect(lru[1]).toBe(`ffffec1980048400  ${next.toString(16).padStart(16, '0')}  ${prev.toString(16).padStart(16, '0')}  `);
    // the same page by its kernel virtual address and by -P physical
    expect(r.run('kmem -m lru.next ffff8b3e81210000')).toBe(r.run('kmem -m lru.next -P 1210000'));
  });

  it('uses the output radix for plain integers, hex always for flags', () => {
    const s = rs().fresh();
    s.runLine('set radix 16');
    const r = rs();
    const at = (m: string) => PAGE + BigInt(r.kernel.offsetOf('struct page', m));
    const [idx, priv] = [r.u64(at('index')), r.u64(at('private'))];
    expect(s.runLine('kmem -m index,private,flags 1210000').text.split('\n')[1]).toBe(
      `ffffec1980048400  ${idx.toString(16).padStart(16, '0')}  ${priv.toString(16).padStart(16, '0')}  ${r.u64(at('flags')).toString(16).padStart(16, '0')}  `,
    );
    expect(r.run('kmem -m private 1210000').split('\n')[1]).toBe(`ffffec1980048400  ${priv}  `);
  });

  it('walks every page like kmem -p when no address is given', () => {
    const s = rs().fresh();
    const all = s.runLine('kmem -m flags').text.split('\n').filter(Boolean);
    const p = s.runLine('kmem -p').text.split('\n').filter(Boolean);
    expect(all.length).toBe(p.length);
    expect(all[0]).toBe('      PAGE        flags');
    // the same pages in the same order, and the same flags (kmem -p prints them unpadded)
    for (const i of [1, 2, 1000, p.length - 1]) {
      const [pg, , , , , fl] = p[i].split(/\s+/);
      expect(all[i]).toBe(`${pg}  ${fl.padStart(16, '0')}  `);
    }
  });

  it('gives crash\'s errors for bad member lists', () => {
    const s = rs().fresh();
    expect(s.runLine('kmem -m nosuch ffffec1980048400').text).toBe('kmem: invalid page struct member: nosuch\n');
    expect(s.runLine('kmem -m flags, ffffec1980048400').text).toBe('kmem: invalid format: flags,\n');
    expect(s.runLine('kmem -m lru. ffffec1980048400').text).toBe('kmem: invalid format: lru.\n');
  });

  it('prints small integers and 4-byte structs in crash\'s formats', () => {
    const r = rs();
    const at = (m: string) => PAGE + BigInt(r.kernel.offsetOf('struct page', m));
    const dtor = new DataView(r.kernel.readBytes(at('compound_dtor'), 1, 'test').slice().buffer).getUint8(0);
    const cmap = r.u32(at('compound_mapcount'));
    // unsigned char in decimal then two spaces; atomic_t not named _count/_mapcount: "%08x", no spaces
    expect(r.run('kmem -m compound_dtor,compound_mapcount ffffec1980048400').split('\n')[1]).toBe(
      `ffffec1980048400  ${dtor}  ${cmap.toString(16).padStart(8, '0')}`,
    );
  });
});
