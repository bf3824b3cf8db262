/**
 * What crash does to gdb's disassembly (kernel.c cmd_dis, x86_64_dis_filter, arm64_dis_filter),
 * done to objdump's: the `0x... <sym+off>:` label, symbols after operand addresses, the
 * [FTRACE NOP] mark; and the function bounds gdb would take from DWARF.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { DisLine } from './mach-dis-results.js';
import { isSymbolStart, symStr } from './dis-symbols.js';
import { disassemble, MAX_DISASM_BYTES, type DisasmArch, type Insn } from '../debuginfo/disasm.js';
import { ReadError } from '../memory/read-error.js';

/** The longest instruction (x86: 15 bytes), read past an end so the last one decodes whole. */
export const MAX_INSN_BYTES = 16;

/** Read the readable prefix of [addr, addr+len) page by page, then disassemble it. */
export function decode(arch: DisasmArch, read: (at: bigint, n: number) => Uint8Array, addr: bigint, len: number): Insn[] {
  len = Math.min(len, MAX_DISASM_BYTES);
  const chunks: Uint8Array[] = [];
  let got = 0;
  let firstError: ReadError | undefined;
  while (got < len) {
    const at = addr + BigInt(got);
    const n = Math.min(len - got, 4096 - Number(at & 0xfffn));
    try {
      chunks.push(read(at, n));
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      firstError = e;
      break;
    }
    got += n;
  }
  if (!got && firstError) throw firstError;
  const bytes = new Uint8Array(got);
  let o = 0;
  for (const c of chunks) bytes.set(c, (o += c.length) - c.length);
  return disassemble(arch, bytes, addr);
}

/**
 * gdb stops at the function's DWARF end, which the dump does not carry; the next symbol is further
 * on, past the alignment filler: NOPs, or int3 (0xcc) on x86 kernels that fill text with it. The
 * int3s that belong to the function stay: the four after a `ret` that apply_returns() patched in
 * place of a 5-byte `jmp __x86_return_thunk` (one, the SLS int3, without CONFIG_RETHUNK), and the
 * SLS int3 after an indirect or retpoline-thunk jmp. A symbol that is all filler (freed init text,
 * __pfx_ padding) stays whole.
 */
export function trimPadding(k: Kernel, arch: DisasmArch, insns: Insn[]): Insn[] {
  const isPad = (t: string) => (arch === 'x86_64' ? /^(?:(?:data16|data32|cs|ds) )*(?:nop[wl]?\b|xchg\s+%ax,%ax$)|^int3\s*$/ : /^nop\s*$/).test(t);
  let n = insns.length;
  while (n > 0 && isPad(insns[n - 1]!.text)) n--;
  if (n === 0 || n === insns.length) return insns;
  let keep = 0;
  const last = insns[n - 1]!.text;
  if (arch === 'x86_64') {
    if (/^ret\s*$/.test(last)) keep = k.symbol('__x86_return_thunk') || k.symbol('__return_sites') ? 4 : 1;
    else if (/^jmp\s+\*/.test(last) || isThunkJump(k, last)) keep = 1;
  }
  const limit = Math.min(insns.length, n + keep);
  while (n < limit && /^int3/.test(insns[n]!.text)) n++;
  return insns.slice(0, n);
}

/** `jmp 0x... ` into the retpoline thunks (__indirect_thunk_start .. __indirect_thunk_end). */
function isThunkJump(k: Kernel, text: string): boolean {
  const m = /^jmp\s+(0x[0-9a-f]+)/.exec(text);
  const lo = k.symbol('__indirect_thunk_start')?.address;
  const hi = k.symbol('__indirect_thunk_end')?.address;
  if (!m || lo === undefined || hi === undefined) return false;
  const t = BigInt(m[1]);
  return t >= lo && t < hi;
}

/** crash's x86_64_dis_filter / arm64_dis_filter: the address label, operand symbols, FTRACE NOP. */
export function filterLine(k: Kernel, arch: DisasmArch, i: Insn, radix: 10 | 16): DisLine {
  let text = symbolizeOperands(k, arch, i.text, radix);
  if (arch === 'x86_64' && isSymbolStart(k, i.addr) && (text.includes('nopl   0x0(%rax,%rax,1)') || text.includes('data32 data32 data32 xchg %ax,%ax'))) {
    text = text.replace(/\s+$/, '') + ' [FTRACE NOP]';
  }
  return { addr: i.addr, label: symStr(k, i.addr, radix), text };
}

/**
 * gdb prints `<sym+off>` after each address libopcodes hands it (branch and call targets, the
 * `# 0x...` of a rip-relative operand; arm64's pc-relative operands); objdump here has no symbols.
 */
export function symbolizeOperands(k: Kernel, arch: DisasmArch, text: string, radix: 10 | 16): string {
  const tag = (hex: string) => {
    const v = BigInt(hex);
    const s = k.arch.isKernelAddr(v) ? symStr(k, v, radix) : '';
    return s ? `${hex} <${s}>` : hex;
  };
  if (arch === 'x86_64') {
    const m = /^((?:\S+ )*?(?:j[a-z]+|call|loop[a-z]*|xbegin)\s+|.*# )(0x[0-9a-f]+)$/.exec(text);
    return m ? m[1] + tag(m[2]) : text;
  }
  // arm64: a bare address operand after the mnemonic's tab or a ", " (immediates are `#...`)
  return text.replace(/(\t|, )(0x[0-9a-f]+)(?=$|\s+\/\/)/, (_s, pre: string, hex: string) => pre + tag(hex));
}
