/**
 * Damaged debug information in a scenario dump, through a real session: BTF with a type loop and
 * out-of-range type ids, kallsyms tables with garbage offsets, VMCOREINFO without the keys the
 * session relies on. A session that cannot start says why (the text the command line prints
 * after "crash-tui: "); one that starts prints what it can, says what it cannot, and goes on.
 */
import { describe, expect, it } from 'vitest';
import { btfRecords, damaged, openDump, PatchedDump, promptReturns, run, scenario } from './support.js';

const LSM = 'lsm-ro-write';
const u32 = (v: number) => Uint8Array.from([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
const BTF_KIND_PTR = 2;
const BTF_KIND_STRUCT = 4;
const BTF_KIND_TYPEDEF = 8;

describe('BTF', () => {
  it('a typedef that names itself: whatis says so; other types still print', () => {
    const { session: s } = damaged(LSM, (d) => {
      const r = btfRecords(d.k).find((x) => x.kind === BTF_KIND_TYPEDEF && x.name === 'atomic_long_t')!;
      d.bytes(r.at + 8n, u32(r.id));
    });
    expect(run(s!, 'whatis atomic_long_t')).toMatch(/^whatis: BTF: typedef\/qualifier chain too long at type id \d+\n$/);
    expect(run(s!, 'ps')).toContain('insmod');
    promptReturns(s!);
  });

  it('a pointer to itself (int ****...): struct printing is bounded', () => {
    const { session: s } = damaged(LSM, (d) => {
      const p = btfRecords(d.k).find((x) => x.kind === BTF_KIND_PTR)!;
      d.bytes(p.at + 8n, u32(p.id));
    });
    expect(run(s!, 'struct task_struct init_task')).toMatch(/^struct task_struct \{\n/);
    expect(run(s!, 'ps')).toContain('insmod');
    promptReturns(s!);
  });

  it('struct members with out-of-range type ids: the struct is refused in crash\'s words, the rest works', () => {
    const { session: s } = damaged(LSM, (d) => {
      const r = btfRecords(d.k).find((x) => x.kind === BTF_KIND_STRUCT && x.name === 'task_struct')!;
      for (let i = 0; i < r.vlen; i++) d.bytes(r.at + 12n + BigInt(12 * i) + 4n, u32(0xffffff));
    });
    expect(run(s!, 'struct task_struct init_task')).toBe('struct: invalid data structure reference: task_struct\n');
    expect(run(s!, 'ps')).toBe('ps: invalid structure member: struct task_struct.tasks\n');
    expect(run(s!, 'sys')).toMatch(/^ {7}TASKS: \(unknown: invalid structure member: struct task_struct.tasks\)$/m);
    expect(run(s!, 'struct list_head')).toBe('struct list_head {\n    struct list_head *next;\n    struct list_head *prev;\n}\nSIZE: 16\n');
    promptReturns(s!);
  });
});

describe('kallsyms with garbage offsets', () => {
  it('the kernel is refused with the reason: no encoding of kallsyms_offsets reproduces _stext', () => {
    const o = damaged(LSM, (d) => {
      const n = d.k.readU32(d.k.vmcoreinfo.symbol('kallsyms_num_syms')!);
      const at = d.k.vmcoreinfo.symbol('kallsyms_offsets')!;
      let x = 0x2545f491;
      const junk = new Uint8Array(4 * n).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
      d.bytes(at, junk);
    });
    expect(o.refused).toMatch(/^kallsyms: no kallsyms_offsets encoding reproduces SYMBOL\(_stext\)=ffffffffa9600000$/);
  });

  it('garbage in the offsets of a few symbols only: the session opens and those symbols are wrong, not fatal', () => {
    const { session: s } = damaged(LSM, (d) => {
      const at = d.k.vmcoreinfo.symbol('kallsyms_offsets')!;
      for (let i = 40; i < 48; i++) d.bytes(at + BigInt(4 * i), u32(0xdeadbeef));
    });
    expect(run(s!, 'sys')).toMatch(/RELEASE: 4\.19\.82-wwh/);
    promptReturns(s!);
  });
});

describe('VMCOREINFO missing keys', () => {
  const without = (key: string) => {
    const { dump } = scenario(LSM);
    const p = new PatchedDump(dump);
    p.vmcoreinfo = dump.vmcoreinfo!.split('\n').filter((l) => !l.startsWith(`${key}=`)).join('\n');
    expect(p.vmcoreinfo).not.toBe(dump.vmcoreinfo);
    return openDump(p);
  };
  // keys the session can do without: it finds the value another way (the symbol table, the
  // kdump/ELF header, the default) and the whole session works
  for (const key of ['SYMBOL(swapper_pg_dir)', 'SYMBOL(init_top_pgt)', 'KERNELOFFSET', 'OSRELEASE', 'PAGESIZE', 'SYMBOL(_stext)', 'SYMBOL(mem_section)']) {
    it(`without ${key}: the session starts and answers`, () => {
      const o = without(key);
      expect(o.refused).toBeUndefined();
      const sys = run(o.session!, 'sys');
      expect(sys).toMatch(/^ {5}RELEASE: 4\.19\.82-wwh$/m);
      expect(sys).toMatch(/^ {7}TASKS: 6$/m);
      expect(run(o.session!, 'ps')).toContain('insmod');
      promptReturns(o.session!);
    });
  }
  // keys nothing else can stand in for: the session is refused, naming what is missing
  const fatal: Array<[string, RegExp]> = [
    ['SYMBOL(kallsyms_names)', /^kallsyms: VMCOREINFO lacks kallsyms_names, kallsyms_num_syms, kallsyms_token_table or kallsyms_token_index$/],
    ['SYMBOL(kallsyms_num_syms)', /^kallsyms: VMCOREINFO lacks kallsyms_names, kallsyms_num_syms, kallsyms_token_table or kallsyms_token_index$/],
    ['SYMBOL(kallsyms_token_table)', /^kallsyms: VMCOREINFO lacks kallsyms_names, kallsyms_num_syms, kallsyms_token_table or kallsyms_token_index$/],
    ['SYMBOL(kallsyms_token_index)', /^kallsyms: VMCOREINFO lacks kallsyms_names, kallsyms_num_syms, kallsyms_token_table or kallsyms_token_index$/],
    ['SYMBOL(kallsyms_offsets)', /^kallsyms: VMCOREINFO lacks kallsyms_offsets and kallsyms_addresses$/],
    // without phys_base the kernel image maps to the wrong physical pages: kallsyms reads garbage
    ['NUMBER(phys_base)', /^kallsyms: /],
  ];
  for (const [key, msg] of fatal) {
    it(`without ${key}: refused with the reason`, () => {
      expect(without(key).refused).toMatch(msg);
    });
  }
});
