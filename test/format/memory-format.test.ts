/**
 * The memory commands' text, from crash's printf formats (memory.c dump_kmeminfo,
 * dump_mem_map_SPARSEMEM, cmd_ptov; x86_64.c x86_64_translate_pte) and mkstring() rules.
 */
import { describe, expect, it } from 'vitest';
import { mkstring } from '../../src/format/mkstring.js';
import { pteTable } from '../../src/format/vtop.js';
import { pageHeader, pageRowText } from '../../src/format/kmem-pages.js';
import { formatKmemInfo } from '../../src/format/kmem-info.js';
import { formatNumPairs, formatPtov } from '../../src/format/ptov.js';
import { arm64PteFlags, x86PteFlags } from '../../src/commands/vtop-walk.js';
import { x86SwapEntry } from '../../src/kernel/helpers/swap.js';

describe('mkstring', () => {
  it('centres with the odd space right (CENTER, CENTER|LJUST) or left (CENTER|RJUST), never truncates', () => {
    expect(mkstring('PAGE', 16, 'center')).toBe('      PAGE      ');
    expect(mkstring('MAPPING', 16, 'center-rjust')).toBe('     MAPPING    ');
    expect(mkstring('PTE', 16, 'center-ljust')).toBe('      PTE       ');
    expect(mkstring('1210000', 8, 'center-rjust')).toBe(' 1210000');
    expect(mkstring('0123456789abcdef0', 16, 'ljust')).toBe('0123456789abcdef0');
  });
});

describe('kmem -p table', () => {
  it('widens PHYSICAL with PADDR_PRLEN', () => {
    expect(pageHeader(8)).toBe('      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS\n');
    expect(pageHeader(11)).toBe('      PAGE          PHYSICAL      MAPPING       INDEX CNT FLAGS\n');
    const row = { page: 0xffffea0004d2c500n, phys: 0x134b14000n, mapping: 0n, index: 0n, count: 1, flags: 0x17ffffc0000200n, names: ['slab'] };
    expect(pageRowText(row, 9)).toBe('ffffea0004d2c500 134b14000                0        0  1 17ffffc0000200 slab\n');
    expect(pageRowText({ ...row, flags: 0n, names: [], count: -1 }, 9)).toBe('ffffea0004d2c500 134b14000                0        0 -1 0\n');
  });
});

describe('x86_64 pte table', () => {
  it('names flags in crash order: PSE only when present, PROTNONE only when not', () => {
    expect(x86PteFlags(0x8000000001210163n)).toEqual(['PRESENT', 'RW', 'ACCESSED', 'DIRTY', 'GLOBAL', 'NX']);
    expect(x86PteFlags(0x800000000dc001e1n)).toEqual(['PRESENT', 'ACCESSED', 'DIRTY', 'PSE', 'GLOBAL', 'NX']);
    expect(x86PteFlags(0x8000000123456126n)).toEqual(['RW', 'USER', 'ACCESSED', 'PROTNONE', 'GLOBAL', 'NX']);
    expect(arm64PteFlags(0x60000040200f11n)).toEqual(['VALID', 'SHARED', 'AF', 'NG', 'PXN', 'UXN']);
  });
  it('lays out PTE/PHYSICAL/FLAGS and the swap form', () => {
    expect(pteTable({ value: 0x8000000001210163n, phys: 0x1210000n, flags: x86PteFlags(0x8000000001210163n) })).toBe(
      '      PTE         PHYSICAL  FLAGS\n8000000001210163   1210000  (PRESENT|RW|ACCESSED|DIRTY|GLOBAL|NX)\n',
    );
    expect(pteTable({ value: 0x1fe20025n, phys: 0x1fe20000n, flags: [] })).toBe('  PTE     PHYSICAL  FLAGS\n1fe20025  1fe20000  ()\n');
    expect(pteTable({ value: 0x7ffffffffffb5e00n, phys: 0n, flags: [], swap: { device: '/dev/vda2', offset: 1234n } })).toBe(
      '      PTE           SWAP     OFFSET\n7ffffffffffb5e00  /dev/vda2   1234 \n',
    );
  });
  it('decodes L1TF-inverted swap entries', () => {
    // __swp_entry(type 1, offset 0x1234) as v4.18+ stores it: offset inverted, type at the top
    const pte = ((~(0x1234n << 9n) & ((1n << 59n) - 1n)) << 0n) | (1n << 59n);
    const { type, offset } = x86SwapEntry(pte & ~0x1ffn);
    expect(type).toBe(1);
    expect(offset).toBe(0x1234n);
  });
});

describe('kmem -i, ptov, btop/ptob', () => {
  it('renders rows, blank separators and totals', () => {
    const text = formatKmemInfo({
      kind: 'kmem-info',
      rows: [
        { label: 'TOTAL MEM', pages: 4040195n, size: '15.4 GB' },
        { label: 'FREE', pages: 3517112n, size: '13.4 GB', percent: { value: 87n, of: 'TOTAL MEM' } },
        null,
        { label: 'SWAP FREE', pages: 1048575n, size: '4 GB', percent: { value: 100n, of: 'TOTAL SWAP' } },
      ],
    });
    expect(text).toBe(
      '                 PAGES        TOTAL      PERCENTAGE\n' +
        '    TOTAL MEM  4040195      15.4 GB         ----\n' +
        '         FREE  3517112      13.4 GB   87% of TOTAL MEM\n' +
        '\n' +
        '    SWAP FREE  1048575         4 GB  100% of TOTAL SWAP\n',
    );
  });
  it('renders ptov pairs and per-cpu tables, btop/ptob pairs', () => {
    expect(
      formatPtov({
        kind: 'ptov',
        items: [
          { type: 'phys', paddr: 0x56e000n, vaddr: 0xffff88800056e000n },
          { type: 'percpu', offset: 0xb0c0n, ncpus: 12, cpus: [{ cpu: 10, vaddr: 0xffff88813bc0b0c0n, offline: true }] },
        ],
      }),
    ).toBe(
      'VIRTUAL           PHYSICAL        \nffff88800056e000  56e000          \n\n' +
        'PER-CPU OFFSET: b0c0\n  CPU     VIRTUAL         \n  [10]  ffff88813bc0b0c0 [OFFLINE]\n',
    );
    expect(formatNumPairs({ kind: 'num-pairs', pairs: [[0x512an, 0x512a000n]] })).toBe('512a: 512a000\n');
  });
});
