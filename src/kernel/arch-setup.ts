import type { DumpFile } from '../dump/types.js';
import type { Arch } from '../arch/types.js';
import type { VmcoreInfo } from '../debuginfo/vmcoreinfo.js';
import type { SymbolTable } from '../debuginfo/symbol-table.js';
import { X86_64, START_KERNEL_MAP, defaultX86Layout, type X86Params } from '../arch/x86-64.js';
import { Arm64 } from '../arch/arm64.js';
import { CrashError } from '../util/errors.js';

/**
 * The architecture of a dump, in two steps: what VMCOREINFO alone allows (enough to read the
 * kernel image, hence kallsyms), then the real layout once symbols can be read
 * (memory-region KASLR bases on x86_64).
 */
export interface ArchSetup {
  initial: Arch;
  refine(symbols: SymbolTable, readU64: (va: bigint) => bigint | undefined): Arch;
}

export function archSetup(dump: DumpFile, vi: VmcoreInfo): ArchSetup {
  const read = (p: bigint, n: number) => dump.readPhys(p, n);
  if (dump.machine === 'x86_64') {
    const physBase = BigInt.asUintN(64, vi.number('phys_base') ?? 0n);
    const topPgt = vi.symbol('init_top_pgt') ?? vi.symbol('swapper_pg_dir');
    if (topPgt === undefined) throw new CrashError('VMCOREINFO lacks SYMBOL(init_top_pgt): cannot translate addresses');
    const fiveLevel = vi.number('pgtable_l5_enabled') === 1n;
    const base: X86Params = {
      physBase,
      kernelRoot: BigInt.asUintN(64, topPgt - START_KERNEL_MAP + physBase),
      fiveLevel,
      smeMask: vi.number('sme_mask') ?? 0n,
      kernelImageSize: vi.number('KERNEL_IMAGE_SIZE'),
      ...defaultX86Layout(fiveLevel),
    };
    return {
      initial: new X86_64(base, read),
      refine(symbols, readU64) {
        // CONFIG_RANDOMIZE_MEMORY: the region bases are kernel variables.
        const v = (name: string, dflt: bigint) => {
          const s = symbols.lookup(name);
          return (s && readU64(s.address)) || dflt;
        };
        return new X86_64(
          { ...base, pageOffset: v('page_offset_base', base.pageOffset), vmallocStart: v('vmalloc_base', base.vmallocStart), vmemmapStart: v('vmemmap_base', base.vmemmapStart) },
          read,
        );
      },
    };
  }
  const need = (key: string): bigint => {
    const v = vi.num(key);
    if (v === undefined) throw new CrashError(`VMCOREINFO lacks ${key}: cannot translate arm64 addresses`);
    return v;
  };
  const kimageVoffset = BigInt.asUintN(64, need('NUMBER(kimage_voffset)'));
  const pageSize = Number(vi.num('PAGESIZE') ?? 4096n);
  const t1sz = vi.num('NUMBER(TCR_EL1_T1SZ)') ?? vi.num('NUMBER(tcr_el1_t1sz)');
  const params = {
    vaBits: Number(need('NUMBER(VA_BITS)')),
    // vabits_actual = 64 - TCR_EL1.T1SZ (crash arm64_set_va_bits_by_tcr); a 52-bit kernel on a CPU without LVA/LPA2 runs 48-bit
    vaBitsActual: t1sz === undefined ? undefined : 64 - Number(t1sz),
    maxPhysmemBits: vi.number('MAX_PHYSMEM_BITS') === undefined ? undefined : Number(vi.number('MAX_PHYSMEM_BITS')),
    pageShift: Math.log2(pageSize),
    physOffset: BigInt.asUintN(64, need('NUMBER(PHYS_OFFSET)')),
    kimageVoffset,
    kernelRoot: BigInt.asUintN(64, need('SYMBOL(swapper_pg_dir)') - kimageVoffset),
    kernelText: need('SYMBOL(_stext)'),
    vmallocEnd: vi.number('VMALLOC_END'),
    vmemmapStart: vi.number('VMEMMAP_START'),
    vmemmapEnd: vi.number('VMEMMAP_END'),
    modulesStart: vi.number('MODULES_VADDR'),
    modulesEnd: vi.number('MODULES_END'),
  };
  if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) throw new CrashError(`VMCOREINFO PAGESIZE=${pageSize} is not an arm64 page size`);
  if (params.vaBitsActual !== undefined && !(params.vaBitsActual >= 36 && params.vaBitsActual <= params.vaBits)) params.vaBitsActual = undefined;
  // arm64 kernels have 36..52-bit VAs (arch/arm64/Kconfig ARM64_VA_BITS); anything else is garbage.
  if (!(params.vaBits >= 36 && params.vaBits <= 52)) throw new CrashError(`VMCOREINFO NUMBER(VA_BITS)=${params.vaBits} is not an arm64 VA size`);
  const arch = new Arm64(params, read);
  return { initial: arch, refine: () => arch };
}
