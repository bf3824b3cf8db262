/**
 * Machine code → instruction text, with GNU objdump. crash disassembles through gdb, whose text
 * comes from binutils' libopcodes; objdump prints with the same libopcodes, so its operand syntax
 * is crash's (AT&T on x86_64, `mnemonic\toperands` on arm64). Capstone, the one disassembler on
 * npm, spells AT&T differently (`pushq`, `nopl (%rax, %rax)`, `$1`, no `# 0x...` comments).
 *
 * The bytes (already read from the dump) go to a private temporary file, objdump runs without a
 * shell on `-b binary` at the given address, and the listing is parsed back into instructions.
 * Symbolization is the caller's: objdump has no symbols here and prints bare addresses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrashError } from '../util/errors.js';

export type DisasmArch = 'x86_64' | 'arm64';

export interface Insn {
  addr: bigint;
  /** encoded length in bytes */
  length: number;
  /** libopcodes' text: mnemonic and operands, branch targets as bare `0x...` addresses */
  text: string;
}

/** The most bytes one call disassembles (a kernel function is far smaller; counts are capped to this). */
export const MAX_DISASM_BYTES = 1 << 18;
const TIMEOUT_MS = 20_000;

interface Tool {
  /** candidate executables, first that runs wins */
  programs: string[];
  machine: string;
  /** Debian package to suggest when none is found */
  pkg: string;
}

const TOOLS: Record<DisasmArch, Tool> = {
  x86_64: { programs: ['objdump', 'x86_64-linux-gnu-objdump'], machine: 'i386:x86-64', pkg: 'binutils' },
  // binutils-aarch64-linux-gnu's cross objdump; binutils-multiarch's (or a native arm64) objdump also knows aarch64
  arm64: { programs: ['aarch64-linux-gnu-objdump', 'objdump'], machine: 'aarch64', pkg: 'binutils-aarch64-linux-gnu' },
};

/** Raised when no objdump for the architecture can be run. */
export class DisassemblerMissing extends CrashError {
  constructor(arch: DisasmArch) {
    const t = TOOLS[arch];
    super(`${t.programs[0]} not found: install ${t.pkg}`);
    this.name = 'DisassemblerMissing';
  }
}

/** Which program worked, per architecture and PATH (null: none did). */
const chosen = new Map<string, string | null>();

/** Disassemble `bytes` as if loaded at `vma`. Instructions that run past the end are dropped. */
export function disassemble(arch: DisasmArch, bytes: Uint8Array, vma: bigint): Insn[] {
  if (!bytes.length) return [];
  if (bytes.length > MAX_DISASM_BYTES) bytes = bytes.subarray(0, MAX_DISASM_BYTES);
  const dir = mkdtempSync(join(tmpdir(), 'crash-tui-dis-'));
  try {
    const file = join(dir, 'text.bin');
    writeFileSync(file, bytes, { mode: 0o600 });
    const out = runObjdump(arch, file, vma);
    return parseListing(arch, out).filter((i) => i.addr + BigInt(i.length) <= vma + BigInt(bytes.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runObjdump(arch: DisasmArch, file: string, vma: bigint): string {
  const t = TOOLS[arch];
  const args = ['-D', '-z', '-b', 'binary', '-m', t.machine, `--adjust-vma=0x${vma.toString(16)}`, '--insn-width=16', file];
  const key = `${arch}\0${process.env.PATH ?? ''}`;
  const known = chosen.get(key);
  if (known === null) throw new DisassemblerMissing(arch);
  for (const prog of known ? [known] : t.programs) {
    const r = spawnSync(prog, args, { encoding: 'latin1', timeout: TIMEOUT_MS, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
    if (r.error) throw new CrashError(`${prog}: ${r.error.message}`);
    // an objdump built without this architecture says so ("can't use supplied machine")
    if (r.status !== 0 && /supplied machine|not supported|unrecogni[sz]ed/i.test(r.stderr)) continue;
    if (r.status !== 0) throw new CrashError(`${prog} failed: ${r.stderr.split('\n')[0]}`);
    chosen.set(key, prog);
    return r.stdout;
  }
  chosen.set(key, null);
  throw new DisassemblerMissing(arch);
}

/** `addr:\t<hex bytes or words>\t<text>` lines of an objdump listing. */
export function parseListing(arch: DisasmArch, listing: string): Insn[] {
  const out: Insn[] = [];
  for (const line of listing.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2].split(' ').filter(Boolean);
    const length = arch === 'arm64' ? raw.reduce((n, w) => n + w.length / 2, 0) : raw.length;
    out.push({ addr: BigInt('0x' + m[1]), length, text: gdbText(arch, m[3].replace(/\s+$/, '')) });
  }
  return out;
}

/**
 * The text as the libopcodes in crash 8.0.2's gdb 10.2 printed it: on x86 the mnemonic column was
 * padded to six characters plus a space even without operands (`ret    `, `int3   `, `(bad)  `);
 * binutils 2.40 dropped that trailing blank. (The one-byte `nop` was never padded.)
 */
function gdbText(arch: DisasmArch, text: string): string {
  if (arch !== 'x86_64') return text;
  // the one-byte `nop` went through NOP_Fixup, which wrote it unpadded
  if (text === 'nop') return text;
  // a segment override in 64-bit mode went onto the memory operand (`nopw   %cs:0x0(%rax,%rax,1)`);
  // 2.40 prints it as a prefix (`cs nopw 0x0(%rax,%rax,1)`)
  const seg = /^((?:data16 )*)(cs|ds|es|ss) (\S+)\s+(.*)$/.exec(text);
  if (seg && /(?:^|,)(?:-?0x[0-9a-f]+)?\(/.test(seg[4]) && !/%[c-gs]s:/.test(seg[4])) {
    const ops = seg[4].replace(/(^|,)((?:-?0x[0-9a-f]+)?\()/, `$1%${seg[2]}:$2`);
    return `${(seg[1] + seg[3]).padEnd(6)} ${ops}`;
  }
  if (text === '(bad)' || /^(?:[a-z][a-z0-9.]* )*[a-z][a-z0-9.]*$/.test(text)) return text.padEnd(6) + ' ';
  return text;
}
