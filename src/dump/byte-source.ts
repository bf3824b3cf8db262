/**
 * Positional, read-only bytes of a dump: the file itself (FileReader) or the logical file a
 * makedumpfile flattened stream stands for (FlattenedReader). The ELF and kdump readers only
 * ever ask for bytes at an offset, so they read both the same way.
 */
export interface ByteSource {
  readonly path: string;
  /** Logical size: reads at or past it return nothing. */
  readonly size: number;
  /**
   * Bytes actually stored, when fewer than `size` may be (a flattened stream: one record can
   * claim a far offset, and what no record wrote reads as zeros). Undefined for plain files.
   */
  readonly stored?: number;
  /** Exactly `len` bytes at `off`, or the shorter prefix that exists. */
  readAt(off: number, len: number): Uint8Array;
  /** Exactly `len` bytes, or a DumpFormatError naming `what`. */
  readExact(off: number, len: number, what: string): Uint8Array;
  close(): void;
}
