import type { BuildContext } from './infra.js';
import { writeObject } from './infra.js';
import { sizeofType } from '../debuginfo/btf/types.js';
import { num } from './scenario.js';
import { CrashError } from '../util/errors.js';

export interface ScenarioModule {
  name: string;
  /** address of its struct module */
  struct: bigint;
  base: bigint;
  size: bigint;
  symbols: { addr: bigint; type: string; name: string; size: bigint }[];
}

export function parseModules(raw: unknown): ScenarioModule[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((m: Record<string, any>) => ({
    name: String(m.name),
    struct: num(m.struct, 'module struct'),
    base: num(m.base, 'module base'),
    size: num(m.size, 'module size'),
    symbols: (m.symbols ?? []).map((s: string) => {
      const f = /^\s*(\S+)\s+(\w)\s+(\S+)(?:\s+(\S+))?\s*$/.exec(s);
      if (!f) throw new CrashError(`bad module symbol line "${s}" (want: ADDRESS TYPE NAME [SIZE])`);
      return { addr: num(f[1], 'module symbol'), type: f[2], name: f[3], size: f[4] ? num(f[4], 'symbol size') : 0n };
    }),
  }));
}

/**
 * Loaded modules as kernel/module lays them out: struct module on the `modules` list, its core
 * layout, and its own symbol table (mod->kallsyms: Elf64_Sym symtab, strtab, and typetab where
 * the kernel has one, 5.2+), the table /proc/kallsyms and crash read module symbols from.
 */
export function buildModules(c: BuildContext, mods: ScenarioModule[]): void {
  const head = c.mem.allocData(16, 8);
  c.syms.add('modules', head, 'd');
  const listOff = BigInt(c.offsetOf('struct module', 'list'));
  const nodes = mods.map((m) => m.struct + listOff);
  const ring = [head, ...nodes];
  ring.forEach((n, i) => {
    c.mem.writeU64(n, ring[(i + 1) % ring.length]);
    c.mem.writeU64(n + 8n, ring[(i - 1 + ring.length) % ring.length]);
  });
  const hasTypetab = c.offsetOfOptional('struct mod_kallsyms', 'typetab') !== undefined;
  const symSize = sizeofType(c.type('Elf64_Sym'));
  for (const m of mods) {
    const syms = [{ addr: 0n, type: ' ', name: '', size: 0n }, ...m.symbols];
    const strtab = Buffer.concat(syms.map((s) => Buffer.from(s.name + '\0', 'latin1')));
    const strVa = c.mem.allocData(strtab.length, 8);
    c.mem.write(strVa, strtab);
    const tabVa = c.mem.allocData(syms.length * symSize, 8);
    let off = 0;
    syms.forEach((s, i) => {
      const local = s.type === s.type.toLowerCase();
      writeObject(c, tabVa + BigInt(i * symSize), 'Elf64_Sym', {
        st_name: off,
        st_info: i === 0 ? 0 : ((local ? 0 : 1) << 4) | (/[tT]/.test(s.type) ? 2 : 1),
        st_shndx: i === 0 ? 0 : 1,
        st_value: s.addr,
        st_size: s.size,
      });
      off += Buffer.byteLength(s.name, 'latin1') + 1;
    });
    const ks = c.mem.allocData(sizeofType(c.type('struct mod_kallsyms')), 8);
    const ksValues: Record<string, unknown> = { symtab: tabVa, num_symtab: syms.length, strtab: strVa };
    if (hasTypetab) {
      const types = c.mem.allocData(syms.length, 8);
      c.mem.write(types, Buffer.from(syms.map((s) => s.type).join(''), 'latin1'));
      ksValues.typetab = types;
    }
    writeObject(c, ks, 'struct mod_kallsyms', ksValues);
    writeObject(c, m.struct, 'struct module', {
      state: 'MODULE_STATE_LIVE',
      name: m.name,
      'core_layout.base': m.base,
      'core_layout.size': m.size,
      'core_layout.text_size': m.size,
      kallsyms: ks,
    });
  }
}
