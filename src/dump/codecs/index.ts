/**
 * Page decoders for kdump-compressed dumps, chosen by page_desc_t.flags the way crash's
 * diskdump.c cache_page() does: zlib, then lzo, then snappy, then zstd; no flag means a raw page.
 * Every decoder must produce exactly one page; anything else is a CodecError.
 */
import { inflateSync } from 'node:zlib';
import { lzo1xDecompress } from './lzo1x.js';
import { snappyDecompress } from './snappy.js';
import { zstdDecompressPage } from './zstd.js';
import {
  DUMP_DH_COMPRESSED_LZO,
  DUMP_DH_COMPRESSED_SNAPPY,
  DUMP_DH_COMPRESSED_ZLIB,
  DUMP_DH_COMPRESSED_ZSTD,
} from '../kdump-header.js';

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export type PageCodec = 'zlib' | 'lzo' | 'snappy' | 'zstd' | 'raw';

export function codecOf(flags: number): PageCodec {
  if (flags & DUMP_DH_COMPRESSED_ZLIB) return 'zlib';
  if (flags & DUMP_DH_COMPRESSED_LZO) return 'lzo';
  if (flags & DUMP_DH_COMPRESSED_SNAPPY) return 'snappy';
  if (flags & DUMP_DH_COMPRESSED_ZSTD) return 'zstd';
  return 'raw';
}

/** Decode one page of `pageSize` bytes stored with the given descriptor flags. */
export function decodePage(flags: number, src: Uint8Array, pageSize: number): Uint8Array {
  const codec = codecOf(flags);
  let out: Uint8Array;
  try {
    switch (codec) {
      case 'zlib':
        out = inflateSync(src, { maxOutputLength: pageSize });
        break;
      case 'lzo':
        out = lzo1xDecompress(src, pageSize);
        break;
      case 'snappy':
        out = snappyDecompress(src, pageSize);
        break;
      case 'zstd':
        out = zstdDecompressPage(src, pageSize);
        break;
      case 'raw':
        if (src.length !== pageSize) throw new CodecError(`raw page of ${src.length} bytes`);
        out = src;
        break;
    }
  } catch (e) {
    throw new CodecError(`${codec}: uncompress failed: ${(e as Error).message}`);
  }
  if (out.length !== pageSize) throw new CodecError(`${codec}: uncompress failed: ${out.length} bytes, expected ${pageSize}`);
  // node:zlib hands back a Buffer: give the page layer a plain Uint8Array view of the same bytes
  return Buffer.isBuffer(out) ? new Uint8Array(out.buffer, out.byteOffset, out.length) : out;
}
