import type { CommandResult } from '../commands/result.js';
import { formatRunq } from './runq.js';
import { formatIrq } from './irq.js';
import { formatTimer } from './timer.js';
import { formatRd } from './rd.js';
import { formatSym } from './sym.js';
import { formatSys } from './sys.js';
import { formatEval } from './eval.js';
import { formatLog } from './log.js';
import { formatMod } from './mod.js';
import { formatPrint, formatStruct } from './print.js';
import { formatPerCpu, formatSymbolDecl, formatTypeDecl } from './decl.js';
import { formatVtop } from './vtop.js';
import { formatKmemPages } from './kmem-pages.js';
import { formatKmemInfo } from './kmem-info.js';
import { formatNumPairs, formatPtov } from './ptov.js';
import { formatPs, formatPsTree } from './ps.js';
import { formatBt } from './bt.js';
import { formatContext } from './context.js';
import { formatTaskHeader } from './task.js';
import { formatKmemFreePage, formatKmemSlab, formatKmemVmap } from './kmem-slab.js';
import { formatKmemReport } from './kmem-reports.js';
import { formatNetArp, formatNetDevices, formatNetSockets } from './net.js';
import { formatFiles, formatFilesInode, formatFilesNodes, formatPageSums } from './files.js';
import { formatDis } from './dis.js';
import { formatE820, formatMach } from './mach.js';
import { formatProc } from './proc.js';
import { formatDevDisk, formatDevIo, formatDevPci } from './devices.js';

/** Render one command result to crash's exact text (including its final newline). */
export function renderResult(r: CommandResult, cmd: string): string {
  switch (r.kind) {
    case 'error':
      return r.bare ? `${r.message}\n` : `${cmd}: ${r.message}\n`;
    case 'warning':
      return `WARNING: ${r.message}\n`;
    case 'lines':
      return r.lines.join('\n') + (r.noFinalNewline || !r.lines.length ? '' : '\n');
    case 'rd':
      return formatRd(r);
    case 'sym':
      return formatSym(r);
    case 'sys':
      return formatSys(r);
    case 'eval':
      return formatEval(r);
    case 'print':
      return formatPrint(r);
    case 'struct':
      return formatStruct(r);
    case 'percpu':
      return formatPerCpu(r);
    case 'typedecl':
      return formatTypeDecl(r);
    case 'symdecl':
      return formatSymbolDecl(r);
    case 'log':
      return formatLog(r);
    case 'mod':
      return formatMod(r);
    case 'vtop':
      return formatVtop(r);
    case 'kmem-pages':
      return formatKmemPages(r);
    case 'kmem-info':
      return formatKmemInfo(r);
    case 'ptov':
      return formatPtov(r);
    case 'num-pairs':
      return formatNumPairs(r);
    case 'ps':
      return formatPs(r);
    case 'pstree':
      return formatPsTree(r);
    case 'bt':
      return formatBt(r);
    case 'context':
      return formatContext(r);
    case 'net-devices':
      return formatNetDevices(r);
    case 'net-sockets':
      return formatNetSockets(r);
    case 'net-arp':
      return formatNetArp(r);
    case 'files':
      return formatFiles(r);
    case 'files-inode':
      return formatFilesInode(r);
    case 'files-nodes':
      return formatFilesNodes(r);
    case 'page-sums':
      return formatPageSums(r);
    case 'taskheader':
      return formatTaskHeader(r);
    case 'kmem-slab':
      return formatKmemSlab(r);
    case 'kmem-free-page':
      return formatKmemFreePage(r);
    case 'headless':
    case 'vm-data':
    case 'vma-table':
    case 'sig':
    case 'search':
    case 'swap':
    case 'dev':
      return formatProc(r);
    case 'dev-io':
      return formatDevIo(r);
    case 'dev-pci':
      return formatDevPci(r);
    case 'dev-disk':
      return formatDevDisk(r);
    case 'kmem-vmap':
      return formatKmemVmap(r);
    case 'kmem-report':
      return formatKmemReport(r);
    case 'dis':
      return formatDis(r);
    case 'mach':
      return formatMach(r);
    case 'e820':
      return formatE820(r);
    case 'runq':
      return formatRunq(r);
    case 'irq':
      return formatIrq(r);
    case 'timer':
      return formatTimer(r);
  }
}
