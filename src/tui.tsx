import { render } from 'ink';
import Fuse from 'fuse.js';
import { Repl } from './views/Repl.js';
import type { LineRunner, StatusInfo } from './state/runner.js';
import type { Session } from './commands/session.js';
import { renderResult } from './format/render.js';
import { sysInfo } from './commands/sys.js';

/** The interactive front end: the same Session, rendered by Ink. Loaded only for terminals. */
export async function startTui(session: Session): Promise<number> {
  const runner = sessionRunner(session);
  const status: StatusInfo = { dump: session.opts.dumpPath, cpu: String(session.currentCpu), radix: session.settings.radix };
  const banner = renderResult(sysInfo(session.context()), 'sys');
  return new Promise((resolve) => {
    const app = render(<Repl runner={runner} status={status} banner={banner} onQuit={() => app.unmount()} />, { exitOnCtrlC: false });
    app.waitUntilExit().then(() => resolve(0));
  });
}

/** Adapt the synchronous session to the REPL's runner seam, with fuzzy completion. */
export function sessionRunner(session: Session): LineRunner {
  const commandNames = () => [...session.commands.map((c) => c.name), ...session.aliases.keys()];
  return {
    async run(line, out) {
      const r = session.runLine(line);
      out(r.text);
      return r.quit ? 'quit' : 'continue';
    },
    complete(line) {
      const parts = line.split(/\s+/);
      const last = parts[parts.length - 1] ?? '';
      if (parts.length === 1) return commandNames().filter((n) => n.startsWith(last)).sort();
      // Prefix-narrow over 100k+ symbols first; rank fuzzily only a small candidate set.
      const syms = session.kernel.symbols.names();
      const prefixed = last ? syms.filter((n) => n.startsWith(last)) : [];
      if (prefixed.length || last.length < 3) return prefixed.slice(0, 50);
      const fuse = new Fuse(syms.filter((n) => n.includes(last.slice(0, 3))), { threshold: 0.3 });
      return fuse.search(last, { limit: 20 }).map((m) => m.item);
    },
  };
}

/** Let the user choose a bundled scenario; resolves its folder, or undefined to quit. */
export async function pickScenario(list: { name: string; title: string; dir: string }[]): Promise<string | undefined> {
  const { ScenarioPicker } = await import('./views/ScenarioPicker.js');
  return new Promise((resolve) => {
    let chosen: string | undefined;
    const app = render(
      <ScenarioPicker
        items={list}
        onPick={(i) => {
          chosen = i === undefined ? undefined : list[i].dir;
          app.unmount();
        }}
      />,
    );
    app.waitUntilExit().then(() => resolve(chosen));
  });
}
