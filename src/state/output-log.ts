/**
 * The REPL's scrollback: text chunks arrive as a command produces them and are split into lines
 * (a chunk need not end on a line boundary). Lines are hard-wrapped to the view width, so the scroll
 * offset counts screen rows from the bottom: 0 follows new output; when scrolled up, new output
 * does not move what is on screen. Mutable for speed (streaming into 20000 lines); the hook re-renders.
 */

export const LOG_LIMIT = 20_000;

export interface LogWindow {
  /** Exactly the visible rows, oldest first; at most `height` of them, each at most `width` wide. */
  rows: string[];
  /** Rows scrolled up from the bottom (0 = following the output). */
  offset: number;
  totalRows: number;
  atBottom: boolean;
}

// CSI/OSC escape sequences and C0 controls other than \t and \n: output is plain text.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])|[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** Remove terminal escapes and control characters; CRLF becomes LF. */
export function sanitize(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPES, '');
}

/** Expand tabs to 8-column stops. */
export function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  return out;
}

/** Screen rows one line takes at the given width (an empty line still takes one). */
export function rowsOf(line: string, width: number): number {
  return Math.max(1, Math.ceil(line.length / Math.max(1, width)));
}

export class OutputLog {
  private lines: string[] = [];
  /** The last line has not seen its newline yet; the next chunk continues it. */
  private open = false;
  private offset = 0;
  private width = 80;
  private height = 20;
  private total = 0;

  constructor(readonly maxLines: number = LOG_LIMIT) {}

  get lineCount(): number { return this.lines.length; }
  get scrollOffset(): number { return this.clampOffset(); }
  get totalRows(): number { return this.total; }
  get viewport(): { width: number; height: number } { return { width: this.width, height: this.height }; }
  getLines(): readonly string[] { return this.lines; }

  /** Append a chunk of output. */
  append(chunk: string): void {
    const text = sanitize(chunk);
    if (text === '') return;
    const parts = text.split('\n');
    const endsWithNewline = parts[parts.length - 1] === '';
    if (endsWithNewline) parts.pop();
    let first = this.lines.length;
    let before = 0;
    if (this.open && parts.length > 0) {
      first = this.lines.length - 1;
      before = rowsOf(this.lines[first]!, this.width);
      this.lines[first] = expandTabs(this.lines[first]! + parts.shift()!);
    }
    for (const p of parts) this.lines.push(expandTabs(p));
    this.open = !endsWithNewline;
    let added = -before;
    for (let i = first; i < this.lines.length; i++) added += rowsOf(this.lines[i]!, this.width);
    this.total += added;
    if (this.offset > 0) this.offset += added; // keep the screen still while scrolled up
    this.trim();
  }

  /** Terminate an unfinished last line, so the next append starts a new one. */
  endLine(): void { this.open = false; }

  clear(): void {
    this.lines = [];
    this.open = false;
    this.offset = 0;
    this.total = 0;
  }

  setViewport(width: number, height: number): void {
    width = Math.max(1, Math.floor(width));
    height = Math.max(1, Math.floor(height));
    if (width !== this.width) {
      this.width = width;
      this.total = this.lines.reduce((n, l) => n + rowsOf(l, width), 0);
    }
    this.height = height;
    this.offset = this.clampOffset();
  }

  /** Scroll by `delta` rows; positive goes up (older output). */
  scrollBy(delta: number): void {
    this.offset = this.clampOffset(this.offset + delta);
  }
  pageUp(): void { this.scrollBy(Math.max(1, this.height - 1)); }
  pageDown(): void { this.scrollBy(-Math.max(1, this.height - 1)); }
  toBottom(): void { this.offset = 0; }
  toTop(): void { this.offset = this.maxOffset(); }

  /** The rows to show for the current viewport. */
  window(): LogWindow {
    const offset = this.clampOffset();
    const out: string[] = [];
    let skip = offset;
    for (let i = this.lines.length - 1; i >= 0 && out.length < this.height; i--) {
      const line = this.lines[i]!;
      const n = rowsOf(line, this.width);
      if (skip >= n) {
        skip -= n;
        continue;
      }
      for (let r = n - 1 - skip; r >= 0 && out.length < this.height; r--) {
        out.push(line.slice(r * this.width, (r + 1) * this.width));
      }
      skip = 0;
    }
    out.reverse();
    return { rows: out, offset, totalRows: this.total, atBottom: offset === 0 };
  }

  private maxOffset(): number { return Math.max(0, this.total - this.height); }
  private clampOffset(v: number = this.offset): number { return Math.min(Math.max(0, v), this.maxOffset()); }

  private trim(): void {
    const excess = this.lines.length - this.maxLines;
    if (excess <= 0) return;
    for (let i = 0; i < excess; i++) this.total -= rowsOf(this.lines[i]!, this.width);
    this.lines.splice(0, excess);
    this.offset = this.clampOffset();
  }
}
