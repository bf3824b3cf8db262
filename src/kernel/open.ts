import { openDumpFile } from '../dump/open.js';
import type { DumpFile } from '../dump/types.js';
import { VmcoreInfo } from '../debuginfo/vmcoreinfo.js';
import { decodeKallsyms } from '../debuginfo/kallsyms.js';
import { SymbolTable } from '../debuginfo/symbol-table.js';
import { Btf } from '../debuginfo/btf/index.js';
import { readVmlinux, checkVmlinuxMatch } from '../debuginfo/vmlinux-elf.js';
import { Memory } from '../memory/memory.js';
import { archSetup } from './arch-setup.js';
import { CrashError } from '../util/errors.js';
import { Kernel } from './kernel.js';
import { recoverFromImage } from './recover-symbols.js';

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
  const setup = archSetup(dump, vi);
  const mem = new Memory(dump, setup.initial);

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

  mem.setArch(
    setup.refine(symbols, (va) => {
      try {
        return new DataView(mem.readKv(va, 8, 'layout').buffer).getBigUint64(0, true);
      } catch {
        return undefined;
      }
    }),
  );

  // Text-only kallsyms (no CONFIG_KALLSYMS_ALL): recover BTF and data symbols from the image itself.
  if (!opts.vmlinux && !symbols.lookup('init_task')) {
    const pageSize = mem.arch.pageSize;
    const rec = recoverFromImage(vi, symbols, (va, len) => {
      try {
        return mem.readKv(va, len, 'image');
      } catch {
        return undefined;
      }
    }, pageSize);
    if (rec.symbols.length) symbols = new SymbolTable([...symbols.all(), ...rec.symbols]);
    vmlinuxBtf = rec.btf;
  }

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
  return addr >= 0xffff000000000000n ? addr + offset : addr; // kernel half on x86_64 and arm64
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
