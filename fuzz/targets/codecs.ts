/**
 * The page codecs (dump/codecs): lzo1x, snappy and zstd decoders called directly (so an
 * internal TypeError is not hidden by decodePage's wrapping) and decodePage for every flag,
 * zlib included. Their own error types (LzoError, SnappyError, ZstdError, CodecError) are the
 * expected rejections. An input is one selector byte (codec, page size) and a compressed stream.
 * Seeds: real compressors' output (test/dump/fixtures/codec: lzo1x_1/999, snappy, zstd, zlib)
 * and zlib pages of the reference vmcore.kdump-zlib.
 */
import { CodecError, decodePage } from '../../src/dump/codecs/index.js';
import { LzoError, lzo1xDecompress } from '../../src/dump/codecs/lzo1x.js';
import { SnappyError, snappyDecompress } from '../../src/dump/codecs/snappy.js';
import { ZstdError, zstdDecompressPage } from '../../src/dump/codecs/zstd.js';
import { CrashError } from '../../src/util/errors.js';
import { type FuzzTarget } from '../lib/engine.js';
import { codecFixtures } from '../lib/dump-seeds.js';
import { concat } from '../lib/seeds.js';

const CODECS: [string, number][] = [['zlib', 1], ['lzo1x', 2], ['snappy', 4], ['zst', 0x20], ['page', 0]];
const OWN = [CodecError, LzoError, SnappyError, ZstdError];

function own(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (OWN.some((C) => e instanceof C)) return;
    throw e;
  }
}

export const codecsTarget: FuzzTarget = {
  name: 'codecs',
  description: 'page codecs: lzo1x, snappy, zstd (direct) and decodePage (zlib, raw, all flags)',
  kind: 'bytes',
  setup() {
    const seeds: Uint8Array[] = [];
    for (const [name, bytes] of codecFixtures()) {
      const c = CODECS.findIndex(([ext]) => name.includes(`.${ext}`));
      if (c >= 0) seeds.push(concat([new Uint8Array([c]), bytes]));
    }
    if (!seeds.length) throw new Error('codecs: test/dump/fixtures/codec is missing');
    return {
      seeds,
      dict: { ints: [4096n, 0x80n, 0xfd2fb528n, 0x3fn] },
      run(input) {
        const sel = input[0] ?? 0;
        const data = input.subarray(1);
        const pageSize = sel & 0x80 ? 16384 : 4096;
        const flags = CODECS[(sel & 0x7f) % CODECS.length]![1];
        own(() => lzo1xDecompress(data, pageSize));
        own(() => snappyDecompress(data, pageSize));
        own(() => zstdDecompressPage(data, pageSize));
        try {
          const page = decodePage(flags, data, pageSize);
          if (page.length !== pageSize) throw new Error(`decodePage returned ${page.length} bytes`);
        } catch (e) {
          if (e instanceof CodecError) throw new CrashError(e.message); // the expected rejection
          throw e;
        }
      },
    };
  },
};
