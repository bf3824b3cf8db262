import { defineCommand, flag, type CommandContext } from './types.js';
import { err, lines, warn, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { DisResult } from './mach-dis-results.js';
import { evalIntExpr, isHexToken, parseNumber } from './int-expr.js';
import { symbolNotFound } from './address-arg.js';
import { shortUsage } from './help.js';
import { isTextType, kernelSymbolsNamed, stripSymbolEnd, symbolByName, symbolEnd, symStr, valueSearch, type SymHit } from './dis-symbols.js';
import { decode, filterLine, MAX_INSN_BYTES, symbolizeOperands, trimPadding } from './dis-filter.js';
import { MAX_DISASM_BYTES, type DisasmArch, type Insn } from '../debuginfo/disasm.js';
import { activeTask, taskPgdPhys } from '../kernel/helpers/context.js';
import { CrashError } from '../util/errors.js';

const SYNOPSIS = '[-rfludxs][-b [num]] [address | symbol | (expression)] [count]';
const BUG_BYTES = 'dis-bug-bytes';

export const dis = defineCommand({
  name: 'dis',
  summary: 'disassemble',
  synopsis: SYNOPSIS,
  description: [
    'This command disassembles source code instructions starting (or ending) at a text address.',
    'A symbol with no count disassembles the whole function (up to the next symbol); an address',
    'disassembles one instruction, or count of them.  -r disassembles from the start of the function',
    'up to and including the address, -f from the address to the end of the function.  -x and -d',
    'select the radix of symbol offsets.  -u takes a user virtual address of the current context.',
    'The text is GNU objdump\'s (binutils\' libopcodes, the disassembler crash uses through gdb),',
    'with operands symbolized from the dump\'s kallsyms and module symbol tables; a 5-byte NOP at',
    'the start of a function (x86_64) is marked [FTRACE NOP].  The dump carries no DWARF, so -l and',
    '-s cannot show source lines.',
  ],
  options: {
    r: flag('reverse: from the start of the function up to and including the address'),
    f: flag('forward: from the address to the end of the function'),
    l: flag('show source line numbers (not available without DWARF)'),
    u: flag('the address is a user virtual address of the current context'),
    d: flag('display symbol offsets in decimal'),
    x: flag('display symbol offsets in hexadecimal'),
    h: flag('same as -x'),
    s: flag('show the source code (not available without DWARF)'),
    U: flag('unfiltered: gdb\'s own layout'),
    b: { optionalArg: true, help: 'bytes to skip after a ud2 (x86); alone, show the current value' },
  },
  examples: [{ command: 'dis sys_signal' }, { command: 'dis -r ffffffff8c001d42' }, { command: 'dis panic 5' }, { command: 'dis -f ffffffff8bc9091a' }],
  run: (ctx, a) => runDis(ctx, a),
});

function runDis(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c) || a.values.has(c);
  if (f('d') && (f('x') || f('h'))) return err('-d and -x are mutually exclusive');
  if (f('r') && f('f')) return err('-r and -f are mutually exclusive');
  if (f('s') && f('r')) return err('-r and -s are mutually exclusive');
  if (f('s') && f('f')) return err('-f and -s are mutually exclusive');
  if (f('s') && f('u')) return err('-s can only be used with kernel addresses');
  const out: CommandResult[] = [];
  if (f('l') || f('s')) out.push(err('line numbers are not available'));
  // -b N (crash's getopt "b:"): the bytes crash's old x86 backtracer skipped after a ud2a; kept
  // only to be shown (BUG_x86_64() is 0 since 2.6.20: BUG data lives in __bug_table)
  const args = [...a.args];
  let bug = a.values.get('b')?.[0];
  if (a.flags.has('b') && bug === undefined && args.length && /^\d+$/.test(args[0]!)) bug = args.shift();
  if (bug !== undefined) k.cache.set(BUG_BYTES, Number.parseInt(bug, 10) || 0);
  if (!args.length) {
    if (bug !== undefined) return out;
    if (f('b')) {
      const n = (k.cache.get(BUG_BYTES) as number | undefined) ?? (k.arch.name === 'x86_64' ? 0 : -1);
      return lines([`encoded bytes being skipped after ud2a: ${n < 0 ? 'undetermined' : n}`]);
    }
    return [...out, lines(shortUsage(dis))];
  }
  const radix: 10 | 16 = f('x') || f('h') ? 16 : f('d') ? 10 : ctx.settings.radix;
  try {
    disassembleArgs(ctx, { ...a, args }, radix, out);
  } catch (e) {
    if (!(e instanceof CrashError)) throw e;
    out.push(err(e.message));
  }
  return out;
}

/** Appends to `out` as it goes, so a warning printed before a failure stays (as crash's does). */
function disassembleArgs(ctx: CommandContext, a: ParsedArgs, radix: 10 | 16, out: CommandResult[]): void {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  const user = f('u');
  const tok = a.args[0];
  let addr: bigint;
  let sp: SymHit | undefined;
  let unfiltered = f('U');
  let functionOnly = false;
  if (/^\(.+\)$/.test(tok) || /.[><+\-&|*/%^]./.test(tok)) {
    // can_eval(): `(expression)`, or `symbol+offset`-like text with an operator inside
    addr = evalIntExpr(tok, (n) => symbolByName(k, n)?.start);
  } else if (isHexToken(tok) && !symbolByName(k, tok)) {
    addr = BigInt('0x' + tok.replace(/^0[xX]/, ''));
    sp = valueSearch(k, addr);
    if (!user && !sp) {
      out.push(warn(`${addr.toString(16)}: no associated kernel symbol found`));
      unfiltered = true;
    }
    functionOnly = !!sp && sp.offset === 0n && isTextType(sp.type);
  } else if ((sp = symbolByName(k, tok))) {
    // resolve_text_symbol(): a name shared by several text symbols is ambiguous
    const text = sp.module === undefined ? kernelSymbolsNamed(k, tok).filter((s) => isTextType(s.type)) : [];
    if (text.length > 1) {
      out.push(err(`${tok}: duplicate text symbols found:`), lines(text.map((s) => `${s.address.toString(16)} (${s.type}) ${stripSymbolEnd(s.name)}`)));
      return;
    }
    addr = sp.start;
    functionOnly = isTextType(sp.type);
  } else {
    out.push(...symbolNotFound(ctx, tok));
    return;
  }

  let count: number | undefined;
  let forward = f('f');
  if (a.args[1] !== undefined) {
    forward = false;
    const n = parseNumber(a.args[1]);
    if (n === undefined) throw new CrashError(`invalid count argument: ${a.args[1]}`);
    if (n === 0n) throw new CrashError('invalid count argument: 0');
    count = Number(n > BigInt(MAX_DISASM_BYTES) ? MAX_DISASM_BYTES : n);
    functionOnly = false;
  }
  if (f('s')) throw new CrashError('source code is not available');
  const arch = k.arch.name as DisasmArch;

  if (unfiltered || user) {
    // gdb's x/Ni, passed through (memory of the current context for -u)
    // (gdb reads a non-kernel address as a user address of the current context)
    const read = user || !k.arch.isKernelAddr(addr) ? userReader(ctx) : (at: bigint, n: number) => k.readBytes(at, n, 'gdb_readmem_callback');
    const insns = decode(arch, read, addr, (count ?? 1) * MAX_INSN_BYTES).slice(0, count ?? 1);
    const label = (x: bigint) => (k.arch.isKernelAddr(x) ? symStr(k, x, radix) : '');
    out.push({ kind: 'dis', raw: true, lines: insns.map((i) => ({ addr: i.addr, label: label(i.addr), text: symbolizeOperands(k, arch, i.text, radix) })) });
    return;
  }
  if (!k.arch.isKernelAddr(addr)) throw new CrashError(`${addr.toString(16)} is not a kernel virtual address`);

  const reverse = f('r');
  let end: bigint | undefined;
  let base: SymHit | undefined;
  if (reverse || forward || functionOnly) {
    base = sp ?? valueSearch(k, addr);
    end = base ? symbolEnd(k, base) : undefined;
    if (end === undefined) throw new CrashError(base ? `unable to determine symbol after ${base.name}` : `gdb unable to disassemble kernel virtual address ${addr.toString(16)}`);
  }
  let target = addr;
  if (reverse || forward) {
    const s = valueSearch(k, target);
    if (!s) throw new CrashError(`cannot resolve address: ${target.toString(16)}`);
    addr = s.start;
  }
  const wanted = reverse ? Number(target - addr) || 1 : count ?? (forward || functionOnly ? Number(end! - addr) : 1);
  const span = reverse ? target - addr + BigInt(MAX_INSN_BYTES) : count !== undefined ? BigInt(count * MAX_INSN_BYTES) : forward || functionOnly ? end! - addr + BigInt(MAX_INSN_BYTES) : BigInt(MAX_INSN_BYTES);
  const read = (at: bigint, n: number) => k.readBytes(at, n, 'gdb_readmem_callback');
  const insns = decode(arch, read, addr, Number(span > BigInt(MAX_DISASM_BYTES) ? MAX_DISASM_BYTES : span)).slice(0, Math.max(1, wanted));
  if (!insns.length) throw new CrashError(`gdb unable to disassemble kernel virtual address ${addr.toString(16)}`);

  let picked: Insn[] = [];
  let n = 0;
  for (const i of insns) {
    if (forward && i.addr < target) continue;
    if (!reverse && count === undefined && end !== undefined && i.addr >= end) break;
    picked.push(i);
    if (reverse && i.addr >= target) break;
    if (count !== undefined && !reverse && ++n === count) break;
  }
  // -r with a count: the last `count` instructions up to the target (set_reverse_tmpfile_offset)
  if (reverse && count !== undefined) picked = picked.slice(-count);
  // (crash bounds a module function by the next symbol, as here: no trimming there)
  if (count === undefined && !reverse && end !== undefined && base?.module === undefined) picked = trimPadding(k, arch, picked);

  const result: DisResult = { kind: 'dis', raw: false, lines: picked.map((i) => filterLine(k, arch, i, radix)) };
  out.push(result);
}

function userReader(ctx: CommandContext): (at: bigint, n: number) => Uint8Array {
  const k = ctx.kernel;
  const task = ctx.currentTask ?? activeTask(k, ctx.currentCpu);
  const root = task !== undefined ? taskPgdPhys(k, task) : undefined;
  return (at, n) => k.mem.read('uvaddr', at, n, 'gdb_readmem_callback', root);
}

