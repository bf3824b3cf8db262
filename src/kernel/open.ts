import { openDumpFile } from '../dump/open.js';
import type { DumpFile } from '../dump/types.js';
import { VmcoreInfo } from '../debuginfo/vmcoreinfo.js';
import { decodeKallsyms } from '../debuginfo/kallsyms.js';
import { SymbolTable } from '../debuginfo/symbol-table.js';
import { Btf } from '../debuginfo/btf/index.js';
import { readVmlinux, checkVmlinuxMatch } from '../debuginfo/vmlinux-elf.js';
import { Memory } from '../memory/memory.js';
import { X86_64, START_KERNEL_MAP, defaultX86Layout, type X86Params } from '../arch/x86-64.js';
import { CrashError } from '../util/errors.js';
import { Kernel } from './kernel.js';

export interface OpenOptions {
  vmlinux?: string;
}

/** Open a dump file by path and bring up the Kernel facade. */
export function openKernel(path: string, opts: OpenOptions = {}): Kernel {
  const dump = openDumpFile(path);
  try {
    return kernelFromDump(dump, opts);
  } catch (e) {
    dump.close();
    throw e;
  }
}

/**
 * Bring up a kernel from any DumpFile (real or synthetic): VMCOREINFO → architecture →
 * kallsyms from the dump's own tables (or the vmlinux .symtab) → memory layout → BTF on demand.
 */
export function kernelFromDump(dump: DumpFile, opts: OpenOptions = {}): Kernel {
  if (!dump.vmcoreinfo) throw new CrashError(`${dump.path}: no VMCOREINFO data in the dump`);
  const vi = new VmcoreInfo(dump.vmcoreinfo);
  if (dump.machine !== 'x86_64') throw new CrashError(`${dump.path}: ${dump.machine} dumps are not supported yet`);

  const physBase = vi.number('phys_base') ?? 0n;
  const topPgt = vi.symbol('init_top_pgt') ?? vi.symbol('swapper_pg_dir');
  if (topPgt === undefined) throw new CrashError('VMCOREINFO lacks SYMBOL(init_top_pgt): cannot translate addresses');
  const fiveLevel = vi.number('pgtable_l5_enabled') === 1n;
  const base: X86Params = {
    physBase,
    kernelRoot: topPgt - START_KERNEL_MAP + physBase,
    fiveLevel,
    smeMask: vi.number('sme_mask') ?? 0n,
    kernelImageSize: vi.number('KERNEL_IMAGE_SIZE'),
    ...defaultX86Layout(fiveLevel),
  };
  const mem = new Memory(dump, new X86_64(base, (p, n) => dump.readPhys(p, n)));

  let symbols: SymbolTable;
  let vmlinuxBtf: Uint8Array | undefined;
  let debugSource: string;
  if (opts.vmlinux) {
    const v = readVmlinux(opts.vmlinux);
    const offset = vi.num('KERNELOFFSET') ?? 0n;
    symbols = new SymbolTable(v.symbols.map((s) => ({ ...s, address: relocate(s.address, offset) })));
    const banner = readBannerFromDump(symbols, mem);
    const refusal = checkVmlinuxMatch(v, { buildId: vi.str('BUILD-ID'), osrelease: vi.str('OSRELEASE'), banner }, opts.vmlinux, dump.path);
    if (refusal) throw new CrashError(refusal);
    vmlinuxBtf = v.btf;
    debugSource = opts.vmlinux;
  } else {
    symbols = new SymbolTable(decodeKallsyms(vi, (va, len) => mem.readKv(va, len, 'kallsyms')));
    debugSource = '';
  }

  // Memory-region KASLR (CONFIG_RANDOMIZE_MEMORY): the real bases are kernel variables.
  const readVar = (name: string, dflt: bigint): bigint => {
    const s = symbols.lookup(name);
    if (!s) return dflt;
    try {
      return mem.readKv(s.address, 8, name).reduce((acc, b, i) => acc | (BigInt(b) << BigInt(8 * i)), 0n);
    } catch {
      return dflt;
    }
  };
  mem.setArch(
    new X86_64(
      {
        ...base,
        pageOffset: readVar('page_offset_base', base.pageOffset),
        vmallocStart: readVar('vmalloc_base', base.vmallocStart),
        vmemmapStart: readVar('vmemmap_base', base.vmemmapStart),
      },
      (p, n) => dump.readPhys(p, n),
    ),
  );

  const loadBtf = (): Btf | undefined => {
    if (vmlinuxBtf) return Btf.fromBytes(vmlinuxBtf);
    const start = symbols.lookup('__start_BTF');
    const stop = symbols.lookup('__stop_BTF');
    if (!start || !stop || stop.address <= start.address || stop.address - start.address > 256n << 20n) return undefined;
    return Btf.fromBytes(mem.readKv(start.address, Number(stop.address - start.address), 'BTF'));
  };
  return new Kernel({ dump, vmcoreinfo: vi, arch: mem.arch, mem, symbols, loadBtf, debugSource });
}

/** Link-time vmlinux addresses plus the KASLR offset; absolute and per-cpu symbols stay put. */
function relocate(addr: bigint, offset: bigint): bigint {
  return addr >= START_KERNEL_MAP ? addr + offset : addr;
}

/** The dump's linux_banner, read where the vmlinux says it is (crash's namelist/dump match check). */
function readBannerFromDump(symbols: SymbolTable, mem: Memory): string | undefined {
  const s = symbols.lookup('linux_banner');
  if (!s) return undefined;
  try {
    const b = mem.readKv(s.address, 512, 'linux_banner');
    const z = b.indexOf(0);
    return String.fromCharCode(...b.subarray(0, z < 0 ? b.length : z));
  } catch {
    return undefined;
  }
}
