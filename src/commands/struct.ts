import { defineCommand, flag, withArg, type CommandContext, type CommandDef } from './types.js';
import { err, type CommandResult, type StructResult, type TypeDeclResult } from './result.js';
import { UsageError, type ParsedArgs } from './getopt.js';
import { resolveType, findMember, sizeofType, type CType } from '../debuginfo/btf/types.js';
import { resolveAddress, symbolNotFound } from './address-arg.js';
import { isPerCpuSymbol, perCpuPtr } from '../kernel/helpers/percpu.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { parseNumber } from './int-expr.js';
import { parseCpuSpec } from './cpuspec.js';
import { valueView } from './value-view.js';

const OPTIONS = {
  o: flag('show member offsets (or addresses, with an address)'),
  l: withArg('the address points at this offset or struct.member (e.g. a list_head)'),
  r: flag('raw hex dump of the structure bytes'),
  x: flag('hexadecimal output for this command'),
  d: flag('decimal output for this command'),
  c: withArg('count of structures'),
  u: flag('the address is a user virtual address'),
  p: flag('dereference pointer members (not yet)'),
  f: flag('the address is a dumpfile offset (not supported)'),
};

function datatypeCommand(keyword: 'struct' | 'union' | '*'): CommandDef {
  return defineCommand({
    name: keyword,
    summary: keyword === '*' ? 'pointer-to short-cut' : `${keyword} contents`,
    synopsis: `${keyword === '*' ? 'struct|union' : `${keyword}_name`}[.member[,member]][-o][-l offset][-rxd] [address | symbol][:cpuspec] [count | -c count]`,
    description: [
      `This command displays either a ${keyword === '*' ? 'structure or union' : keyword} definition, or a formatted display of the`,
      'contents of one at a given address.  Members may be selected with .member,member; nested',
      'members and array elements (se.on_rq, pids[2]) are accepted.  With a per-cpu symbol, a',
      ':cpuspec selects the copies shown.  Layouts come from the dump\'s BTF.',
    ],
    options: OPTIONS,
    examples: [{ command: `${keyword === '*' ? 'struct' : keyword} ${keyword === 'union' ? 'page' : 'task_struct'}.pid,comm ffff8b3e81210000` }],
    run: (ctx, a) => runDatatype(ctx, a, keyword),
  });
}

export const struct = datatypeCommand('struct');
export const union = datatypeCommand('union');
export const pointerTo = datatypeCommand('*');

function runDatatype(ctx: CommandContext, a: ParsedArgs, keyword: 'struct' | 'union' | '*'): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  if (a.flags.has('x') && a.flags.has('d')) return err('-d and -x are mutually exclusive');
  const radix: 10 | 16 = a.flags.has('x') ? 16 : a.flags.has('d') ? 10 : ctx.settings.radix;
  if (!a.args.length) throw new UsageError('structure name required');
  const [spec, ...rest] = a.args;
  const dot = spec.indexOf('.');
  const name = dot < 0 ? spec : spec.slice(0, dot);
  const members = dot < 0 ? undefined : spec.slice(dot + 1).split(',').filter(Boolean);
  const type = lookupType(ctx, keyword, name);
  if (!type) return err(`invalid data structure reference: ${name}`);
  const kw = resolveType(type).kind === 'union' ? 'union' : 'struct';
  if (keyword !== '*' && kw !== keyword) return err(`data type mismatch: ${name} is not a ${keyword}`);
  for (const m of members ?? []) if (!findMember(type, m)) return err(`invalid data structure reference: ${kw} ${name}.${m}`);

  if (!rest.length) {
    if (members && a.flags.has('o') && members.length > 1) return err('-o option not valid with multiple member format');
    if (members) return members.map((m): TypeDeclResult => ({ kind: 'typedecl', type, radix, member: m.split(/[.[]/)[0] }));
    return { kind: 'typedecl', type, radix, offsets: a.flags.has('o') };
  }

  // address[:cpuspec] [count]
  const [addrTok, cpuspec] = splitCpuSpec(rest[0]);
  let addr = resolveAddress(ctx, addrTok);
  if (addr === undefined) return symbolNotFound(ctx, addrTok);
  if (a.values.has('l')) addr -= embeddedOffset(ctx, a.values.get('l')![0]);
  let count = 1;
  const countTok = a.values.get('c')?.[0] ?? rest[1];
  if (countTok !== undefined) {
    count = Number(parseNumber(countTok.replace(/^-/, '')) ?? NaN) * (countTok.startsWith('-') ? -1 : 1);
    if (!Number.isFinite(count) || count === 0) return err(`invalid count request: ${countTok}`);
  }
  if (!a.flags.has('u') && !k.arch.isKernelAddr(addr) && cpuspec === undefined) return err(`invalid kernel virtual address: ${addrTok}`);
  if (a.flags.has('o')) return { kind: 'typedecl', type, radix, offsets: true, vaddr: addr };

  const size = sizeofType(type);
  const bases: { addr: bigint; cpu?: number }[] = [];
  if (cpuspec !== undefined) {
    const sym = k.symbol(addrTok);
    if (!sym || !isPerCpuSymbol(k, sym)) return err(`${addrTok} is not a per-cpu symbol`);
    for (const cpu of parseCpuSpec(cpuspec, cpuState(k).present, ctx.currentCpu)) bases.push({ addr: perCpuPtr(k, addr, cpu), cpu });
  } else bases.push({ addr });

  const out: StructResult = { kind: 'struct', keyword: kw, type, objects: [], members, view: valueView(ctx, radix) };
  for (const b of bases) {
    const first = count < 0 ? b.addr - BigInt((-count - 1) * size) : b.addr;
    for (let i = 0; i < Math.abs(count); i++) {
      const at = first + BigInt(i * size);
      out.objects.push({ addr: at, bytes: k.readBytes(at, size, `gdb request`), cpu: i === 0 ? b.cpu : undefined });
    }
  }
  if (a.flags.has('r')) return { kind: 'rd', space: 'kvaddr', start: out.objects[0].addr, unit: 8, mode: 'hex', ascii: true, values: words(out.objects.flatMap((o) => [...o.bytes])) };
  return out;
}

/** crash's arg_to_datatype finds the name as a struct or a union whatever the keyword (the caller reports a mismatch). */
function lookupType(ctx: CommandContext, keyword: string, name: string): CType | undefined {
  const t = ctx.kernel.types;
  return t.aggregate(name, keyword === 'union' ? 'union' : 'struct') ?? structTypedef(t.tryParse(name));
}

function structTypedef(t: CType | undefined): CType | undefined {
  if (!t) return undefined;
  const r = resolveType(t);
  return r.kind === 'struct' || r.kind === 'union' ? t : undefined;
}

function splitCpuSpec(tok: string): [string, string | undefined] {
  const m = /^([A-Za-z_$][\w$]*):([\w,-]*)$/.exec(tok);
  return m ? [m[1], m[2]] : [tok, undefined];
}

function embeddedOffset(ctx: CommandContext, spec: string): bigint {
  const n = parseNumber(spec);
  if (n !== undefined) return n;
  const [s, m] = spec.split(/\.(.*)/);
  return BigInt(ctx.kernel.offsetOf(`struct ${s}`, m));
}

function words(bytes: number[]): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    let v = 0n;
    for (let j = 7; j >= 0; j--) v = (v << 8n) | BigInt(bytes[i + j]);
    out.push(v);
  }
  return out;
}
