/**
 * Every bundled scenario replays its investigation: each transcript step of
 * ../shared/scenarios/<name>.md, run through the general command code on the scenario dump,
 * prints the analyst's lines (modulo `...`). Steps whose command a later issue builds are
 * pending (it.todo) until that command lands. The same scenario written as an ELF vmcore and
 * opened through the ELF reader gives byte-identical output.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { SHARED } from '../support/refdump.js';
import { readTranscript, matchTranscript } from '../support/transcript.js';
import { bundledScenarios } from '../../src/synth/bundled.js';
import { buildScenarioDump, writeScenarioElf } from '../../src/synth/build.js';
import { kernelFromDump, openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';

/**
 * Transcripts captured with crash versions older than 8.0.2 differ from it in layout only, as
 * ../shared/refdumps' crash 8.0.2 goldens show: 8.0.2 ends a `struct.member ADDR` line with a comma
 * (20_task_struct_comm), does not number those prints as gdb values (21_px_init_task_pid is `$2`
 * after two member prints), and pads the page table's MAPPING/INDEX columns wider (15_vtop). For
 * such scenarios the comparison ignores exactly that: trailing commas of `member = value` lines,
 * the `$N` number, and the width of blank runs between values (every value, in order, still counts).
 */
const OLDER_CRASH = new Set(['usercopy-kmalloc512', 'lsm-ro-write']);
const olderCrash = (lines: string[]) =>
  lines.map((l) =>
    l
      .replace(/^\s+([\w.[\]]+ = .*?),?$/, '  $1')
      .replace(/^\$\d+ = /, '$N = ')
      .replace(/(\S) {2,}(?=\S)/g, '$1 '),
  );

/** Commands later issues build (ps): their steps are pending. */
const PENDING = /^(ps)\b/;

/**
 * A step whose note calls its output an excerpt (`net -s  (... the analyst's excerpt shows only
 * this row)`) holds lines pasted by hand out of a longer output: they must appear in the output, in
 * order, anywhere, compared without their leading blanks (the paste indented the row by one).
 */
const excerpt = (expected: string[]) => ['...', ...expected.flatMap((l) => [l.trim(), '...'])];

/**
 * Older crash printed the kmem cache table as `CACHE NAME OBJSIZE ALLOCATED TOTAL SLABS SSIZE`;
 * crash 8.0.2 (../shared/refdumps' 05_kmem_s, 17_kmem_*) puts NAME last, and the scenario write-up
 * says to follow current crash. So in an older transcript's expectation the header and each cache
 * line get NAME moved to the end (same values, in crash 8.0.2's order); blank runs are compared
 * loosely anyway (olderCrash).
 */
const currentKmemCacheLayout = (lines: string[]) =>
  lines.map((l, i) => {
    if (/^CACHE\s+NAME\s+OBJSIZE\s+ALLOCATED\s+TOTAL\s+SLABS\s+SSIZE\s*$/.test(l)) return 'CACHE OBJSIZE ALLOCATED TOTAL SLABS SSIZE NAME';
    const m = /^([0-9a-f]{16})\s+(\S+)\s+(\d+\s+\d+\s+\d+\s+\d+\s+\d+k)\s*$/.exec(l);
    return m && i > 0 && /^CACHE\s+NAME\b/.test(lines[i - 1]) ? `${m[1]} ${m[3]} ${m[2]}` : l;
  });

const scenarios = bundledScenarios();
const mdDir = join(SHARED, 'scenarios');
const skip = existsSync(mdDir) ? undefined : `${mdDir} absent`;
if (skip) console.log(`scenario transcript tests skipped: ${skip}`);

describe.skipIf(!!skip)('scenario transcripts', () => {
  for (const sc of scenarios) {
    describe(sc.name, () => {
      // The shared investigation's transcript; for the two whose write-up lists only facts and the
      // commands needed, the scenario carries a transcript.txt of those commands, in crash's layout.
      const md = join(mdDir, `${sc.name}.md`);
      const own = join(sc.dir, 'transcript.txt');
      const steps = [...(existsSync(md) ? readTranscript(md) : []), ...(existsSync(own) ? readTranscript(own) : [])];
      const session = new Session(kernelFromDump(buildScenarioDump(sc.dir)), { dumpPath: sc.dir, silent: true });
      it('has a transcript to replay', () => expect(steps.length).toBeGreaterThan(0));
      for (const step of steps) {
        if (PENDING.test(step.command)) {
          it.todo(`${step.command} (pending: a later issue builds this command)`);
          continue;
        }
        it(step.command, () => {
          const out = session.runLine(step.command).text.replace(/\n$/, '').split('\n');
          const older = OLDER_CRASH.has(sc.name);
          const isExcerpt = /\bexcerpt\b/.test(step.note ?? '');
          let expected = older && /^kmem\b/.test(step.command) ? currentKmemCacheLayout(step.expected) : step.expected;
          if (isExcerpt) expected = excerpt(expected);
          const shown = isExcerpt ? out.map((l) => l.trimStart()) : out;
          const diff = older ? matchTranscript(olderCrash(shown), olderCrash(expected)) : matchTranscript(shown, expected);
          expect(diff, `${step.command}\n${out.join('\n')}`).toBeUndefined();
        });
      }
      it('opens identically from its exported ELF vmcore', () => {
        const tmp = mkdtempSync(join(tmpdir(), 'crash-tui-elf-'));
        try {
          const file = join(tmp, `${sc.name}.vmcore`);
          writeScenarioElf(sc.dir, file);
          const a = new Session(kernelFromDump(buildScenarioDump(sc.dir)), { dumpPath: 'x', silent: true });
          const b = new Session(openKernel(file), { dumpPath: 'x', silent: true });
          const commands = ['sys', 'log', ...steps.map((s) => s.command).filter((c) => !PENDING.test(c))];
          for (const c of commands) expect(b.runLine(c).text, c).toBe(a.runLine(c).text);
          b.kernel.dump.close();
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      });
    });
  }
});
