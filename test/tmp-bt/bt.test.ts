import { it } from 'vitest';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
it('bt', () => {
  const dir = process.env.SC ?? '/work/main/dumps/kprobe-nmi-fpu';
  const s = new Session(kernelFromDump(buildScenarioDump(dir)), { dumpPath: dir, silent: true });
  for (const c of (process.env.CMDS ?? 'bt').split(';')) console.log('crash> ' + c + '\n' + s.runLine(c).text);
});
