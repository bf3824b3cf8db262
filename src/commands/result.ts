/**
 * What commands return. Each kind is rendered to crash's exact text by format/. Commands never
 * print; the session renders results in order, so partial output followed by an error reads
 * exactly as crash's does.
 */
import type { Space } from '../memory/address.js';

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

export type CommandResult = ErrorResult | WarningResult | LinesResult | RdResult | SymResult | SysResult | EvalResult;

export const err = (message: string, bare = false): ErrorResult => ({ kind: 'error', message, bare });
export const warn = (message: string): WarningResult => ({ kind: 'warning', message });
export const lines = (l: string[], noFinalNewline = false): LinesResult => ({ kind: 'lines', lines: l, noFinalNewline });
