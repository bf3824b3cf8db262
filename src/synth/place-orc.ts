/**
 * The x86_64 ORC unwind tables of a scenario kernel (arch/x86/kernel/unwind_orc.c), generated
 * from the stacks the scenario lays out, when its types declare `struct orc_entry` (an ORC kernel,
 * CONFIG_UNWINDER_ORC, v4.14+): without it the kernel is a frame-pointer one and has none.
 *
 *   .orc_unwind_ip  s32 per entry, the address it describes relative to the slot itself
 *   .orc_unwind     6-byte struct orc_entry {s16 sp_offset; s16 bp_offset; flags}, in the
 *                   layout the declared struct orc_entry has (end bit: v4.14; signal: v6.3; ...)
 *   orc_lookup[]    what unwind_init() builds at boot: for each 256-byte block of _stext.._etext,
 *                   the index of the entry covering its start; lookup_num_blocks its length
 * Every text symbol starts with a call-frame entry (sp_offset 8: only the return address); entry
 * code that pushes pt_regs starts with an iret-frame entry; each return site and interrupted ip of
 * a declared stack gets the stack-pointer offset of its frame (stacks.ts). Modules get their own
 * tables in struct module's mod_arch_specific (orc_unwind_ip, orc_unwind, num_orcs), as
 * module_finalize() sets them. The last kernel entry, at _etext, is an undefined one.
 */
import type { BuildContext } from './infra.js';
import { writeObject } from './infra.js';
import { CrashError } from '../util/errors.js';
import { orcVersionFromLayout, ORC_ENTRY_SIZE, ORC_LOOKUP_BLOCK_SIZE, type OrcVersion } from '../arch/unwind-orc.js';
import type { UnwindFact } from './stacks.js';

type Kind = 'call' | 'regs' | 'regs_partial' | 'end' | 'undefined';
interface Entry {
  ip: bigint;
  type: Kind;
  spOffset: number;
  fact: boolean;
  what: string;
}

const REG_UNDEFINED = 0;
const REG_SP = 5; // ORC_REG_SP, v4.14-v7.0

/** _etext: the end of the kernel's text, past its last text symbol (unless the scenario names it). */
export function defineTextEnd(c: BuildContext): bigint {
  const have = c.syms.get('_etext');
  if (have) return have.address;
  const start = c.mem.textBase;
  const limit = c.s.layout.dataStart;
  let last = start;
  for (const s of c.syms.list) if (/^[tT]$/.test(s.type) && s.address >= start && s.address < limit && s.address > last) last = s.address;
  const end = (last + 0x1000n + 0xfffn) & ~0xfffn;
  c.syms.add('_etext', end, 'T');
  return end;
}

export function placeOrc(c: BuildContext, facts: UnwindFact[]): void {
  const etext = defineTextEnd(c);
  if (c.s.arch !== 'x86_64' || !c.hasType('struct orc_entry')) return;
  const version = orcVersionFromLayout(c.offsetOfOptional('struct orc_entry', 'end') !== undefined, c.offsetOfOptional('struct orc_entry', 'signal') !== undefined);
  const stext = c.mem.textBase;
  const regsFns = new Set<bigint>();
  const fnStart = (ip: bigint, starts: bigint[]) => {
    let best: bigint | undefined;
    for (const a of starts) if (a <= ip && (best === undefined || a > best)) best = a;
    return best;
  };

  // the kernel image
  const kstarts = c.syms.list.filter((s) => /^[tT]$/.test(s.type) && s.address >= stext && s.address < etext).map((s) => s.address);
  const kfacts = facts.filter((f) => f.ip >= stext && f.ip < etext);
  for (const f of kfacts) if (f.type === 'regs') regsFns.add(fnStart(f.ip, kstarts) ?? f.ip);
  const kernel = entries(c, kstarts, kfacts, regsFns);
  kernel.push({ ip: etext, type: 'undefined', spOffset: 0, fact: false, what: '_etext' });
  const { ipTable, table } = writeTables(c, kernel, version);
  c.syms.add('__start_orc_unwind_ip', ipTable, 'R');
  c.syms.add('__stop_orc_unwind_ip', ipTable + BigInt(4 * kernel.length), 'R');
  c.syms.add('__start_orc_unwind', table, 'R');
  c.syms.add('__stop_orc_unwind', table + BigInt(ORC_ENTRY_SIZE * kernel.length), 'R');

  // orc_lookup[], as unwind_init() fills it
  const blocks = Number((etext - stext) / ORC_LOOKUP_BLOCK_SIZE) + 1;
  const lookup = c.mem.allocData(4 * blocks, 4096);
  const buf = new Uint8Array(4 * blocks);
  const dv = new DataView(buf.buffer);
  let j = 0;
  for (let i = 0; i < blocks; i++) {
    const ip = i === blocks - 1 ? etext : stext + BigInt(i) * ORC_LOOKUP_BLOCK_SIZE;
    while (j + 1 < kernel.length && kernel[j + 1].ip <= ip) j++;
    dv.setUint32(4 * i, j, true);
  }
  c.mem.write(lookup, buf);
  c.syms.add('orc_lookup', lookup, 'B');
  c.syms.add('orc_lookup_end', lookup + BigInt(4 * blocks), 'B');
  const nb = c.mem.allocData(4, 4);
  c.mem.writeU32(nb, blocks);
  c.syms.add('lookup_num_blocks', nb, 'd');

  // each module's own tables
  const modArch = c.offsetOfOptional('struct module', 'arch.orc_unwind') !== undefined;
  for (const m of c.s.modules ?? []) {
    const mfacts = facts.filter((f) => f.ip >= m.base && f.ip < m.base + m.size);
    if (!modArch) {
      if (mfacts.length) throw new CrashError(`scenario ${c.s.name}: module ${m.name} has stack frames but struct module has no arch.orc_unwind`);
      continue;
    }
    const starts = m.symbols.filter((s) => /^[tT]$/.test(s.type)).map((s) => s.addr);
    const mregs = new Set<bigint>();
    for (const f of mfacts) if (f.type === 'regs') mregs.add(fnStart(f.ip, starts) ?? f.ip);
    const list = entries(c, starts, mfacts, mregs);
    const t = writeTables(c, list, version);
    writeObject(c, m.struct, 'struct module', { 'arch.num_orcs': list.length, 'arch.orc_unwind_ip': t.ipTable, 'arch.orc_unwind': t.table });
  }
}

function entries(c: BuildContext, starts: bigint[], facts: UnwindFact[], regsFns: Set<bigint>): Entry[] {
  const byIp = new Map<bigint, Entry>();
  for (const a of starts) byIp.set(a, { ip: a, type: regsFns.has(a) ? 'regs_partial' : 'call', spOffset: regsFns.has(a) ? 0 : 8, fact: false, what: 'function start' });
  for (const f of facts) {
    const e: Entry = { ip: f.ip, type: f.type, spOffset: f.spOffset, fact: true, what: f.what };
    const old = byIp.get(f.ip);
    if (old?.fact && (old.type !== e.type || old.spOffset !== e.spOffset)) {
      throw new CrashError(`scenario ${c.s.name}: ${f.what} and ${old.what} disagree about the frame at ${f.ip.toString(16)}`);
    }
    byIp.set(f.ip, e);
  }
  return [...byIp.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

function writeTables(c: BuildContext, list: Entry[], version: OrcVersion): { ipTable: bigint; table: bigint } {
  const ipTable = c.mem.allocData(4 * list.length, 4);
  const ips = new Uint8Array(4 * list.length);
  const idv = new DataView(ips.buffer);
  list.forEach((e, i) => {
    const rel = e.ip - (ipTable + BigInt(4 * i));
    if (rel < -(1n << 31n) || rel >= 1n << 31n) throw new CrashError(`scenario ${c.s.name}: ${e.ip.toString(16)} is out of .orc_unwind_ip's reach`);
    idv.setInt32(4 * i, Number(rel), true);
  });
  c.mem.write(ipTable, ips);
  const table = c.mem.allocData(ORC_ENTRY_SIZE * list.length, 2);
  const out = new Uint8Array(ORC_ENTRY_SIZE * list.length);
  list.forEach((e, i) => out.set(encodeOrcEntry(e.type, e.spOffset, version), ORC_ENTRY_SIZE * i));
  c.mem.write(table, out);
  return { ipTable, table };
}

/** struct orc_entry's bytes (arch/x86/include/asm/orc_types.h of each era); bp is never tracked. */
export function encodeOrcEntry(type: Kind, spOffset: number, version: OrcVersion): Uint8Array {
  const b = new Uint8Array(ORC_ENTRY_SIZE);
  const dv = new DataView(b.buffer);
  const defined = type === 'call' || type === 'regs' || type === 'regs_partial';
  dv.setInt16(0, defined ? spOffset : 0, true);
  dv.setInt16(2, 0, true);
  let flags = (defined ? REG_SP : REG_UNDEFINED) | (REG_UNDEFINED << 4);
  if (version === 1 || version === 2) {
    // ORC_TYPE_CALL 0, ORC_TYPE_REGS 1, ORC_TYPE_REGS_IRET 2; `end` with an undefined sp ends the stack
    const t = type === 'regs' ? 1 : type === 'regs_partial' ? 2 : 0;
    flags |= t << 8;
    if (type === 'end') flags |= version === 1 ? 0x400 : 0x800;
    if (version === 2 && (type === 'regs' || type === 'regs_partial')) flags |= 0x400; // signal
  } else if (version === 3) {
    const t = { undefined: 0, end: 1, call: 2, regs: 3, regs_partial: 4 }[type];
    flags |= t << 8;
    if (type === 'regs' || type === 'regs_partial') flags |= 0x800;
  } else throw new CrashError(`ORC format v${version} is not generated by the scenario builder`);
  dv.setUint16(4, flags, true);
  return b;
}
