/**
 * arm64 `bt -f` / `bt -F`: the stack words between frames, as crash's arm64.c shows them.
 *
 * crash's rules (arm64_print_stackframe_entry / arm64_display_full_frame / arm64_switch_stack, UNW_4_14):
 * - before frame #N (N >= 1), the words from frame #N-1's frame record (its printed [sp], the fp)
 *   up to but excluding frame #N's, when both lie on the stack being walked; a record of 0 ends the
 *   words at the user pt_regs (stacktop - USER_EFRAME_OFFSET), any other one off the stack at its top;
 * - two words a row: `"    %lx: "` then `"%016lx "` each (the last row may hold one);
 * - leaving the IRQ stack, the words from the last record on it to the IRQ stack's top, then
 *   `--- <IRQ stack> ---`; the first frame on the task stack has no words before it (its previous
 *   record is on the other stack);
 * - -F prints each word as format_stack_entry() does: `%-16s` of name+offset for a value inside a
 *   kernel or module symbol (value_search), `[cache]` in a slab object, else `%016lx`.
 *
 * Synthetic: page-table-check-arm64 with irq_stack_ptr (as in backtrace-irq-arm64.test.ts) and
 * pagecache-corruption-arm64 (a trace through module text). Real: the captured Debian arm64 vmcore,
 * its words checked against an independent page-table walk over the ELF's PT_LOADs.
 */
import { describe, expect, it } from 'vitest';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadScenario } from '../../src/synth/scenario.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump, openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { arm64IrqStack } from '../../src/kernel/helpers/stacks-arm64.js';
import { moduleSymbolAt } from '../../src/kernel/helpers/module.js';
import { CACHE_DIR } from '../support/refdump.js';
import type { Kernel } from '../../src/kernel/kernel.js';

type Item =
  | { kind: 'frame'; level: number; sp: bigint; name: string; at: bigint; line: string }
  | { kind: 'rows'; rows: { addr: bigint; cells: string[] }[] }
  | { kind: 'switch'; label: string }
  | { kind: 'header' | 'other'; line: string };

const H = (s: string) => BigInt('0x' + s);

/** One task's bt output as frames, blocks of word rows, stack switches and everything else. */
function parse(text: string): Item[][] {
  const tasks: Item[][] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (line.startsWith('PID: ')) {
      tasks.push([{ kind: 'header', line }]);
      continue;
    }
    const cur = tasks[tasks.length - 1];
    const f = /^ ?#(\d+) \[([0-9a-f]+)\] (\S+) at ([0-9a-f]+)/.exec(line);
    const r = /^ {4}([0-9a-f]+): (.*)$/.exec(line);
    const s = /^--- <(.*)> ---$/.exec(line);
    if (f) cur.push({ kind: 'frame', level: +f[1], sp: H(f[2]), name: f[3], at: H(f[4]), line });
    else if (r) {
      // each cell is followed by one space; a -F name longer than 16 characters is not cut
      expect(r[2].endsWith(' '), line).toBe(true);
      const row = { addr: H(r[1]), cells: r[2].trim().split(/ +/) };
      const last = cur[cur.length - 1];
      if (last?.kind === 'rows') last.rows.push(row);
      else cur.push({ kind: 'rows', rows: [row] });
    } else if (s) cur.push({ kind: 'switch', label: s[1] });
    else cur.push({ kind: 'other', line });
  }
  return tasks;
}

interface Block {
  from: bigint;
  to: bigint;
  /** the words block shown (undefined: none) */
  rows?: { addr: bigint; cells: string[] }[];
  before: Extract<Item, { kind: 'frame' }>;
  after?: Extract<Item, { kind: 'frame' }>;
}

/**
 * Check crash's rules on one task's -f output and return every words block with the range it must
 * cover. `altTop(sp)`: the top of the IRQ/overflow stack holding sp.
 */
function expectCrashLayout(items: Item[], altTop: (sp: bigint) => bigint): Block[] {
  const blocks: Block[] = [];
  let prev: Extract<Item, { kind: 'frame' }> | undefined;
  let pending: { rows?: Block['rows']; switched: boolean; switchRows?: Block['rows'] } = { switched: false };
  for (const it of items) {
    if (it.kind === 'rows') {
      expect(prev, 'words before the first frame').toBeDefined();
      expect(pending.rows ?? pending.switchRows, `two word blocks after #${prev!.level}`).toBeUndefined();
      pending.rows = it.rows;
    } else if (it.kind === 'switch') {
      pending = { switched: true, switchRows: pending.rows };
      expect(pending.switchRows, `the rest of the ${it.label} before its marker`).toBeDefined();
      blocks.push({ from: prev!.sp, to: altTop(prev!.sp), rows: pending.switchRows, before: prev! });
    } else if (it.kind === 'frame') {
      if (!prev) expect(pending.rows, 'no words before #0').toBeUndefined();
      else if (pending.switched) expect(pending.rows, `#${it.level}: no words after the stack switch`).toBeUndefined();
      else {
        // the frame records are chained upwards on one stack
        expect(it.sp > prev.sp, `#${it.level}`).toBe(true);
        blocks.push({ from: prev.sp, to: it.sp, rows: pending.rows, before: prev, after: it });
      }
      prev = it;
      pending = { switched: false };
    }
  }
  for (const b of blocks) {
    const what = `words after #${b.before.level} ${b.before.name}`;
    expect(b.rows, what).toBeDefined();
    const rows = b.rows!;
    const n = Number((b.to - b.from) / 8n);
    expect(rows.length, what).toBe(Math.ceil(n / 2));
    rows.forEach((r, i) => {
      expect(r.addr, what).toBe(b.from + BigInt(16 * i));
      expect(r.cells.length, what).toBe(i < rows.length - 1 || n % 2 === 0 ? 2 : 1);
    });
  }
  return blocks;
}

/** Every printed -f word is the 64-bit word at its address. */
function expectWords(blocks: Block[], read: (a: bigint) => bigint): number {
  let count = 0;
  for (const b of blocks) {
    for (const r of b.rows!) {
      r.cells.forEach((c, j) => {
        expect(c, `${r.addr.toString(16)}`).toMatch(/^[0-9a-f]{16}$/);
        expect(H(c), `word at ${(r.addr + BigInt(8 * j)).toString(16)}`).toBe(read(r.addr + BigInt(8 * j)));
        count++;
      });
    }
  }
  return count;
}

/** The frame record at a frame's [sp] holds the next frame's fp and return address (at + 4). */
function expectFrameRecords(blocks: Block[]): void {
  for (const b of blocks) {
    if (!b.after) continue;
    const [fp, lr] = b.rows![0].cells.map(H);
    expect(fp, `#${b.before.level} record`).toBe(b.after.sp);
    expect(lr, `#${b.before.level} record`).toBe(b.after.at + 4n);
  }
}

/** The word rows of bt -f and of bt -F, checked to be at the same stack addresses. */
function pairedRows(f: Item[][], F: Item[][]) {
  const rowsOf = (t: Item[][]) => t.flatMap((items) => items.flatMap((i) => (i.kind === 'rows' ? i.rows : [])));
  const a = rowsOf(f);
  const b = rowsOf(F);
  expect(b.map((r) => r.addr)).toEqual(a.map((r) => r.addr));
  return [a, b] as const;
}

/** -F against -f: the same rows, each cell the number or the symbolic text `symbolize` gives for it. */
function expectSymbolic(f: Item[][], F: Item[][], symbolize: (v: bigint) => string | undefined): number {
  const [a, b] = pairedRows(f, F);
  let named = 0;
  a.forEach((r, i) =>
    r.cells.forEach((c, j) => {
      const s = symbolize(H(c));
      if (s !== undefined) named++;
      expect(b[i].cells[j], `${r.addr.toString(16)}+${8 * j}`).toBe(s ?? c);
    }),
  );
  return named;
}

function scenario(name: string, irqStacks: boolean): { k: Kernel; run: (cmd: string) => string } {
  const s = loadScenario(resolve('dumps', name));
  if (irqStacks) s.percpu.push({ name: 'irq_stack_ptr', offset: 0x8000n, type: 'unsigned long' });
  const k = kernelFromDump(buildScenarioDump(s));
  const session = new Session(k, { silent: true });
  return { k, run: (cmd) => session.runLine(cmd).text };
}

describe('arm64 bt -f / -F (synthetic)', () => {
  const { k, run } = scenario('page-table-check-arm64', true);
  const altTop = (cpu: number) => (sp: bigint) => {
    const irq = arm64IrqStack(k, cpu)!;
    expect(sp >= irq.base && sp < irq.top, `${sp.toString(16)} on cpu ${cpu}'s IRQ stack`).toBe(true);
    return irq.top;
  };

  it('an idle cpu stopped on its IRQ stack: words per frame, the rest of the IRQ stack, none after the crossing', () => {
    const [items] = parse(run('bt -f -c 1'));
    // the frames are those of plain bt, in the same order
    const plain = parse(run('bt -c 1'))[0].filter((i) => i.kind !== 'rows');
    expect(items.filter((i) => i.kind !== 'rows')).toEqual(plain);
    const blocks = expectCrashLayout(items, altTop(1));
    const cross = blocks.find((b) => !b.after)!;
    expect(cross.before.name).toBe('gic_handle_irq');
    expect(cross.to).toBe(arm64IrqStack(k, 1)!.top);
    // one block per frame but #0 and the first on the task stack, and one for the rest of the IRQ stack
    expect(blocks.length).toBe(items.filter((i) => i.kind === 'frame').length - 1);
    expect(expectWords(blocks, (a) => k.readU64(a))).toBeGreaterThan(100);
    expectFrameRecords(blocks);
    // the el1h_64_irq exception frame comes before the words leading to the next frame, as in crash
    const el1 = items.findIndex((i) => i.kind === 'frame' && i.name === 'el1h_64_irq');
    expect(items.slice(el1 + 1, el1 + 5).map((i) => i.kind)).toEqual(['other', 'other', 'other', 'other']);
    expect(items.slice(el1 + 1).find((i) => i.kind !== 'other')?.kind).toBe('rows');
  });

  it('the panic task: kdump frames, the el1 exception, and the words up to el0t_64_sync before the user registers', () => {
    const [items] = parse(run('bt -f'));
    const blocks = expectCrashLayout(items, () => {
      throw new Error('no stack switch expected');
    });
    expect(expectWords(blocks, (a) => k.readU64(a))).toBeGreaterThan(200);
    expectFrameRecords(blocks);
    const last = blocks[blocks.length - 1];
    expect(last.after!.name).toBe('el0t_64_sync');
    // the user pt_regs follow the last frame
    const i = items.indexOf(last.after!);
    expect((items[i + 1] as { line: string }).line).toMatch(/^ {5}PC: [0-9a-f]{16} {3}LR: /);
  });

  it('bt -F names kernel text; -FF the same where no slab is involved', () => {
    const f = parse(run('bt -f'));
    const sym = (v: bigint) => {
      const hit = k.arch.isKernelAddr(v) ? (k.symbols.containing(v) ?? moduleSymbolAt(k, v)) : undefined;
      return hit ? (hit.offset ? `${hit.sym.name}+${hit.offset}` : hit.sym.name) : undefined;
    };
    expect(expectSymbolic(f, parse(run('bt -F')), sym)).toBeGreaterThan(20);
    expect(run('bt -FF')).toBe(run('bt -F'));
  });

  it('bt -F names return addresses into module text (value_search covers modules)', () => {
    const m = scenario('pagecache-corruption-arm64', false);
    const F = parse(m.run('bt -F'))[0];
    const s = parse(m.run('bt -s'))[0].filter((i): i is Extract<Item, { kind: 'frame' }> => i.kind === 'frame');
    const blocks = expectCrashLayout(F, () => {
      throw new Error('no stack switch expected');
    });
    let modules = 0;
    for (const b of blocks) {
      // the second word of each frame record is the next frame's return address: bt -s's name+offset, plus 4
      const next = s.find((x) => x.level === b.after!.level)!;
      const [name, off] = /^ ?#\d+ \[[0-9a-f]+\] (\S+?)(?:\+(\d+))? at /.exec(next.line)!.slice(1);
      expect(b.rows![0].cells[1], next.line).toBe(`${name}+${BigInt(off ?? 0) + 4n}`);
      if (next.line.endsWith(']')) modules++;
    }
    expect(modules).toBeGreaterThan(5);
  });
});

// --- the real arm64 dump ------------------------------------------------------------------------

const DIR = join(CACHE_DIR, 'arm64-debian12');
const DUMP = join(DIR, 'vmcore.elf');
const skip = existsSync(DUMP) ? undefined : `${DUMP} absent (run scripts/capture-arm64.sh)`;
if (skip) console.log(`arm64 real-dump bt -f tests skipped: ${skip}`);

const U64 = (1n << 64n) - 1n;

/** VMCOREINFO as the capture saved it. */
function vmcoreinfo(key: string): bigint {
  const text = readFileSync(join(DIR, 'vmcoreinfo.txt'), 'utf8');
  const v = new RegExp(`^${key.replace(/[()]/g, '\\$&')}=(.*)$`, 'm').exec(text)![1];
  // NUMBER()s are decimal or 0x-hex; SYMBOL()s and KERNELOFFSET bare hex
  return BigInt.asUintN(64, BigInt(/^NUMBER\(/.test(key) || v.startsWith('0x') ? v : '0x' + v));
}

/** Guest-physical reads straight from the ELF's PT_LOADs. */
function elfReader(): { phys(pa: bigint): bigint; close(): void } {
  const fd = openSync(DUMP, 'r');
  const eh = Buffer.alloc(64);
  readSync(fd, eh, 0, 64, 0);
  const phoff = Number(eh.readBigUInt64LE(32));
  const phentsize = eh.readUInt16LE(54);
  const phnum = eh.readUInt16LE(56);
  const ph = Buffer.alloc(phentsize * phnum);
  readSync(fd, ph, 0, ph.length, phoff);
  const loads: { off: bigint; pa: bigint; size: bigint }[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    if (ph.readUInt32LE(o) === 1) loads.push({ off: ph.readBigUInt64LE(o + 8), pa: ph.readBigUInt64LE(o + 24), size: ph.readBigUInt64LE(o + 32) });
  }
  return {
    phys(pa) {
      const l = loads.find((x) => pa >= x.pa && pa + 8n <= x.pa + x.size);
      if (!l) throw new Error(`physical ${pa.toString(16)} in no PT_LOAD`);
      const b = Buffer.alloc(8);
      readSync(fd, b, 0, 8, Number(l.off + pa - l.pa));
      return b.readBigUInt64LE(0);
    },
    close: () => closeSync(fd),
  };
}

/**
 * A kernel virtual address read by walking swapper_pg_dir by hand (4K pages, 48-bit VA: four
 * levels of 9 bits; a level-1/2 block descriptor maps 1G/2M), the tables read physically.
 */
function virtReader(elf: { phys(pa: bigint): bigint }): (va: bigint) => bigint {
  const pgd = (vmcoreinfo('SYMBOL(swapper_pg_dir)') - vmcoreinfo('NUMBER(kimage_voffset)')) & U64;
  const OA = 0x0000fffffffff000n;
  return (va) => {
    let table = pgd;
    for (let level = 0; level < 4; level++) {
      const shift = BigInt(39 - 9 * level);
      const d = elf.phys(table + ((va >> shift) & 0x1ffn) * 8n);
      if (!(d & 1n)) throw new Error(`${va.toString(16)} unmapped at level ${level}`);
      if (level === 3 || !(d & 2n)) {
        const size = 1n << shift;
        return elf.phys((d & OA & ~(size - 1n)) | (va & (size - 1n)));
      }
      table = d & OA;
    }
    throw new Error('unreachable');
  };
}

/** System.map's symbols relocated by KERNELOFFSET, sorted: value_search's answer, independently of kallsyms. */
function systemMapSymbolizer(): (v: bigint) => string | undefined {
  const off = vmcoreinfo('KERNELOFFSET');
  const syms = readFileSync(join(DIR, 'System.map'), 'latin1')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((p) => p.length === 3 && /^[tTwW]$/.test(p[1]))
    .map((p) => ({ addr: (H(p[0]) + off) & U64, name: p[2] }))
    .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return (v) => {
    let lo = 0;
    let hi = syms.length - 1;
    if (v < syms[0].addr || v > syms[hi].addr + 0x10000n) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (syms[mid].addr <= v) lo = mid;
      else hi = mid - 1;
    }
    // the name at the highest address not above v (several aliases: any of them)
    const at = syms[lo].addr;
    const names = syms.filter((s) => s.addr === at).map((s) => s.name);
    const o = v - at;
    return names.map((n) => (o ? `${n}+${o}` : n)).join('|');
  };
}

describe.skipIf(!!skip)('arm64 bt -f / -F (real Debian 12 arm64 vmcore)', () => {
  it('every word is the dump\'s, the rows cover each frame up to the next, the IRQ stack to its top', () => {
    const k = openKernel(DUMP);
    const elf = elfReader();
    try {
      const session = new Session(k, { silent: true });
      const read = virtReader(elf);
      const text = session.runLine('bt -f -a').text + session.runLine('bt -f 2 91 92').text;
      const tasks = parse(text);
      expect(tasks.length).toBe(5);
      let words = 0;
      let crossings = 0;
      for (const items of tasks) {
        const cpu = Number(/CPU: (\d+)/.exec((items[0] as { line: string }).line)![1]);
        const blocks = expectCrashLayout(items, (sp) => {
          crossings++;
          const irq = arm64IrqStack(k, cpu)!;
          expect(sp >= irq.base && sp < irq.top).toBe(true);
          return irq.top;
        });
        words += expectWords(blocks, read);
        expectFrameRecords(blocks);
      }
      expect(crossings).toBe(1); // swapper/1, stopped in its IRQ handler
      expect(words).toBeGreaterThan(500);
    } finally {
      elf.close();
      k.dump.close();
    }
  });

  it('bt -F: the same rows, text addresses named as System.map names them', () => {
    const k = openKernel(DUMP);
    try {
      const session = new Session(k, { silent: true });
      const sym = systemMapSymbolizer();
      const f = parse(session.runLine('bt -f -a').text);
      const F = parse(session.runLine('bt -F -a').text);
      const [a, b] = pairedRows(f, F);
      let named = 0;
      a.forEach((r, i) =>
        r.cells.forEach((c, j) => {
          const got = b[i].cells[j];
          const v = H(c);
          const isText = k.symbols.containing(v) !== undefined && k.symbols.containing(v)!.sym.type.toLowerCase() === 't';
          if (!isText) return;
          // every word in kernel text gets its function's name and offset
          named++;
          expect(sym(v)!.split('|'), `${r.addr.toString(16)}: ${c}`).toContain(got);
        }),
      );
      expect(named).toBeGreaterThan(40);
    } finally {
      k.dump.close();
    }
  });
});
