/**
 * The Memory pane's model: a window of 16-byte lines (two 64-bit words and their ASCII, exactly as
 * `rd` prints them: format/rd.ts) around the current address, a cursor on one word, and the lines'
 * contents read through the PaneSource. A line that cannot be read carries crash's message.
 */
import { formatRd } from '../format/rd.js';
import type { AddrSpace, MemoryRead, PaneSource } from './pane-data.js';

export const LINE_BYTES = 16n;
export const WORD_BYTES = 8n;
const TOP = (1n << 64n) - LINE_BYTES;

export interface MemLine {
  addr: bigint;
  /** The line as `rd` prints it, or `addr:  <error>` when unreadable. */
  text: string;
  /** The two words (absent when unreadable). */
  words?: [bigint, bigint];
  /** rd -s text per word, for kernel text/data values. */
  symbols: (string | undefined)[];
  error?: string;
}

/** Column where word `i` (0 or 1) starts in an rd line: 16 address digits, ':', two blanks. */
export const wordColumn = (i: number): number => 19 + 17 * i;

const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => (v < lo ? lo : v > hi ? hi : v);
const lineOf = (a: bigint): bigint => a & ~(LINE_BYTES - 1n);

function lineFrom(source: PaneSource, space: AddrSpace, addr: bigint, r: MemoryRead): MemLine {
  if (!r.bytes || r.bytes.length < 16) {
    const error = r.error ?? 'read error';
    return { addr, text: `${addr.toString(16).padStart(16)}:  ${error}`, symbols: [], error };
  }
  const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, 16);
  const words: [bigint, bigint] = [dv.getBigUint64(0, true), dv.getBigUint64(8, true)];
  const text = formatRd({ kind: 'rd', space, start: addr, unit: 8, mode: 'hex', ascii: true, values: words }).replace(/\n$/, '');
  return { addr, text, words, symbols: words.map((w) => source.symbolize(w)) };
}

/** `count` lines from `top` (16-byte aligned). One read for the window; line by line only when it fails. */
export function readLines(source: PaneSource, space: AddrSpace, top: bigint, count: number): MemLine[] {
  const n = Math.max(0, Math.min(count, Number((TOP - top) / LINE_BYTES) + 1));
  const whole = n > 1 ? source.readMemory(top, n * 16, space) : undefined;
  const out: MemLine[] = [];
  for (let i = 0; i < n; i++) {
    const addr = top + BigInt(i) * LINE_BYTES;
    const r = whole?.bytes && whole.bytes.length >= n * 16 ? { bytes: whole.bytes.subarray(i * 16, i * 16 + 16) } : source.readMemory(addr, 16, space);
    out.push(lineFrom(source, space, addr, r));
  }
  return out;
}

export interface MemView {
  /** Address of the word under the cursor (8-byte aligned). */
  cursor: bigint;
  /** Address of the first line shown (16-byte aligned). */
  top: bigint;
}

/** Centre-ish on an address: the cursor on its word, a few lines of context above it. */
export function initView(addr: bigint, rows: number): MemView {
  const cursor = addr & ~(WORD_BYTES - 1n);
  const above = BigInt(Math.min(2, Math.floor(Math.max(0, rows - 1) / 3)));
  const line = lineOf(cursor);
  return { cursor, top: line >= above * LINE_BYTES ? line - above * LINE_BYTES : 0n };
}

/** Scroll so the cursor's line is on screen. */
export function keepVisible(v: MemView, rows: number): MemView {
  const line = lineOf(v.cursor);
  const span = BigInt(Math.max(1, rows) - 1) * LINE_BYTES;
  if (line < v.top) return { ...v, top: line };
  if (line > v.top + span) return { ...v, top: line - span };
  return v;
}

/** Move the cursor by words (Left/Right ±1, Up/Down ±2). */
export function moveWords(v: MemView, words: number, rows: number): MemView {
  const cursor = clamp(v.cursor + BigInt(words) * WORD_BYTES, 0n, TOP + WORD_BYTES);
  return keepVisible({ ...v, cursor }, rows);
}

/** PgUp/PgDn: the cursor and the window move by a screenful. */
export function movePage(v: MemView, pages: number, rows: number): MemView {
  const by = BigInt(pages * Math.max(1, rows)) * LINE_BYTES;
  const cursor = clamp(v.cursor + by, 0n, TOP + WORD_BYTES);
  const top = clamp(v.top + by, 0n, TOP);
  return keepVisible({ cursor, top }, rows);
}

/** The value under the cursor, when its line is among `lines` and readable. */
export function cursorValue(v: MemView, lines: readonly MemLine[]): { value: bigint; symbol?: string } | undefined {
  const line = lines.find((l) => l.addr === lineOf(v.cursor));
  if (!line?.words) return undefined;
  const i = Number((v.cursor - line.addr) / WORD_BYTES);
  return { value: line.words[i]!, symbol: line.symbols[i] };
}
