import type { CommandResult } from '../commands/result.js';
import { formatRd } from './rd.js';
import { formatSym } from './sym.js';
import { formatSys } from './sys.js';
import { formatEval } from './eval.js';
import { formatLog } from './log.js';
import { formatPrint, formatStruct } from './print.js';
import { formatPerCpu, formatSymbolDecl, formatTypeDecl } from './decl.js';

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
  }
}
