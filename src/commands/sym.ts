import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult, type SymLine } from './result.js';
import { UsageError } from './getopt.js';
import { isHexToken } from './int-expr.js';
import { symbolNotFound } from './address-arg.js';
import type { Sym } from '../debuginfo/symbol-table.js';
import { loadedModules, moduleSymbolAt } from '../kernel/helpers/module.js';

export const sym = defineCommand({
  name: 'sym',
  summary: 'translate a symbol to its virtual address, or vice-versa',
  synopsis: '[-l] | [-M] | [-m module] | [-p|-n] | [-q string] | [symbol | vaddr]',
  description: [
    'This command translates a symbol to its virtual address, or a static kernel virtual address',
    'to its symbol -- or to a symbol-plus-offset value, if appropriate.  Line numbers are shown',
    'when the dump carries them; kallsyms and BTF do not, so none are printed.',
  ],
  options: {
    l: flag('dumps all symbols and their values'),
    q: withArg('searches for all symbols containing string'),
    p: flag('display the target symbol and the previous symbol'),
    n: flag('display the target symbol and the next symbol'),
    M: flag('dump the current set of module symbols'),
    m: withArg('dump the symbols of one module'),
  },
  examples: [{ command: 'sym jiffies' }, { command: 'sym ffffffff8c001f99' }, { command: 'sym -q pid_' }],
  run(ctx, a) {
    const k = ctx.kernel;
    const radix = ctx.settings.radix;
    const result = (l: SymLine[]): CommandResult => ({ kind: 'sym', lines: l, radix });
    if (a.flags.has('l')) return result(k.symbols.all().map(line));
    if (a.values.has('q')) {
      const hits = k.symbols.search(a.values.get('q')![0]);
      return hits.length ? result(hits.map(line)) : lines(['(none found)']);
    }
    if (a.flags.has('M') || a.values.has('m')) return lines([]); // module symbols arrive with `mod`
    if (!a.args.length) throw new UsageError('symbol or address required');
    const out: CommandResult[] = [];
    for (const arg of a.args) out.push(...one(ctx, arg, a.flags.has('p'), a.flags.has('n')));
    return out;
  },
});

const line = (s: Sym): SymLine => ({ address: s.address, type: s.type, name: s.name });

function one(ctx: CommandContext, arg: string, prev: boolean, next: boolean): CommandResult[] {
  const k = ctx.kernel;
  const radix = ctx.settings.radix;
  const named = k.symbols.byName(arg);
  if (named.length && !(isHexToken(arg) && /[0-9]/.test(arg))) {
    return named.map((s) => ({ kind: 'sym', radix, lines: neighbours(ctx, s, prev, next, line(s)) }) as CommandResult);
  }
  const inModules = loadedModules(k).flatMap((m) => m.symbols.filter((s) => s.name === arg).map((s) => ({ ...line(s), module: m.name })));
  if (inModules.length && !isHexToken(arg)) return [{ kind: 'sym', radix, lines: inModules }];
  if (isHexToken(arg)) {
    const addr = BigInt('0x' + arg.replace(/^0[xX]/, ''));
    const hit = k.symbols.containing(addr);
    const mhit = hit ? undefined : moduleSymbolAt(k, addr);
    if (mhit) return [{ kind: 'sym', radix, lines: [{ address: addr, type: mhit.sym.type, name: mhit.sym.name, offset: mhit.offset || undefined, module: mhit.module }] }];
    if (!hit) return [err(`invalid address: ${arg}`)];
    const l: SymLine = { address: addr, type: hit.sym.type, name: hit.sym.name, offset: hit.offset || undefined };
    return [{ kind: 'sym', radix, lines: neighbours(ctx, hit.sym, prev, next, l) }];
  }
  return symbolNotFound(ctx, arg);
}

function neighbours(ctx: CommandContext, s: Sym, prev: boolean, next: boolean, self: SymLine): SymLine[] {
  const all = ctx.kernel.symbols.all();
  const i = all.indexOf(s);
  const out: SymLine[] = [];
  if (prev && i > 0) out.push(line(all[i - 1]));
  out.push(self);
  if (next && i >= 0 && i + 1 < all.length) out.push(line(all[i + 1]));
  return out;
}
