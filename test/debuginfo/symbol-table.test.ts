import { describe, expect, it } from 'vitest';
import { MAX_SYMBOL_LENGTH, SymbolTable, type Sym } from '../../src/debuginfo/symbol-table.js';
import { decodeKallsyms } from '../../src/debuginfo/kallsyms.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { openDumpFile } from '../../src/dump/open.js';
import { refdump } from '../support/refdump.js';

const K = 0xffffffff8b600000n;
const syms: Sym[] = [
  // deliberately unsorted input; aliases at K keep their input order
  { name: 'panic', address: K + 0xa01cb0n, type: 'T' },
  { name: '_stext', address: K, type: 'T' },
  { name: '_text', address: K, type: 'T' },
  { name: 'startup_64', address: K, type: 'T' },
  { name: 'cpu_number', address: 0x199e0n, type: 'A' },
  { name: '__per_cpu_start', address: 0n, type: 'A' },
  { name: 'cleanup', address: K + 0x100n, type: 't' },
  { name: 'cleanup', address: K + 0x200n, type: 't' },
  { name: 'cleanup', address: K + 0x300n, type: 'T' },
  { name: 'state', address: K + 0x400n, type: 'd' },
  { name: 'state', address: K + 0x500n, type: 't' },
  { name: 'linux_banner', address: K + 0x1161900n, type: 'D' },
  { name: '_end', address: K + 0x2e30000n, type: 'B' },
];
const t = new SymbolTable(syms);

describe('SymbolTable', () => {
  it('sorts by address, stably, keeping duplicates', () => {
    expect(t.size).toBe(syms.length);
    const all = t.all();
    for (let i = 1; i < all.length; i++) expect(all[i]!.address >= all[i - 1]!.address).toBe(true);
    expect(all.filter((s) => s.address === K).map((s) => s.name)).toEqual(['_stext', '_text', 'startup_64']);
    expect(all[0]!.name).toBe('__per_cpu_start');
  });

  it('byName returns every symbol with the name', () => {
    expect(t.byName('cleanup').map((s) => s.address)).toEqual([K + 0x100n, K + 0x200n, K + 0x300n]);
    expect(t.byName('nope')).toEqual([]);
  });

  it('lookup prefers global, then text, then the lowest address', () => {
    expect(t.lookup('cleanup')!.address).toBe(K + 0x300n); // the global one
    expect(t.lookup('state')!.type).toBe('t'); // local text over local data
    expect(t.lookup('panic')!.address).toBe(K + 0xa01cb0n);
    expect(t.lookup('missing')).toBeUndefined();
  });

  it('containing finds the symbol at or below an address, first alias first', () => {
    expect(t.containing(K)).toEqual({ sym: syms[1], offset: 0n });
    expect(t.containing(K + 0xffn)).toEqual({ sym: syms[1], offset: 0xffn });
    expect(t.containing(K + 0x100n)?.sym.name).toBe('cleanup');
    expect(t.containing(K + 0xa01cb5n)).toEqual({ sym: syms[0], offset: 5n });
    expect(t.containing(0x19a00n)).toEqual({ sym: syms[4], offset: 0x20n });
  });

  it('containing returns undefined below, past the end, and across address-space gaps', () => {
    const small = new SymbolTable([{ name: 'a', address: 0x1000n, type: 'T' }]);
    expect(small.containing(0xfffn)).toBeUndefined();
    expect(small.containing(0x1000n + MAX_SYMBOL_LENGTH - 1n)?.offset).toBe(MAX_SYMBOL_LENGTH - 1n);
    expect(small.containing(0x1000n + MAX_SYMBOL_LENGTH)).toBeUndefined();
    expect(t.containing(K + 0x2e30000n + 0x20000n)).toBeUndefined(); // past _end
    // The direct map lies between the per-CPU offsets and the kernel text.
    expect(t.containing(0xffff8b3e81210000n)).toBeUndefined();
    expect(t.containing(0x40000n)).toBeUndefined();
    // A big gap inside the image still resolves to the preceding symbol.
    expect(t.containing(K + 0x1000000n)?.sym.name).toBe('panic');
    expect(new SymbolTable([]).containing(K)).toBeUndefined();
  });

  it('search and names', () => {
    expect(t.search('clean').length).toBe(3);
    expect(t.search('per_cpu').map((s) => s.name)).toEqual(['__per_cpu_start']);
    const names = t.names();
    expect(names).toEqual([...new Set(syms.map((s) => s.name))].sort());
    expect(t.names()).toBe(names);
  });
});

const ref = refdump();
if (typeof ref === 'string') console.log(`symbol-table.test: skipping reference-dump test: ${ref}`);

describe.skipIf(typeof ref === 'string')('SymbolTable over the reference kallsyms', () => {
  it('resolves crash sym examples', () => {
    const r = ref as Exclude<typeof ref, string>;
    const d = openDumpFile(r.elf);
    const vi = new VmcoreInfo(d.vmcoreinfo!);
    const physBase = vi.number('phys_base')!;
    const table = new SymbolTable(decodeKallsyms(vi, (va, len) => d.readPhys(va - 0xffffffff80000000n + physBase, len)));
    d.close();
    const t0 = performance.now();
    expect(table.lookup('linux_banner')).toEqual({ name: 'linux_banner', address: 0xffffffff8c761900n, type: 'D' });
    const lookupMs = performance.now() - t0;
    expect(table.containing(0xffffffff8c001cb0n + 0x10n)).toMatchObject({ sym: { name: 'panic', type: 'T' }, offset: 0x10n });
    expect(table.containing(0xffffffff8d01aa40n)?.sym.name).toBe('init_task');
    expect(table.containing(0xffff8b3e81210000n)).toBeUndefined();
    const t1 = performance.now();
    table.names();
    console.log(`symbol-table: ${table.size} symbols; name index ${lookupMs.toFixed(1)} ms, names() ${(performance.now() - t1).toFixed(1)} ms`);
  });
});
