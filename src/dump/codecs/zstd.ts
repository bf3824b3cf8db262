/**
 * One zstd frame holding one page (makedumpfile -z: ZSTD_compressCCtx per page). Decoded by
 * fzstd (pure JS; node:zlib has no zstd before Node 22.15). fzstd trusts the frame header's sizes
 * when it allocates, so the header is checked here first (RFC 8878 §3.1.1.1): magic, no
 * dictionary, a window no larger than needed, and a content size, when present, equal to the
 * page size. The output buffer is ours and exactly one page long.
 */
import { decompress } from 'fzstd';
import { zstdStreamProblem } from './zstd-guard.js';

const MAGIC = 0xfd2fb528;

export class ZstdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZstdError';
  }
}

/** The frame's declared content size, or undefined when the frame does not declare one. */
function contentSize(src: Uint8Array): number | undefined {
  if (src.length < 6) throw new ZstdError('frame too short');
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new ZstdError('not a zstd frame');
  const fhd = src[4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  if (fhd & 8) throw new ZstdError('reserved bit set in the frame header');
  const dictBytes = [0, 1, 2, 4][fhd & 3];
  if (dictBytes) throw new ZstdError('frame needs a dictionary');
  let at = 5;
  if (!single) {
    const wd = src[at++];
    const wlog = 10 + (wd >> 3);
    if (wlog > 27) throw new ZstdError(`window of 2^${wlog} bytes is implausible for a page`);
  }
  const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag];
  if (!fcsBytes) return undefined;
  if (at + fcsBytes > src.length) throw new ZstdError('truncated frame header');
  switch (fcsBytes) {
    case 1:
      return src[at];
    case 2:
      return dv.getUint16(at, true) + 256;
    case 4:
      return dv.getUint32(at, true);
    default: {
      const v = dv.getBigUint64(at, true);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
    }
  }
}

export function zstdDecompressPage(src: Uint8Array, outLen: number): Uint8Array {
  const declared = contentSize(src);
  if (declared !== undefined && declared !== outLen) throw new ZstdError(`frame holds ${declared} bytes, expected ${outLen}`);
  const problem = zstdStreamProblem(src, outLen);
  if (problem) throw new ZstdError(problem);
  const out = new Uint8Array(outLen);
  let got: Uint8Array;
  try {
    got = decompress(src, out);
  } catch (e) {
    throw new ZstdError((e as Error).message);
  }
  if (got.length !== outLen) throw new ZstdError(`decompressed ${got.length} bytes, expected ${outLen}`);
  return got;
}
