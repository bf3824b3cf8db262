import type { Kernel } from '../kernel.js';
import type { Sym } from '../../debuginfo/symbol-table.js';
import { listForEachEntry } from './list.js';

export interface KernelModule {
  /** address of struct module */
  addr: bigint;
  name: string;
  /** core (6.4+: text) base and size */
  base: bigint;
  size: bigint;
  /** crash's MODULE_MEMORY(): module memory regions (mem[]) rather than core_layout */
  memoryRegions: boolean;
  symbols: Sym[];
}

const MODULE_NAME_LEN = 56; // MAX_PARAM_PREFIX_LEN - sizeof(unsigned long) on 64-bit
const MAX_MODULE_SYMS = 1 << 20;

/**
 * The loaded modules: the `modules` list of struct module (kernel/module), with their core
 * region and their own kallsyms (mod->kallsyms: symtab, strtab, typetab). Layout by probing:
 * `mem[]` (6.4+), `core_layout` (4.5-6.3), `module_core`/`core_size` before.
 */
export function loadedModules(k: Kernel): KernelModule[] {
  return k.memo('modules', () => {
    const head = k.symbol('modules');
    if (!head || !k.hasType('struct module')) return [];
    const out: KernelModule[] = [];
    for (const m of listForEachEntry(k, head.address, 'struct module', 'list')) {
      const name = k.readCString(m + BigInt(k.offsetOf('struct module', 'name')), MODULE_NAME_LEN, 'module name');
      let base: bigint;
      let size: bigint;
      let memoryRegions = false;
      if (k.hasMember('struct module', 'mem')) {
        memoryRegions = true;
        base = k.readPtr(m + BigInt(k.offsetOf('struct module', 'mem[0].base')), 'module mem base');
        size = 0n;
        const n = Math.min(16, k.types.memberOf('struct module', 'mem')?.type ? arrayLength(k) : 1);
        for (let i = 0; i < n; i++) size += BigInt(k.readU32(m + BigInt(k.offsetOf('struct module', `mem[${i}].size`)), 'module mem size'));
      } else if (k.hasMember('struct module', 'core_layout')) {
        base = k.readPtr(m + BigInt(k.offsetOf('struct module', 'core_layout.base')), 'module core base');
        size = BigInt(k.readU32(m + BigInt(k.offsetOf('struct module', 'core_layout.size')), 'module core size'));
      } else {
        base = k.readPtr(m + BigInt(k.offsetOf('struct module', 'module_core')), 'module core');
        size = BigInt(k.readU32(m + BigInt(k.offsetOf('struct module', 'core_size')), 'module core size'));
      }
      out.push({ addr: m, name, base, size, memoryRegions, symbols: moduleSymbols(k, m) });
    }
    return out;
  });
}

function arrayLength(k: Kernel): number {
  const t = k.types.memberOf('struct module', 'mem')?.type;
  const r = t && k.btf?.resolve(t);
  return r && r.kind === 'array' ? r.length : 1;
}

/** A module's own symbol table (mod->kallsyms), as /proc/kallsyms shows it. */
function moduleSymbols(k: Kernel, m: bigint): Sym[] {
  if (!k.hasMember('struct module', 'kallsyms') || !k.hasType('struct mod_kallsyms')) return [];
  try {
    const ks = k.readPtr(m + BigInt(k.offsetOf('struct module', 'kallsyms')), 'module kallsyms');
    if (!ks) return [];
    const f = (name: string) => ks + BigInt(k.offsetOf('struct mod_kallsyms', name));
    const symtab = k.readPtr(f('symtab'), 'symtab');
    const n = k.readU32(f('num_symtab'), 'num_symtab');
    const strtab = k.readPtr(f('strtab'), 'strtab');
    const typetab = k.hasMember('struct mod_kallsyms', 'typetab') ? k.readPtr(f('typetab'), 'typetab') : 0n;
    if (n > MAX_MODULE_SYMS) return [];
    const tab = k.readBytes(symtab, n * 24, 'module symtab');
    const types = typetab ? k.readBytes(typetab, n, 'module typetab') : undefined;
    const dv = new DataView(tab.buffer, tab.byteOffset, tab.byteLength);
    const out: Sym[] = [];
    for (let i = 1; i < n; i++) {
      const nameOff = dv.getUint32(i * 24, true);
      const value = dv.getBigUint64(i * 24 + 8, true);
      const info = tab[i * 24 + 4];
      if (!value || (info & 0xf) === 4 /* STT_FILE */) continue;
      const name = k.readCString(strtab + BigInt(nameOff), 128, 'module strtab');
      if (!name) continue;
      out.push({ name, address: value, type: types ? String.fromCharCode(types[i]) : (info >> 4) === 0 ? 't' : 'T' });
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  } catch {
    return [];
  }
}

/** The module symbol containing an address, with its module's name. */
export function moduleSymbolAt(k: Kernel, addr: bigint): { sym: Sym; offset: bigint; module: string } | undefined {
  for (const m of loadedModules(k)) {
    if (addr < m.base || addr >= m.base + m.size) continue;
    let best: Sym | undefined;
    for (const s of m.symbols) if (s.address <= addr && (!best || s.address > best.address)) best = s;
    if (best) return { sym: best, offset: addr - best.address, module: m.name };
  }
  return undefined;
}
