import { it } from 'vitest';
import { openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { homedir } from 'node:os';
it('ref', () => {
  const s = new Session(openKernel(homedir() + '/.cache/crash-tui/x86_64-debian12-sysrq.vmcore.elf'), { dumpPath: 'x', silent: true });
  for (const c of (process.env.CMDS ?? 'bt -a').split(';')) console.log('crash> ' + c + '\n' + s.runLine(c).text);
});
