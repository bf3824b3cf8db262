/**
 * Driving the real binary in a pseudo-terminal through tmux: a private tmux server (its own
 * socket, no user config), keys in with send-keys, the screen out with capture-pane, and waits
 * that poll the screen against a deadline (never fixed sleeps).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/crash-tui.js');
export const USERCOPY = 'dumps/usercopy-kmalloc512';

/** Why the terminal tests cannot run here, or undefined when they can. */
export function tmuxSkipReason(): string | undefined {
  if (spawnSync('tmux', ['-V']).status !== 0) return 'tmux is not installed (Debian package tmux; .ci/run installs it)';
  if (!existsSync(join(ROOT, 'dist/cli.js'))) return 'dist/ is not built (npm test builds it first: npm run build)';
  return undefined;
}

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
let serial = 0;

export class Tmux {
  readonly socket = `crash-tui-e2e-${process.pid}-${++serial}`;
  /** A scratch dir: XDG_DATA_HOME (history) and whatever the test needs. */
  readonly dir = mkdtempSync(join(tmpdir(), 'crash-tui-e2e-'));

  private tmux(args: string[]): string {
    const env = { ...process.env };
    delete env.TMUX;
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
  }

  /** Start `command` (a shell line run in the repository) in a cols x rows window; env adds variables. */
  start(command: string, cols: number, rows: number, env: Record<string, string> = {}): void {
    const vars = Object.entries({ XDG_DATA_HOME: this.dir, ...env }).map(([k, v]) => `${k}=${sh(v)}`);
    // After the program ends its last words stay on screen (a crash is then visible in the failure message).
    const line = `cd ${sh(ROOT)} && env ${vars.join(' ')} ${command}; echo "[exited $?]"; sleep 600`;
    this.tmux(['new-session', '-d', '-s', 'main', '-x', String(cols), '-y', String(rows), line]);
  }

  /** The screen as text, one line per row. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', 'main']);
  }

  /** The screen with its escape sequences (colours, inverse). */
  screenWithEscapes(): string {
    return this.tmux(['capture-pane', '-p', '-e', '-t', 'main']);
  }

  /** Named keys (Enter, Tab, Down, Escape, C-c ...). */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'main', ...keys]);
  }

  /** Literal text. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', 'main', '-l', text]);
  }

  /** Poll the screen until `pred` holds; on the deadline fail with what the screen showed. */
  async waitFor(what: string, pred: (screen: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = this.screen();
      if (pred(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      /* already gone */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The bottom row holding text (the prompt, or the reverse-search line). */
export function lastLine(screen: string): string {
  return screen.split('\n').filter((l) => l.trim() !== '').at(-1)?.trimEnd() ?? '';
}

/** The prompt is idle and empty. */
export const atEmptyPrompt = (s: string): boolean => lastLine(s) === 'crash>';
