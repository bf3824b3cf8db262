import type { Kernel } from '../../kernel/kernel.js';
import type { PageMemberCell } from '../memory-results.js';
import { resolveType, sizeofType } from '../../debuginfo/btf/types.js';
import { CrashError } from '../../util/errors.js';

/**
 * `kmem -m member[,member]`: the struct page members to show (memory.c collect_page_member_data,
 * which asks gdb's `printm` for each member's type code, signedness, length, offset and bitfield
 * position), and one page's values of them (show_page_member_data).
 */

/** crash's MAXARGS: the most members one -m list may name. */
const MAXARGS = 100;

export interface PageMember {
  /** As typed ("lru", "lru.next", "_mapcount"); the column header and the radix choice use it. */
  name: string;
  /** gdb's TYPE_CODE after check_typedef; 'other' is what show_page_member_data cannot print. */
  code: 'ptr' | 'int' | 'struct' | 'bool' | 'other';
  unsigned: boolean;
  length: number;
  offset: number;
  /** gdb's value bitpos/bitsize: 0/0 unless a bitfield (then relative to `offset`, a `length` unit) */
  bitpos: number;
  bitsize: number;
}

/** Parse and resolve a -m list; errors are crash's FATAL messages. */
export function collectPageMembers(k: Kernel, optlist: string): PageMember[] {
  if (optlist.split(',').length > MAXARGS) throw new CrashError('too many members in comma-separated list');
  if (optlist.endsWith(',') || optlist.endsWith('.')) throw new CrashError(`invalid format: ${optlist}`);
  const names = optlist.replace(/,/g, ' ').split(/[ \t]+/).filter(Boolean);
  if (!names.length) throw new CrashError(`invalid page struct member list format: ${optlist}`);
  return names.map((name) => {
    const m = k.types.memberOf('struct page', name);
    if (!m) throw new CrashError(`invalid page struct member: ${name}`);
    const t = resolveType(m.type);
    let length: number;
    try {
      length = sizeofType(t, 8);
    } catch {
      throw new CrashError(`invalid page struct member: ${name}`);
    }
    let code: PageMember['code'] = 'other';
    let unsigned = false;
    if (t.kind === 'ptr') code = 'ptr';
    else if (t.kind === 'struct') code = 'struct';
    else if (t.kind === 'int') {
      code = t.bool ? 'bool' : 'int';
      unsigned = !t.signed;
    }
    let offset = Math.floor(m.bitOffset / 8);
    let bitpos = 0;
    let bitsize = 0;
    if (m.bitSize) {
      // gdb value_primitive_field: a bitfield's bitpos is within its type-sized container
      bitpos = m.bitOffset % (length * 8);
      offset = (m.bitOffset - bitpos) / 8;
      bitsize = m.bitSize;
    }
    return { name, code, unsigned, length, offset, bitpos, bitsize };
  });
}

const unsupported = (m: PageMember) => new CrashError(`unsupported page member reference: page.${m.name}`);

/** One page's cells, read from its struct page bytes at `off` in `dv`. */
export function pageMemberCells(members: PageMember[], dv: DataView, off: number, radix: 10 | 16): PageMemberCell[] {
  return members.map((m): PageMemberCell => {
    const at = off + m.offset;
    if (at + m.length > dv.byteLength) throw unsupported(m);
    switch (m.code) {
      case 'ptr':
        return { kind: 'ptr', value: dv.getBigUint64(at, true) };
      case 'int': {
        let v: bigint;
        if (m.length === 1) v = BigInt(dv.getUint8(at));
        else if (m.length === 2) v = BigInt(dv.getUint16(at, true));
        else if (m.length === 4) v = BigInt(dv.getUint32(at, true));
        else if (m.length === 8) v = dv.getBigUint64(at, true);
        else throw unsupported(m);
        if (m.bitpos || m.bitsize) {
          // get_bitfield_data: only 4- and 8-byte containers
          if (m.length !== 4 && m.length !== 8) throw unsupported(m);
          v = (v >> BigInt(m.bitpos)) & ((1n << BigInt(m.bitsize)) - 1n);
        }
        // "flags" in hex, _count/_mapcount in decimal, the rest in the output radix
        const decimal = m.name === 'flags' ? false : isCount(m.name) ? true : radix === 10;
        return { kind: 'int', value: v, size: m.length, signed: !m.unsigned, decimal };
      }
      case 'struct': {
        if (isCount(m.name)) return { kind: 'count', value: dv.getInt32(at, true) };
        if (m.length % 8 === 0) return { kind: 'longs', values: Array.from({ length: m.length / 8 }, (_, i) => dv.getBigUint64(at + 8 * i, true)) };
        if (m.length % 4 === 0) return { kind: 'ints', values: Array.from({ length: m.length / 4 }, (_, i) => dv.getUint32(at + 4 * i, true)) };
        if (m.length === 2) return { kind: 'short', value: dv.getUint16(at, true) };
        throw unsupported(m);
      }
      case 'bool':
        return { kind: 'bool', value: dv.getUint8(at), decimal: radix === 10 };
      default:
        throw unsupported(m);
    }
  });
}

/** STRNEQ(member, "_count") || STRNEQ(member, "_mapcount"): a prefix match. */
const isCount = (name: string) => name.startsWith('_count') || name.startsWith('_mapcount');
