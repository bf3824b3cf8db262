/**
 * What commands return. Each kind is rendered to crash's exact text by format/. Commands never
 * print; the session renders results in order, so partial output followed by an error reads
 * exactly as crash's does.
 */
import type { Space } from '../memory/address.js';
import type { CType } from '../debuginfo/btf/types.js';
import type { LogRecord } from '../kernel/helpers/printk.js';
import type { KmemInfoResult, KmemPagesResult, NumPairsResult, PtovResult, VtopResult } from './memory-results.js';
import type { TaskCommandResult } from './task-results.js';
import type { KmemFreePageResult, KmemSlabResult, KmemVmapResult } from './kmem/slab-results.js';
import type { KmemReportResult } from './kmem/report-results.js';
import type { FsNetResult } from './fs-results.js';
import type { DisResult, E820Result, MachResult } from './mach-dis-results.js';
import type { ProcCommandResult } from './proc-results.js';
import type { DevCommandResult } from './dev-results.js';
import type { IrqResult, RunqResult, TimerResult } from './sched-results.js';

/** `cmd: message` (or a bare line when `bare`, like crash's plain fprintf messages). */
export interface ErrorResult {
  kind: 'error';
  message: string;
  bare?: boolean;
}
export interface WarningResult {
  kind: 'warning';
  message: string;
}
/** Text whose layout is the data itself (help pages, alias tables, gdb-style declarations). */
export interface LinesResult {
  kind: 'lines';
  lines: string[];
  /** No newline after the last line (crash's `rd -a` stops mid-line). */
  noFinalNewline?: boolean;
}

export interface RdResult {
  kind: 'rd';
  space: Space;
  start: bigint;
  /** bytes per unit: 1, 2, 4, 8; 0 for -a ASCII mode */
  unit: 0 | 1 | 2 | 4 | 8;
  mode: 'hex' | 'dec' | 'udec';
  ascii: boolean;
  /** unit values in order (bigint for uniformity) */
  values: bigint[];
  /** For -s: symbolic text per value (undefined → show as number). */
  symbols?: (string | undefined)[];
  /** -a: the printable runs found, one output line each (at most 60 characters). */
  chunks?: { addr: bigint; text: string }[];
  /** -a stopped at a non-printable byte (no newline follows, as crash). */
  truncatedAscii?: boolean;
}

export interface SymLine {
  address: bigint;
  type: string;
  name: string;
  /** offset from the symbol (when the query was an address inside it) */
  offset?: bigint;
  module?: string;
}
export interface SymResult {
  kind: 'sym';
  lines: SymLine[];
  radix: 10 | 16;
}

export interface SysResult {
  kind: 'sys';
  fields: [label: string, value: string][];
}

export interface EvalResult {
  kind: 'eval';
  value: bigint;
  bits: boolean;
}

/** How values are shown: output radix, and lookups for function pointers and char pointers. */
export interface ValueView {
  radix: 10 | 16;
  /** The kernel symbol containing an address, for function pointers (`<panic+16>`). */
  symbolize(addr: bigint): { name: string; offset: bigint } | undefined;
  /** Memory for `char *` strings; fewer bytes or undefined when unreadable. */
  readMemory(addr: bigint, len: number): Uint8Array | undefined;
}

/** gdb `print` output: `[prefix]$N = value`. */
export interface PrintResult {
  kind: 'print';
  /** `jiffies = ` for a bare symbol, `per_cpu(x, 1) = ` for a cpuspec, '' otherwise. */
  prefix: string;
  number: number;
  type: CType;
  bytes: Uint8Array;
  /** For bitfields: bit position and width within bytes. */
  bitPos?: number;
  bitSize?: number;
  view: ValueView;
}

/** `p percpu_var` without a cpuspec. */
export interface PerCpuResult {
  kind: 'percpu';
  name: string;
  /** undefined: crash's `[undetermined type]` */
  type?: CType;
  addresses: { cpu: number; addr?: bigint }[];
}

/** struct/union with an address: whole bodies or selected members, `count` objects. */
export interface StructResult {
  kind: 'struct';
  /** 'struct' | 'union' */
  keyword: string;
  type: CType;
  objects: { addr: bigint; bytes: Uint8Array; cpu?: number }[];
  /** Member paths to show (`.pid,comm`), or undefined for the whole object. */
  members?: string[];
  view: ValueView;
}

/** A type's declaration (struct/union/whatis without an address). */
export interface TypeDeclResult {
  kind: 'typedecl';
  type: CType;
  radix: 10 | 16;
  offsets?: boolean;
  vaddr?: bigint;
  /** `struct X.member`: only that member's line */
  member?: string;
  typedefName?: string;
  /** enum types print their enumerators */
  enumForm?: boolean;
}

/** `whatis <symbol>`: its declaration, and where the type came from. */
export interface SymbolDeclResult {
  kind: 'symdecl';
  name: string;
  type: CType;
  fromTable: boolean;
}

/** `log`: the printk records and how to show them. */
export interface LogResult {
  kind: 'log';
  records: LogRecord[];
  showTime: boolean;
  /** -T: wall-clock seconds at boot, for human-readable stamps */
  bootSec?: bigint;
  level: boolean;
  dict: boolean;
  caller: boolean;
}

/** `mod`: the loaded modules. */
export interface ModResult {
  kind: 'mod';
  memoryRegions: boolean;
  modules: { addr: bigint; name: string; base: bigint; size: bigint; kallsyms: boolean }[];
}

export type CommandResult =
  | ErrorResult | WarningResult | LinesResult | RdResult | SymResult | SysResult | EvalResult
  | PrintResult | PerCpuResult | StructResult | TypeDeclResult | SymbolDeclResult | LogResult | ModResult
  | VtopResult | KmemPagesResult | KmemInfoResult | PtovResult | NumPairsResult
  | TaskCommandResult
  | KmemSlabResult | KmemFreePageResult | KmemVmapResult | KmemReportResult
  | FsNetResult
  | DisResult | MachResult | E820Result
  | ProcCommandResult
  | DevCommandResult
  | RunqResult | IrqResult | TimerResult;

export const err = (message: string, bare = false): ErrorResult => ({ kind: 'error', message, bare });
export const warn = (message: string): WarningResult => ({ kind: 'warning', message });
export const lines = (l: string[], noFinalNewline = false): LinesResult => ({ kind: 'lines', lines: l, noFinalNewline });
