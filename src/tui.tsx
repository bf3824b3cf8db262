import { render } from 'ink';
import { writeSync } from 'node:fs';
import Fuse from 'fuse.js';
import { Repl } from './views/Repl.js';
import type { LineRunner, StatusInfo } from './state/runner.js';
import type { Session } from './session/session.js';
import type { AddrSpace, Frame, PageInfo, PaneSource } from './state/pane-data.js';
import { SPACE_LABEL } from './memory/address.js';
import { CrashError } from './util/errors.js';
import { taskPgdPhys } from './kernel/helpers/context.js';
import { taskByAddress } from './kernel/helpers/task.js';
import { backtrace as unwind, type BtEntry } from './kernel/helpers/backtrace.js';
import { pageToPfn, pfnToPhys } from './kernel/helpers/mm-page.js';
import { describeWalk } from './commands/vtop-walk.js';
import { pageRowForAddress, pageRowForPhys, physColumnWidth } from './commands/kmem/pages.js';
import { formatBt } from './format/bt.js';
import { taskHeaderLine } from './format/task.js';
import { progressText, runLineLive, type LiveProgress } from './session/live-run.js';
import { TtyInterrupt } from './session/tty-interrupt.js';
import { statusText } from './views/StatusBar.js';
import { displayStyle } from './state/panes.js';

/** The interactive front end: the same Session, rendered by Ink. Loaded only for terminals. */
export async function startTui(session: Session): Promise<number> {
  const runner = sessionRunner(session);
  const banner = session.banner();
  const panes = sessionPaneSource(session);
  return new Promise((resolve) => {
    const app = render(<Repl runner={runner} status={() => sessionStatus(session)} banner={banner} paneSource={panes} onQuit={() => app.unmount()} />, {
      exitOnCtrlC: false,
    });
    app.waitUntilExit().then(() => resolve(0));
  });
}

/** The status bar's facts, read again at each render (`set` changes the context). */
export function sessionStatus(session: Session): StatusInfo {
  const t = session.currentTask;
  let tc;
  try {
    tc = t === undefined ? undefined : taskByAddress(session.kernel, t);
  } catch {
    tc = undefined;
  }
  return {
    dump: session.opts.dumpPath,
    pid: tc ? String(tc.pid) : undefined,
    task: t?.toString(16),
    cpu: String(session.currentCpu),
    radix: session.settings.radix,
  };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * What the panes read, over the session's kernel: memory through kernel.mem (crash's ReadError
 * wording on failure), rd -s symbols, the struct page and PTE of an address (kmem -p, vtop), and
 * the current context's backtrace (bt's lines).
 */
export function sessionPaneSource(session: Session): PaneSource {
  const k = session.kernel;
  const userRoot = (): bigint | undefined => {
    const t = session.currentTask;
    return t === undefined ? undefined : taskPgdPhys(k, t);
  };
  return {
    readMemory(addr, len, space) {
      try {
        return { bytes: k.mem.read(space, addr, len, `64-bit ${SPACE_LABEL[space]}`, space === 'uvaddr' ? userRoot() : undefined) };
      } catch (e) {
        if (e instanceof CrashError) return { error: e.message };
        return { error: `internal error: ${message(e)}` };
      }
    },
    symbolize(addr) {
      // rd -s: in-kernel-symbol-range values only (per-cpu offsets are small numbers, not addresses)
      if (!k.arch.isKernelAddr(addr)) return undefined;
      const hit = k.symbols.containing(addr);
      if (!hit || hit.sym.type === 'A' || hit.sym.type === 'a') return undefined;
      return hit.offset ? `${hit.sym.name}+0x${hit.offset.toString(16)}` : hit.sym.name;
    },
    isKernelAddress: (addr) => k.arch.isKernelAddr(addr),
    resolveSymbol: (name) => k.symbol(name)?.address,
    pageInfo: (addr, space) => pageInfoOf(session, addr, space, userRoot),
    backtrace() {
      const t = session.currentTask;
      const tc = t === undefined ? undefined : taskByAddress(k, t);
      if (!tc) return undefined;
      const bt = unwind(k, tc);
      const lines = (entries: BtEntry[], error?: string): string[] =>
        formatBt({ kind: 'bt', traces: [{ ...bt, entries, error }], radix: session.settings.radix, symbolOffsets: false }).split('\n').slice(1, -1);
      const out: Frame[] = [{ text: taskHeaderLine({ pid: tc.pid, task: tc.task, cpu: tc.cpu, comm: tc.comm }) }];
      for (const e of bt.entries) {
        const text = lines([e]);
        if (e.kind === 'frame') out.push({ text: text[0] ?? '', level: e.level, sp: e.sp, ip: e.ip });
        else out.push(...text.map((l) => ({ text: l })));
      }
      if (bt.error) out.push(...lines([], bt.error).map((l) => ({ text: l })));
      return out;
    },
  };
}

/** The page-flags pane's facts: a struct page pointer describes its own page; else translate (vtop) and find the page (kmem -p). */
function pageInfoOf(session: Session, addr: bigint, space: AddrSpace, userRoot: () => bigint | undefined): PageInfo {
  const k = session.kernel;
  const info: PageInfo = { address: addr, space, physWidth: physColumnWidth(k) };
  try {
    if (space === 'kvaddr' && pageToPfn(k, addr) !== undefined) {
      info.row = pageRowForAddress(k, addr, false, true);
      info.phys = pfnToPhys(k, pageToPfn(k, addr)!);
      info.error = `(${addr.toString(16)} is a struct page: the page it describes)`;
    } else if (space === 'physaddr') {
      info.phys = addr;
      info.row = pageRowForPhys(k, addr, true);
    } else {
      const root = space === 'uvaddr' ? userRoot() : k.arch.kernelRoot;
      if (root === undefined) return { ...info, error: 'no user page tables in the current context' };
      if (space === 'kvaddr' && !k.arch.isKernelAddr(addr)) return { ...info, error: '(not a kernel virtual address)' };
      const view = describeWalk(k.arch, addr, { kernel: space === 'kvaddr', root, pgdVirt: 0n });
      info.phys = (space === 'kvaddr' ? k.arch.linearToPhys(addr) : undefined) ?? view.paddr;
      if (view.pte) info.pte = view.pte;
      info.pageSize = view.page?.size;
      if (info.phys === undefined) info.error = '(not mapped)';
      else info.row = pageRowForPhys(k, info.phys, true);
    }
    if (!info.row && info.phys !== undefined && !info.error) info.error = `(no struct page for physical address ${info.phys.toString(16)})`;
  } catch (e) {
    info.error = message(e);
  }
  if (info.row?.explanation) {
    info.explanation = info.row.explanation;
    info.row = { ...info.row, explanation: undefined };
  }
  return info;
}

/** Adapt the synchronous session to the REPL's runner seam, with fuzzy completion. */
export function sessionRunner(session: Session): LineRunner {
  const commandNames = () => [...session.commands.map((c) => c.name), ...session.aliases.keys()];
  return {
    async run(line, out, signal) {
      // One frame for Ink to draw the echoed line and "running…" before the event loop is busy.
      await new Promise((resolve) => setTimeout(resolve, 60));
      if (signal?.aborted) return 'continue';
      const tty = process.stdin.isTTY ? new TtyInterrupt(0) : undefined;
      const status = sessionStatus(session);
      const r = runLineLive(session, line, { pollInterrupt: () => tty?.poll() ?? false, show: (p) => drawProgress(status, p), signal });
      const ahead = tty?.typeahead();
      if (ahead?.length) process.stdin.unshift(ahead);
      if (r.interrupted) {
        out('^C\n');
        return 'continue';
      }
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

/**
 * Draw the status bar's progress while a synchronous command holds the event loop (Ink cannot
 * render then). Ink leaves the cursor on the line under its output; the status bar is two lines
 * up (status, prompt, cursor). Save the cursor, draw, restore: Ink's next frame overwrites it.
 */
function drawProgress(status: StatusInfo, p: LiveProgress): void {
  if (!process.stdout.isTTY) return;
  const width = process.stdout.columns || 80;
  const text = statusText({ status, width, running: p.line, progress: progressText(p) });
  const body = displayStyle().mono ? text : `\x1b[7m${text}\x1b[27m`;
  try {
    writeSync(1, `\x1b7\x1b[2A\r${body}\x1b8`);
  } catch {
    /* a full or gone terminal: the progress line is only a courtesy */
  }
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
