#!/usr/bin/env node
// Keystroke → redraw latency of the REPL with 10,000 lines of scrollback and the reference
// dump's symbol table loaded (and completion's name list built), measured with
// ink-testing-library's in-memory terminal: the time from stdin.write(key) until the frame
// shows the effect. Prints figures and the ratio to the 50 ms target (issue "The TUI").
// React runs as the binary runs it (cli.tsx sets NODE_ENV=production for the TUI); NODE_ENV=development
// measures React's development build. FORCE_COLOR makes the cursor visible in the in-memory frame
// (without it a space typed at the end of the line changes nothing the frame shows).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

process.env.NODE_ENV ??= 'production';
process.env.FORCE_COLOR ??= '1';
const { default: React } = await import('react');
const { render } = await import('ink-testing-library');
const dist = new URL('../dist/', import.meta.url).pathname;
const { Repl } = await import(join(dist, 'views/Repl.js'));
const { sessionRunner, sessionPaneSource } = await import(join(dist, 'tui.js'));
const { Session } = await import(join(dist, 'session/session.js'));
const { openKernel, kernelFromDump } = await import(join(dist, 'kernel/open.js'));
const { buildScenarioDump } = await import(join(dist, 'synth/build.js'));

const ref = join(process.env.CRASH_TUI_CACHE ?? join(homedir(), '.cache/crash-tui'), 'x86_64-debian12-sysrq.vmcore.elf');
const kernel = existsSync(ref) ? openKernel(ref) : kernelFromDump(buildScenarioDump(new URL('../dumps/kprobe-nmi-fpu', import.meta.url).pathname));
const session = new Session(kernel, { dumpPath: existsSync(ref) ? ref : 'dumps/kprobe-nmi-fpu' });
const runner = sessionRunner(session);
runner.complete?.('p in_kern'); // builds the symbol name list off the measured path
const symbols = kernel.symbols.size;

const lines = Array.from({ length: 10000 }, (_, i) => `${(0xffff8b3e81210000n + BigInt(i * 16)).toString(16)}:  0000000000000000 0000000000000000   ................`);
const banner = lines.join('\n');
const props = { runner, status: { dump: 'bench', radix: 10 }, banner, onQuit() {}, historyFile: false };
if (sessionPaneSource && !process.env.NOPANES) props.paneSource = sessionPaneSource(session);
const app = render(React.createElement(Repl, props));
const waitFor = async (pred, ms = 2000) => {
  const t0 = performance.now();
  while (!pred(app.lastFrame() ?? '')) {
    if (performance.now() - t0 > ms) throw new Error('frame did not change');
    await new Promise((r) => setImmediate(r));
  }
};
await waitFor((f) => f.includes('crash>'));
const times = [];
const keys = 'p jiffies'.split('');
for (let round = 0; round < 20; round++) {
  for (const k of keys) {
    const before = app.lastFrame();
    const t0 = performance.now();
    app.stdin.write(k);
    await waitFor((f) => f !== before);
    times.push(performance.now() - t0);
  }
  app.stdin.write('\x15'); // Ctrl-U clears the line
  await waitFor((f) => !f.includes('crash> p'));
}
app.unmount();
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
console.log(`keystroke → redraw, ${times.length} keys, 10000 scrollback lines, ${symbols} symbols loaded, React ${process.env.NODE_ENV} build:`);
console.log(`  median ${pct(0.5).toFixed(1)} ms  p95 ${pct(0.95).toFixed(1)} ms  max ${times[times.length - 1].toFixed(1)} ms`);
console.log(`  target < 50 ms: ${pct(0.95) < 50 ? 'met' : 'NOT met'} (p95 is ${(pct(0.95) / 50).toFixed(2)} of the budget)`);
process.exit(0);
