/**
 * Kernel structures damaged in a scenario dump's memory, each run through a real session: the
 * command prints crash's message for what it could not follow (crash tools.c do_list's
 * "duplicate list entry", readmem's "seek error: kernel virtual address"), prints what it could,
 * and the next command still answers. Loops are found by cycle detection or bounded walks.
 */
import { describe, expect, it } from 'vitest';
import { damaged, promptReturns, run } from './support.js';

const LSM = 'lsm-ro-write'; // x86_64 4.19: init_task + 4 tasks on init_task.tasks, a module
const TASKS = 'struct task_struct';

describe('a cyclic list_head', () => {
  // init_task -> systemd -> kthreadd -> bash -> systemd again (insmod and the way back are lost)
  const open = () =>
    damaged(LSM, (d) => {
      const off = d.off(TASKS, 'tasks');
      const t1 = d.k.readPtr(d.sym('init_task') + off);
      const t2 = d.k.readPtr(t1);
      const t3 = d.k.readPtr(t2);
      d.u64(t3, t1);
    });

  it('list stops at the repeated entry with crash\'s "duplicate list entry"', () => {
    const { session: s } = open();
    const out = run(s!, `list task_struct.tasks -h init_task`);
    expect(out).toBe('ffffffffaa812780\nffff8ee2ff888000\nffff8ee2ff88c000\nffff8ee2f5e40000\nlist: \nduplicate list entry: ffff8ee2ff888000\n');
    promptReturns(s!);
  });

  it('sys says why it cannot count the tasks; ps lists the tasks found before the loop', () => {
    const { session: s } = open();
    // sys walks the list_heads themselves: the repeated node is systemd's tasks member
    expect(run(s!, 'sys')).toMatch(/^ {7}TASKS: \(unknown: duplicate list entry: ffff8ee2ff888040\)$/m);
    const ps = run(s!, 'ps');
    for (const comm of ['swapper/0', 'swapper/1', 'systemd', 'kthreadd', 'bash']) expect(ps).toContain(comm);
    expect(ps).not.toContain('insmod'); // only reachable past the loop
    promptReturns(s!);
  });
});

describe('a task list whose next pointer leaves memory', () => {
  const WILD = 0xffff8ee4c0000000n; // page_offset + 8 GB: beyond the 2 GB of RAM
  const open = () => damaged(LSM, (d) => d.u64(d.k.readPtr(d.sym('init_task') + d.off(TASKS, 'tasks')), WILD));

  it('list prints the entries up to the wild one and crash\'s "invalid list entry"', () => {
    const { session: s } = open();
    expect(run(s!, 'list task_struct.tasks -h init_task')).toBe('ffffffffaa812780\nffff8ee2ff888000\nffff8ee4bfffffc0\nlist: \ninvalid list entry: ffff8ee4c0000000\n');
    promptReturns(s!);
  });

  it('sys names the seek error; ps keeps init_task and systemd', () => {
    const { session: s } = open();
    // the first read of the wild "task" is its thread list (thread_group at 0x68 in this layout)
    expect(run(s!, 'sys')).toMatch(/^ {7}TASKS: \(unknown: seek error: kernel virtual address: ffff8ee4c0000068 {2}type: "struct task_struct.thread_group next"\)$/m);
    const ps = run(s!, 'ps');
    expect(ps).toContain('systemd');
    expect(ps).not.toContain('kthreadd');
    promptReturns(s!);
  });
});

describe('page tables that point to themselves', () => {
  /** The module's struct module: in the module area, mapped by 4K page tables (no linear shortcut). */
  const target = (d: Parameters<Parameters<typeof damaged>[1]>[0]) => d.k.readPtr(d.sym('modules')) - d.off('struct module', 'list');

  it('a PGD entry pointing back at the PGD page: vtop shows the walk through it, rd fails as crash does', () => {
    let va = 0n;
    let pgdPa = 0n;
    const { session: s } = damaged(LSM, (d) => {
      va = target(d);
      const pgd = d.sym('init_top_pgt');
      pgdPa = d.pa(pgd);
      // the PGD entry of va points at the PGD page itself: its PUD table is the PGD
      d.u64(pgd + ((va >> 39n) & 0x1ffn) * 8n, pgdPa | 0x63n);
    });
    const vtop = run(s!, `vtop ${va.toString(16)}`);
    expect(vtop).toContain(`PGD DIRECTORY: ffffffffaa80a000`);
    // the PGD page read again as the PUD table: its entry for va is the same self-pointer, then the
    // PMD slot (a PGD slot of user space) is empty: not mapped
    const self = (pgdPa | 0x63n).toString(16);
    expect(vtop).toContain(`${va.toString(16)}  (not mapped)`);
    expect(vtop).toMatch(new RegExp(`^ {3}PUD: [0-9a-f]+ => ${self}\n {3}PMD: [0-9a-f]+ => 0\n$`, 'm'));
    expect(run(s!, `rd ${va.toString(16)}`)).toBe(`rd: invalid kernel virtual address: ${va.toString(16)}  type: "64-bit KVADDR"\n`);
    promptReturns(s!);
  });

  it('every level pointing at the PGD page (a recursive mapping): the 4-level walk ends on the PGD page', () => {
    let va = 0n;
    let pgdPa = 0n;
    const { session: s } = damaged(LSM, (d) => {
      va = target(d);
      const pgd = d.sym('init_top_pgt');
      pgdPa = d.pa(pgd);
      for (const shift of [39n, 30n, 21n, 12n]) d.u64(pgd + ((va >> shift) & 0x1ffn) * 8n, pgdPa | 0x63n);
    });
    const vtop = run(s!, `vtop ${va.toString(16)}`);
    expect(vtop.split('\n')[1]).toBe(`${va.toString(16)}  ${(pgdPa + (va & 0xfffn)).toString(16)}`.padEnd(vtop.split('\n')[1].length));
    // the "page" is the PGD page itself: rd shows its entries
    expect(run(s!, `rd ${(va & ~0xfffn).toString(16)}`)).toMatch(/^[0-9a-f]{16}: {2}[0-9a-f]{16} /);
    promptReturns(s!);
  });
});

describe('a cyclic xarray (a page cache, i_pages)', () => {
  // pagecache-corruption-arm64: /mnt/flash/ipe's 1210 cached pages under an xa_node
  const INODE = 0xffff0001d4c89ff8n;
  it('files -p stops on the looping node with crash\'s "duplicate tree node"; the session goes on', () => {
    let head = 0n;
    const { session: s } = damaged('pagecache-corruption-arm64', (d) => {
      const xa = INODE + d.off('struct inode', 'i_data') + d.off('struct address_space', 'i_pages');
      head = d.k.readPtr(xa + d.off('struct xarray', 'xa_head'));
      const slots = head - 2n + d.off('struct xa_node', 'slots');
      d.u64(slots + 8n, head); // slot 1 points back at its own node
    });
    const out = run(s!, `files -p ${INODE.toString(16)}`);
    // crash do_xarray_iter's "duplicate tree node": the node met again
    expect(out).toMatch(new RegExp(`^files: xarray at ffff0001d4c8a0f8: duplicate tree node: ${(head - 2n).toString(16)}\n$`, 'm'));
    promptReturns(s!);
  });
});
