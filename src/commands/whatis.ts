import { defineCommand, flag } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import { UsageError } from './getopt.js';
import { resolveType } from '../debuginfo/btf/types.js';

export const whatis = defineCommand({
  name: 'whatis',
  summary: 'search symbol table for data or type information',
  synopsis: '[[struct | union | typedef | symbol] | [-o] [-r [size|range]] [-m member]]',
  description: [
    'This command displays the definition of structures, unions, typedefs or text/data symbols.',
    'Types come from the dump\'s BTF.  BTF has no global variables other than per-cpu ones, so the',
    'type of a well-known global (init_task, jiffies, linux_banner, ...) comes from crash-tui\'s own',
    'small table of kernel declarations, resolved against the BTF; whatis says so when it does.',
  ],
  options: { o: flag('show member offsets') },
  examples: [{ command: 'whatis jiffies' }, { command: 'whatis struct list_head' }, { command: 'whatis vfs_read' }],
  run(ctx, a): CommandResult | CommandResult[] {
    const k = ctx.kernel;
    if (!a.args.length) throw new UsageError('argument required');
    const name = a.args.join(' ');
    const radix = ctx.settings.radix;
    const offsets = a.flags.has('o');
    const explicit = /^(struct|union|enum)\s/.exec(name);
    const asType = explicit ? k.types.tryParse(name) : k.types.aggregate(name) ?? k.types.tryParse(name);
    if (asType) {
      const r = resolveType(asType);
      const isTypedef = asType.kind === 'typedef' && !explicit;
      const enumForm = r.kind === 'enum' && (!!explicit || !isTypedef);
      return { kind: 'typedecl', type: asType, radix, offsets, typedefName: isTypedef ? name : undefined, enumForm };
    }
    const sym = k.symbol(name);
    if (sym) {
      const st = k.typeOfSymbol(name);
      // a symbol recovered without kallsyms (export table, BTF per-cpu offsets) says where it came from
      const origin = sym.origin ? [lines([`  (address from ${sym.origin})`])] : [];
      if (st) return [{ kind: 'symdecl', name, type: st.type, fromTable: st.source === 'table' }, ...origin];
      const fn = k.btf?.findFunc(name);
      if (fn) return { kind: 'symdecl', name, type: fn.proto, fromTable: false };
      return err(`cannot resolve: ${name} (a symbol with no type: BTF does not describe it)`);
    }
    const en = k.btf?.enumConstant(name);
    if (en) return lines([`enum ${en.type.name || '{...}'}: ${name} = ${en.value}`]);
    // symbols.c cmd_whatis(): "cannot resolve" is followed by the usage
    throw new UsageError(`cannot resolve: ${name}`);
  },
});
