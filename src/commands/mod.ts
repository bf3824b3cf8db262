import { defineCommand, flag, withArg } from './types.js';
import { err, type CommandResult } from './result.js';
import { loadedModules } from '../kernel/helpers/module.js';
import { resolveAddress } from './address-arg.js';

export const mod = defineCommand({
  name: 'mod',
  summary: 'module information and loading of symbols and debugging data',
  synopsis: '-s module [objfile] | -d module | -S [directory] [-D|-t|-r|-R|-o|-g]',
  description: [
    'With no arguments, this command displays basic information of the currently installed modules:',
    'the address of the module structure, its name, base address and size.  The module symbols come',
    'from the modules\' own kallsyms tables in the dump; no object files are loaded.',
  ],
  options: { s: withArg('load symbols of a module (not needed: module symbols come from the dump)'), S: flag('load all module symbols (not needed)'), t: flag('show tainted modules') },
  run(ctx, a): CommandResult {
    const mods = loadedModules(ctx.kernel);
    if (a.values.has('s') || a.flags.has('S')) return err('module symbols are read from the dump; no object file is needed');
    let filter: bigint | undefined;
    if (a.args[0]) {
      filter = resolveAddress(ctx, a.args[0]);
      if (filter === undefined) return err(`invalid module reference: ${a.args[0]}`);
    }
    return {
      kind: 'mod',
      memoryRegions: mods.some((m) => m.memoryRegions),
      modules: mods
        .filter((m) => filter === undefined || m.addr === filter || m.base === filter)
        .map((m) => ({ addr: m.addr, name: m.name, base: m.base, size: m.size, kallsyms: m.symbols.length > 0 })),
    };
  },
});
