import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, warn, type CommandResult, type RdResult } from './result.js';
import { UsageError, type ParsedArgs } from './getopt.js';
import { ReadError } from '../memory/read-error.js';
import { SPACE_LABEL, type Space } from '../memory/address.js';
import { resolveAddress, symbolNotFound } from './address-arg.js';
import { activeTask, taskPgdPhys } from '../kernel/helpers/context.js';
import { parseNumber } from './int-expr.js';
import { writeFileSync } from 'node:fs';
import { addrToSlab } from '../kernel/helpers/slab-walk.js';

const ASCII_UNLIMITED = -1;

export const rd = defineCommand({
  name: 'rd',
  summary: 'read memory',
  // help.c help_rd[]: the synopsis wraps before [count]
  synopsis: '[-adDsSupxmfNR][-8|-16|-32|-64][-o offs][-e addr][-r file][address|symbol]\n     [count]',
  description: [
    'This command displays the contents of memory, with the output formatted in several different',
    'manners.  The starting address may be entered either symbolically or by address.  The default',
    'output size is the size of a long data type, and the default output format is hexadecimal.',
    'When hexadecimal output is used, the output will be accompanied by an ASCII translation.',
  ],
  options: {
    p: flag('address argument is a physical address'),
    u: flag('address argument is a user virtual address in the current context'),
    d: flag('display output in signed decimal format'),
    D: flag('display output in unsigned decimal format'),
    s: flag('displays output symbolically when appropriate'),
    S: flag('symbolic, and slab cache names of slab objects'),
    x: flag('do not display ASCII translation at end of each line'),
    a: flag('display ASCII string (stops at the first non-printable byte)'),
    N: flag('display 16- and 32-bit data in network byte order'),
    R: flag('display memory in reverse order, ending at the address'),
    '8': flag('display 8-bit values'),
    '16': flag('display 16-bit values'),
    '32': flag('display 32-bit values'),
    '64': flag('display 64-bit values (default)'),
    o: withArg('offset added to the starting address'),
    e: withArg('display memory until this address'),
    r: withArg('dump raw memory to a file'),
  },
  examples: [{ command: 'rd linux_banner 8' }, { command: 'rd -a linux_banner' }, { command: 'rd -p 1000 4' }],
  run: (ctx, a) => runRd(ctx, a),
});

function runRd(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  if (!a.args.length) throw new UsageError('address required');
  let unit: RdResult['unit'] = 8;
  if (f('8')) unit = 1;
  if (f('16')) unit = 2;
  if (f('32')) unit = 4;
  if (f('64')) unit = 8;
  if (f('a')) unit = 0;
  if ((f('s') || f('S')) && unit !== 8) return [err('-s option is only allowed with 64-bit display')];
  if (a.values.has('r')) unit = 1; // memory.c: -r is DISPLAY_RAW, whose count (or -e range) is in bytes
  const mode: RdResult['mode'] = f('d') ? 'dec' : f('D') ? 'udec' : 'hex';
  const addrArg = resolveAddress(ctx, a.args[0]);
  if (addrArg === undefined) return symbolNotFound(ctx, a.args[0]);
  let addr = addrArg;
  if (a.values.has('o')) addr += parseNumber(a.values.get('o')![0]) ?? 0n;

  let space: Space = f('p') ? 'physaddr' : f('u') ? 'uvaddr' : 'kvaddr';
  if (space === 'kvaddr' && !k.arch.isKernelAddr(addr)) space = 'uvaddr';
  const results: CommandResult[] = [];
  let count: number;
  if (a.args[1] !== undefined) {
    count = Number(parseNumber(a.args[1]) ?? NaN);
    if (!Number.isFinite(count) || count <= 0) return [err(`invalid count request: ${a.args[1]}`)];
    if (a.values.has('e')) results.push(warn('ending address ignored when count is specified'));
  } else if (a.values.has('e')) {
    const end = parseNumber(a.values.get('e')![0], true) ?? 0n;
    if (end <= addr) return [err(`invalid ending address: ${end.toString(16)}`)];
    count = Math.max(1, Number((end - addr) / BigInt(unit || 1)));
  } else if (a.values.has('r')) {
    return [err('-r option requires either a count argument or the -e option')];
  } else count = unit === 0 ? ASCII_UNLIMITED : 1;
  if (f('R') && count > 1) addr -= BigInt((count - 1) * (unit || 1));

  let userRoot: bigint | undefined;
  if (space === 'uvaddr') {
    const t = activeTask(k, ctx.currentCpu);
    userRoot = t !== undefined ? taskPgdPhys(k, t) : undefined;
  }
  const label = `${unit === 0 ? 8 : unit * 8}-bit ${SPACE_LABEL[space]}`;
  const read = (at: bigint, n: number) => k.mem.read(space, at, n, label, userRoot);
  if (userRoot === undefined && space === 'uvaddr') return [err(`invalid user virtual address: ${addr.toString(16)}  type: "${label}"`)];

  if (a.values.has('r')) {
    const file = a.values.get('r')![0];
    const n = count * (unit || 1);
    writeFileSync(file, read(addr, n));
    return [...results, { kind: 'lines', lines: [`${n} bytes copied from 0x${addr.toString(16)} to ${file}`] }];
  }
  if (unit === 0) return [...results, ...readAscii(read, addr, count)];

  const r: RdResult = { kind: 'rd', space, start: addr, unit, mode, ascii: mode === 'hex' && !f('x') && !f('s') && !f('S'), values: [] };
  let failure: CommandResult | undefined;
  for (let i = 0; i < count; i++) {
    try {
      const b = read(addr + BigInt(i * unit), unit);
      let v = 0n;
      for (let j = unit - 1; j >= 0; j--) v = (v << 8n) | BigInt(b[j]);
      if (f('N') && unit > 1 && unit < 8) v = swap(v, unit);
      r.values.push(v);
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      failure = err(e.message);
      break;
    }
  }
  if (f('s') || f('S')) r.symbols = r.values.map((v) => symbolic(ctx, v) ?? (f('S') ? slabCacheOf(ctx, v, (a.flags.get('S') ?? 0) > 1) : undefined));
  return [...results, r, ...(failure ? [failure] : [])];
}

function readAscii(read: (at: bigint, n: number) => Uint8Array, addr: bigint, count: number): CommandResult[] {
  const r: RdResult = { kind: 'rd', space: 'kvaddr', start: addr, unit: 0, mode: 'hex', ascii: false, values: [], chunks: [] };
  const limit = count === ASCII_UNLIMITED ? 1 << 20 : count;
  let cur: { addr: bigint; text: string } | undefined;
  for (let i = 0; i < limit; i++) {
    const at = addr + BigInt(i);
    let c: number;
    try {
      c = read(at, 1)[0];
    } catch (e) {
      if (e instanceof ReadError) return [r, err(e.message)];
      throw e;
    }
    if (c >= 0x20 && c < 0x7f) {
      if (!cur || cur.text.length === 60) r.chunks!.push((cur = { addr: at, text: '' }));
      cur.text += String.fromCharCode(c);
    } else {
      if (count === ASCII_UNLIMITED) {
        r.truncatedAscii = true;
        return [r];
      }
      cur = undefined;
    }
  }
  return [r];
}

function swap(v: bigint, unit: number): bigint {
  let out = 0n;
  for (let i = 0; i < unit; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** -S (memory.c display_memory SLAB_CACHE): a slab object's cache, `[name]`; -SS `[addr:name]`. */
function slabCacheOf(ctx: CommandContext, v: bigint, withAddr: boolean): string | undefined {
  if (!ctx.kernel.arch.isKernelAddr(v)) return undefined;
  const hit = addrToSlab(ctx.kernel, v);
  if (!('cache' in hit)) return undefined;
  return withAddr ? `[${v.toString(16)}:${hit.cache.name}]` : `[${hit.cache.name}]`;
}

/** crash's value_to_symstr() for in-kernel-symbol-range values: name or name+offset. */
function symbolic(ctx: CommandContext, v: bigint): string | undefined {
  if (!ctx.kernel.arch.isKernelAddr(v)) return undefined; // per-cpu offsets are small numbers, not addresses
  const hit = ctx.kernel.symbols.containing(v);
  if (!hit) return undefined;
  const off = hit.offset;
  if (off === 0n) return hit.sym.name;
  return `${hit.sym.name}+${ctx.settings.radix === 16 ? '0x' + off.toString(16) : off.toString()}`;
}
