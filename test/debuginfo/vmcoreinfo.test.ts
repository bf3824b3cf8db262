import { describe, expect, it } from 'vitest';
import { VmcoreInfo, parseVmcoreinfoNumber } from '../../src/debuginfo/vmcoreinfo.js';
import { DebugInfoError } from '../../src/util/errors.js';

/** Lines as the kernel writes them (vmcore_info.h formats); values from a Debian 6.1 x86_64 dump, a few arm64 keys. */
const TEXT = [
  'OSRELEASE=6.1.0-56-amd64',
  'BUILD-ID=eb4fbcd037e7253717950bf2b93bd5566f47c56f',
  'PAGESIZE=4096',
  'SYMBOL(init_uts_ns)=ffffffff8d1fb000',
  'SYMBOL(mem_section)=ffff8b3e9feaf000',
  'SYMBOL(_stext)=10000000', // hex even when it looks decimal
  'OFFSET(uts_namespace.name)=0',
  'OFFSET(page._refcount)=52',
  'SIZE(pglist_data)=174208',
  'LENGTH(zone.free_area)=11',
  'NUMBER(phys_base)=23068672',
  'NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129',
  'NUMBER(pgtable_l5_enabled)=0',
  'NUMBER(VA_BITS)=48',
  'NUMBER(kimage_voffset)=0xffffffbf70000000', // arm64: hex with 0x
  'NUMBER(TCR_EL1_T1SZ)=0x10',
  'KERNELOFFSET=a600000',
  'CRASHTIME=1795312500',
  'CONFIG_KALLSYMS=y',
  '',
].join('\n');

describe('VmcoreInfo', () => {
  const vi = new VmcoreInfo(TEXT);

  it('keeps every KEY=VALUE line and the raw strings', () => {
    expect(vi.str('OSRELEASE')).toBe('6.1.0-56-amd64');
    expect(vi.str('BUILD-ID')).toBe('eb4fbcd037e7253717950bf2b93bd5566f47c56f');
    expect(vi.str('CONFIG_KALLSYMS')).toBe('y');
    expect(vi.has('PAGESIZE')).toBe(true);
    expect(vi.keys()).toHaveLength(19);
    expect(vi.keys()[0]).toBe('OSRELEASE');
  });

  it('reads SYMBOL() values as hex without 0x', () => {
    expect(vi.symbol('init_uts_ns')).toBe(0xffffffff8d1fb000n);
    expect(vi.symbol('mem_section')).toBe(0xffff8b3e9feaf000n);
    expect(vi.symbol('_stext')).toBe(0x10000000n);
  });

  it('reads KERNELOFFSET as hex without 0x', () => {
    expect(vi.num('KERNELOFFSET')).toBe(0xa600000n);
  });

  it('reads NUMBER() as signed decimal, and as hex when written with 0x', () => {
    expect(vi.number('phys_base')).toBe(0x1600000n);
    expect(vi.number('PAGE_BUDDY_MAPCOUNT_VALUE')).toBe(-129n);
    expect(vi.number('pgtable_l5_enabled')).toBe(0n);
    expect(vi.number('VA_BITS')).toBe(48n);
    expect(vi.number('kimage_voffset')).toBe(0xffffffbf70000000n);
    expect(vi.number('TCR_EL1_T1SZ')).toBe(16n);
  });

  it('reads a negative phys_base (kernel loaded below its link address)', () => {
    const neg = new VmcoreInfo('NUMBER(phys_base)=-23068672\n');
    expect(neg.number('phys_base')).toBe(-0x1600000n);
  });

  it('reads OFFSET/SIZE/LENGTH as decimal numbers', () => {
    expect(vi.offset('uts_namespace.name')).toBe(0);
    expect(vi.offset('page._refcount')).toBe(52);
    expect(vi.size('pglist_data')).toBe(174208);
    expect(vi.length('zone.free_area')).toBe(11);
    expect(vi.num('PAGESIZE')).toBe(4096n);
    expect(vi.num('CRASHTIME')).toBe(1795312500n);
  });

  it('gives undefined for keys that are not there', () => {
    expect(vi.symbol('init_top_pgt')).toBeUndefined();
    expect(vi.number('sme_mask')).toBeUndefined();
    expect(vi.offset('task_struct.pid')).toBeUndefined();
    expect(vi.size('page_ext')).toBeUndefined();
    expect(vi.length('mem_section.x')).toBeUndefined();
    expect(vi.str('NOPE')).toBeUndefined();
    expect(vi.has('SYMBOL')).toBe(false);
  });

  it('throws DebugInfoError naming the key for a garbled value', () => {
    const bad = new VmcoreInfo('SYMBOL(swapper_pg_dir)=ffffffff8zz10000\nOFFSET(page.flags)=0x\nNUMBER(x)=12abc\nSIZE(page)=\n');
    expect(() => bad.symbol('swapper_pg_dir')).toThrow(new DebugInfoError('VMCOREINFO: cannot parse SYMBOL(swapper_pg_dir)=ffffffff8zz10000'));
    expect(() => bad.offset('page.flags')).toThrow(DebugInfoError);
    expect(() => bad.number('x')).toThrow(/cannot parse NUMBER\(x\)=12abc/); // decimal key: hex digits are garbage
    expect(() => bad.size('page')).toThrow(DebugInfoError);
    expect(() => vi.num('OSRELEASE')).toThrow(DebugInfoError);
  });

  it('ignores lines without a key and keeps values that contain "="', () => {
    const odd = new VmcoreInfo('garbage line\n=novalue\nKEY=a=b\r\nSYMBOL(x)=ff\r\n');
    expect(odd.keys()).toEqual(['KEY', 'SYMBOL(x)']);
    expect(odd.str('KEY')).toBe('a=b');
    expect(odd.symbol('x')).toBe(0xffn); // a trailing CR is not part of the value
  });
});

describe('parseVmcoreinfoNumber', () => {
  it('applies the hex-by-default rule only when asked', () => {
    expect(parseVmcoreinfoNumber('10', true)).toBe(16n);
    expect(parseVmcoreinfoNumber('10', false)).toBe(10n);
    expect(parseVmcoreinfoNumber('0X1F', false)).toBe(31n);
    expect(parseVmcoreinfoNumber('-0x10', false)).toBe(-16n);
    expect(parseVmcoreinfoNumber(' 42 ', false)).toBe(42n);
    expect(() => parseVmcoreinfoNumber('abc', false, 'K')).toThrow(new DebugInfoError('VMCOREINFO: cannot parse K=abc'));
    expect(() => parseVmcoreinfoNumber('', true)).toThrow(DebugInfoError);
    expect(() => parseVmcoreinfoNumber('-', false)).toThrow(DebugInfoError);
  });
});
