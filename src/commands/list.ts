import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import { UsageError } from './getopt.js';
import { resolveAddress, symbolNotFound } from './address-arg.js';
import { parseNumber } from './int-expr.js';
import { valueView } from './value-view.js';
import { findMember, resolveType, sizeofType } from '../debuginfo/btf/types.js';
import { LIST_WALK_LIMIT } from '../kernel/helpers/list.js';
import { ReadError } from '../memory/read-error.js';

export const list = defineCommand({
  name: 'list',
  summary: 'linked list',
  synopsis: '[[-o] offset][-e end][-[s|S] struct[.member[,member] [-l offset]] -[x|d]] [-r|-B] [-h|-H] start',
  description: [
    'This command dumps the contents of a linked list.  The entries in a linked list are typically',
    'data structures that are tied together by an embedded list_head or a next pointer.  With',
    'struct.member as the offset, the member is the list_head (or next pointer) inside the struct.',
    '-h: start is the address of a structure holding the list_head; -H: start is the list head',
    'itself, which is not shown.  A list that loops back on itself without reaching its start ends',
    'with "duplicate list entry".',
  ],
  options: {
    o: withArg('offset of the next pointer or list_head, as a number or struct.member'),
    s: withArg('show each entry as this struct (struct.member,member selects members)'),
    h: flag('start is a structure address containing the list_head'),
    H: flag('start is a list head (LIST_HEAD_INIT) that is not displayed'),
    e: withArg('stop at this address'),
    x: flag('hexadecimal output of members'),
    d: flag('decimal output of members'),
  },
  examples: [{ command: 'list task_struct.tasks -h init_task -s task_struct.pid,comm' }],
  run(ctx, a): CommandResult[] {
    const k = ctx.kernel;
    const pos = [...a.args];
    let offsetSpec = a.values.get('o')?.[0];
    if (pos.length > 1) offsetSpec ??= pos.shift();
    if (!pos.length) throw new UsageError('start address required');
    const start = resolveAddress(ctx, pos[0]);
    if (start === undefined) return symbolNotFound(ctx, pos[0]);
    const listHead = a.flags.has('h') || a.flags.has('H') || (offsetSpec !== undefined && offsetSpec.includes('.'));
    let offset = 0n;
    if (offsetSpec !== undefined) {
      const n = parseNumber(offsetSpec);
      if (n !== undefined) offset = n;
      else {
        const [s, m] = offsetSpec.split(/\.(.*)/);
        const t = k.types.aggregate(s);
        const mem = t && findMember(t, m);
        if (!mem) return [err(`invalid argument: ${offsetSpec}`)];
        offset = BigInt(mem.bitOffset / 8);
      }
    }
    const radix: 10 | 16 = a.flags.has('x') ? 16 : a.flags.has('d') ? 10 : ctx.settings.radix;
    const show = a.values.get('s')?.[0];
    const out: CommandResult[] = [];
    const end = a.values.has('e') ? resolveAddress(ctx, a.values.get('e')![0]) : undefined;
    // `node` walks the embedded pointers; entries are node - offset
    let node = a.flags.has('H') ? readNext(ctx, start, 0n) : listHead ? start + offset : start;
    const first = node;
    const seen = new Set<bigint>();
    for (let n = 0; n < LIST_WALK_LIMIT; n++) {
      if (node === undefined) return [...out, err(`\ninvalid list entry: ${start.toString(16)}`)];
      if (a.flags.has('H') && node === start) break;
      const entry = node - (listHead ? offset : 0n);
      if (seen.has(entry)) return [...out, { kind: 'error', message: `\nduplicate list entry: ${entry.toString(16)}` }];
      seen.add(entry);
      out.push(lines([entry.toString(16)]));
      if (show) out.push(...showEntry(ctx, show, entry, radix));
      const next = readNext(ctx, node, listHead ? 0n : offset);
      if (next === undefined) return [...out, err(`\ninvalid list entry: ${node.toString(16)}`)];
      if (next === 0n || next === end || next === node || (listHead ? next === first : next === start)) break;
      node = next;
    }
    return out;
  },
});

function readNext(ctx: CommandContext, node: bigint, off: bigint): bigint | undefined {
  try {
    return ctx.kernel.readPtr(node + off, 'list entry');
  } catch (e) {
    if (e instanceof ReadError) return undefined;
    throw e;
  }
}

function showEntry(ctx: CommandContext, spec: string, addr: bigint, radix: 10 | 16): CommandResult[] {
  const k = ctx.kernel;
  const dot = spec.indexOf('.');
  const name = dot < 0 ? spec : spec.slice(0, dot);
  const members = dot < 0 ? undefined : spec.slice(dot + 1).split(',');
  const type = k.types.aggregate(name) ?? k.types.tryParse(name);
  if (!type) return [err(`invalid data structure reference: ${name}`)];
  const r = resolveType(type);
  const keyword = r.kind === 'union' ? 'union' : 'struct';
  const bytes = k.readBytes(addr, sizeofType(type), 'gdb request');
  return [{ kind: 'struct', keyword, type, objects: [{ addr, bytes }], members, view: valueView(ctx, radix) }];
}
