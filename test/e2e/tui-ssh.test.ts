/**
 * The TUI over ssh, as most sessions run: a throwaway sshd from Debian (openssh-server) on loopback
 * (a free port, a fresh host key and user key in a temp dir, `sshd -f config -D` started here),
 * then `ssh -tt ... node bin/crash-tui.js DUMP` inside tmux, and the walkthrough at 80x24.
 * Skips, saying why, when sshd, ssh, ssh-keygen or tmux are missing (.ci/run installs them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, Tmux, tmuxSkipReason, USERCOPY } from './tmux.js';
import { saveScreens, walkthrough } from './walkthrough.js';

const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function skipReason(): string | undefined {
  if (!SSHD) return 'sshd is not installed (Debian package openssh-server; .ci/run installs it)';
  if (!has('ssh') || !has('ssh-keygen')) return 'ssh is not installed (Debian package openssh-client; .ci/run installs it)';
  return tmuxSkipReason();
}
const skip = skipReason();
if (skip) console.log(`ssh end-to-end test skipped: ${skip}`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, sshd: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (sshd.exitCode !== null) throw new Error(`sshd exited (${sshd.exitCode}):\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ port, host: '127.0.0.1' }, () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const keygen = (file: string): void => {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
};

describe.skipIf(!!skip)('crash-tui over ssh (sshd on loopback, in tmux)', () => {
  it('80x24 over ssh -tt: the walkthrough works as it does locally', async () => {
    const t = new Tmux();
    let sshd: ChildProcess | undefined;
    let sshdLog = '';
    try {
      const d = t.dir;
      keygen(join(d, 'host_key'));
      keygen(join(d, 'user_key'));
      const auth = join(d, 'authorized_keys');
      writeFileSync(auth, spawnSync('cat', [join(d, 'user_key.pub')], { encoding: 'utf8' }).stdout);
      chmodSync(auth, 0o600);
      // root (the CI case) needs sshd's privilege separation directory
      if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      const port = await freePort();
      const config = join(d, 'sshd_config');
      writeFileSync(
        config,
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${join(d, 'host_key')}`,
          `PidFile ${join(d, 'sshd.pid')}`,
          `AuthorizedKeysFile ${auth}`,
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PermitRootLogin prohibit-password',
          'StrictModes no', // the temp dir's modes are the test's business
          'UsePAM no',
          'PrintMotd no',
          'PrintLastLog no',
          '',
        ].join('\n'),
      );
      sshd = spawn(SSHD!, ['-f', config, '-D', '-e'], { stdio: ['ignore', 'pipe', 'pipe'] });
      sshd.stderr!.on('data', (b: Buffer) => (sshdLog += b.toString()));
      await waitForPort(port, sshd, () => sshdLog);

      const ssh = [
        'ssh -tt',
        `-p ${port}`,
        `-i ${join(d, 'user_key')}`,
        '-o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR',
        `${userInfo().username}@127.0.0.1`,
        // the remote side: a login shell's environment, so say where node and the tree are
        `'cd ${ROOT} && XDG_DATA_HOME=${d} ${process.execPath} ${BIN} ${USERCOPY}'`,
      ].join(' ');
      t.start(ssh, 80, 24);
      const shots = await walkthrough(t);
      expect(shots.map(([step]) => step)).toEqual(['1-open', '2-bt', '3-frame-selected', '4-kmem', '5-object-in-memory', '6-page-flags']);
      expect(sshdLog).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/); // it went through sshd
      saveScreens('80x24-ssh', shots);
    } finally {
      t.stop();
      sshd?.kill('SIGTERM');
    }
  });
});
