import type { PerCpuResult, SymbolDeclResult, TypeDeclResult } from '../commands/result.js';
import { datatypeDeclarationLines, enumDeclarationLines, whatisDeclaration } from './ctype.js';

export function formatTypeDecl(r: TypeDeclResult): string {
  const lines = r.enumForm
    ? enumDeclarationLines(r.type, r.typedefName)
    : datatypeDeclarationLines(r.type, { radix: r.radix, offsets: r.offsets, vaddr: r.vaddr, member: r.member, typedefName: r.typedefName });
  return lines.join('\n') + '\n';
}

const TABLE_NOTE = "  (type from crash-tui's table of well-known globals: BTF describes no global variables but per-cpu ones)";

export function formatSymbolDecl(r: SymbolDeclResult): string {
  return `${whatisDeclaration(r.type, r.name)}\n${r.fromTable ? TABLE_NOTE + '\n' : ''}`;
}

/** symbols.c display_per_cpu_info(): the type, then `  [cpu]: address` for each cpu. */
export function formatPerCpu(r: PerCpuResult): string {
  const decl = r.type ? whatisDeclaration(r.type, r.name) : `[undetermined type] ${r.name};`;
  let out = `PER-CPU DATA TYPE:\n  ${decl}\nPER-CPU ADDRESSES:\n`;
  for (const a of r.addresses) out += a.addr === undefined ? `  [${a.cpu}]: [OFFLINE]\n` : `  [${a.cpu}]: ${a.addr.toString(16)}\n`;
  return out;
}
