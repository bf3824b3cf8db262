/**
 * bt -O, foreach's 'regex' task selectors and vm -R on the Debian 6.1 reference dump.
 * - bt -O against crash 8.0.2 (crash-8.0.2-extra 79) and its kernel.c toggle: plain bt then is
 *   bt -o until toggled back; inside the -i file a second -O says "(already set)".
 * - foreach 'regex': crash 8.0.2 finds only 3 tasks here, so the selection is checked against our
 *   own task list; crash 8.0.2 on this dump gives the same two error lines for "^sh$" and 'swa['.
 * - vm -R: crash 8.0.2 fails on the 6.1 maple tree, so it is checked against our own vm and vm -p.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rs, skipReason } from '../support/ref-session.js';
import { taskTable } from '../../src/kernel/helpers/task.js';

const skip = skipReason('bt -O / foreach regex / vm -R');
const DIR = join(import.meta.dirname, '..', 'golden', 'crash-8.0.2-extra');
const golden = (n: string) => {
  const f = readFileSync(join(DIR, 'manifest.tsv'), 'utf8').split('\n').find((l) => l.startsWith(n + '_'));
  return readFileSync(join(DIR, f!.split('\t')[0]), 'latin1');
};

describe.skipIf(!!skip)('bt -O', () => {
  it('toggles the default to the old method and back', () => {
    const s = rs().fresh();
    const plain = s.runLine('bt').text;
    const old = s.runLine('bt -o').text;
    expect(old).not.toBe(plain);
    expect(s.runLine('bt -O').text).toBe(golden('79'));
    expect(s.runLine('bt').text).toBe(old);
    expect(s.runLine('bt 95').text).toBe(s.runLine('bt -o 95').text);
    expect(s.runLine('foreach 1 bt').text).toBe(rs().fresh().runLine('foreach 1 bt -o').text);
    expect(s.runLine('bt -O').text).toBe('bt: use new bt method by default\n');
    expect(s.runLine('bt').text).toBe(plain);
  });

  it('is idempotent inside the -i input file', () => {
    const s = rs().fresh();
    s.settings.initFile = true;
    expect(s.runLine('bt -O').text).toBe('bt: use old bt method by default\n');
    expect(s.runLine('bt -O').text).toBe('bt: use old bt method by default (already set)\n');
    expect(s.settings.btOld).toBe(true);
  });
});

describe.skipIf(!!skip)('foreach regex selectors', () => {
  const pidsOf = (text: string) => [...text.matchAll(/^[> ]\s+(\d+)\s+\d+\s+\d+\s+([0-9a-f]+)/gm)].map((m) => m[2]);
  const tasksMatching = (re: RegExp) => taskTable(rs().kernel).filter((t) => re.test(t.comm)).map((t) => t.task.toString(16));

  it('selects the tasks whose names match a single-quoted extended regex', () => {
    const r = rs();
    const kw = tasksMatching(/kworker\/0.*/);
    expect(kw.length).toBeGreaterThan(2);
    expect(pidsOf(r.run("foreach 'kworker/0.*' ps"))).toEqual(kw);
    // unanchored, as regexec(); several expressions add up; bracket classes as POSIX spells them
    expect(pidsOf(r.run("foreach 'swap' ps"))).toEqual(tasksMatching(/swap/));
    expect(pidsOf(r.run("foreach '^ksoft' '^sle+p$' ps"))).toEqual(tasksMatching(/^ksoft|^sle+p$/));
    expect(pidsOf(r.run("foreach 'kworker/[[:digit:]]:[0-9]H' ps"))).toEqual(tasksMatching(/kworker\/\d:\dH/));
    expect(r.run("foreach '^init$' vm")).toBe(r.run('foreach init vm'));
  });

  it('keeps the quotes through an alias', () => {
    const r = rs();
    r.run('alias fe foreach');
    expect(pidsOf(r.run("fe 'kworker/0.*' ps"))).toEqual(tasksMatching(/kworker\/0.*/));
  });

  it('treats double quotes as crash does (a plain name) and reports a bad expression', () => {
    const r = rs();
    expect(r.run('foreach "^sh$" ps')).toBe('foreach: unknown argument: "^sh$"\n');
    expect(r.run("foreach 'swa[' ps")).toBe('foreach: invalid regular expression: swa[\n');
  });
});

describe.skipIf(!!skip)('vm -R', () => {
  const r = () => rs();
  const vmLines = () => r().run('vm 1').split('\n');

  it('shows the VMAs whose file name contains the reference', () => {
    const vm = vmLines();
    const hits = vm.filter((l) => l.endsWith('/bin/busybox'));
    expect(hits.length).toBeGreaterThan(1);
    expect(r().run('vm -R busybox 1')).toBe([...vm.slice(0, 4), ...hits, '', ''].join('\n'));
    expect(r().run('vm -R bin/busy 1')).toBe(r().run('vm -R busybox 1'));
  });

  it('shows a VMA by its vm_area_struct address and by its vm_flags', () => {
    const vm = vmLines();
    const row = vm[6];
    const [vma, , , flags] = row.trim().split(/\s+/);
    expect(r().run(`vm -R ${vma} 1`)).toBe([...vm.slice(0, 4), row, '', ''].join('\n'));
    expect(r().run(`vm -R ${flags} 1`)).toBe([...vm.slice(0, 4), ...vm.filter((l) => l.split(/\s+/)[3] === flags), '', ''].join('\n'));
  });

  it('shows the page of a VMA start address and of a physical address, after its VMA line', () => {
    const vm = vmLines();
    const row = vm.find((l) => /^\S+\s+401000\s/.test(l))!;
    const p = r().run('vm -p 1').split('\n');
    const page = p.find((l) => l.startsWith('401000 '))!;
    const expected = [...vm.slice(0, 4), row, 'VIRTUAL     PHYSICAL        ', page, '', ''].join('\n');
    expect(r().run('vm -R 401000 1')).toBe(expected);
    expect(r().run(`vm -R ${page.trim().split(/\s+/)[1]} 1`)).toBe(expected);
  });

  it('shows the task header and vm data alone for its mm_struct or pgd', () => {
    const vm = vmLines();
    const [mm, pgd] = vm[2].trim().split(/\s+/);
    expect(r().run(`vm -R ${mm} 1`)).toBe([...vm.slice(0, 3), '', ''].join('\n'));
    expect(r().run(`vm -R ${pgd} 1`)).toBe([...vm.slice(0, 3), '', ''].join('\n'));
  });

  it('prints nothing for a task without the reference', () => {
    expect(r().run('vm -R nosuchfile 1')).toBe('');
    expect(r().run('vm -R 0xdeadbeef000 1')).toBe('');
  });

  it('works under foreach, one block per task that matches', () => {
    const users = taskTable(r().kernel).filter((t) => t.mm);
    expect(r().run("foreach '^sleep$' vm -R busybox")).toBe(users.filter((t) => t.comm === 'sleep').map((t) => r().run(`vm -R busybox ${t.task.toString(16)}`)).join(''));
    expect(r().run('foreach user vm -R nosuchfile')).toBe('');
    expect(r().run('foreach vm -m -R busybox')).toBe('foreach: vm: -m is not applicable to the -R option\n');
  });

  it('allows one -R, with or without -p only', () => {
    expect(r().run('vm -p -R busybox 1')).toBe(r().run('vm -R busybox 1'));
    expect(r().run('vm -R a -R b 1').startsWith('vm: only one -R option allowed\nUsage:')).toBe(true);
    expect(r().run('vm -m -R busybox 1').startsWith('Usage:')).toBe(true);
  });
});
