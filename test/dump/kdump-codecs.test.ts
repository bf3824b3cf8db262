/**
 * Page codecs against vectors made by the real compressors (test/dump/fixtures/codec, made by
 * test/builders/make-kdump-fixtures.py: zlib, liblzo2 lzo1x_1 and lzo1x_999, libsnappy, the zstd
 * CLI), then the same pages inside kdump files, plain and flattened. Damaged streams must end
 * in a CodecError (a 'read' fault), never another exception.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecError, decodePage } from '../../src/dump/codecs/index.js';
import { lzo1xDecompress, LzoError } from '../../src/dump/codecs/lzo1x.js';
import { KdumpPageError } from '../../src/dump/kdump.js';
import { openDumpFile } from '../../src/dump/open.js';
import { PhysReadError } from '../../src/util/errors.js';
import { tempDumpDir } from '../builders/core-elf.js';
import { buildKdump, flatten, FLAG_LZO, FLAG_SNAPPY, FLAG_ZLIB, FLAG_ZSTD } from '../builders/kdump-builder.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/codec');
const PAGES = ['zero', 'text', 'runs', 'struct', 'noise'] as const;
const VECTORS: Array<{ ext: string; flags: number }> = [
  { ext: 'zlib', flags: FLAG_ZLIB },
  { ext: 'lzo1x_1', flags: FLAG_LZO },
  { ext: 'lzo1x_999', flags: FLAG_LZO },
  { ext: 'snappy', flags: FLAG_SNAPPY },
  { ext: 'zst', flags: FLAG_ZSTD },
  { ext: 'stdin.zst', flags: FLAG_ZSTD },
];
const read = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const plain = Object.fromEntries(PAGES.map((p) => [p, read(`${p}.page`)]));

const tmp = tempDumpDir('crash-tui-kdump-codecs-');
afterAll(() => tmp.cleanup());

/** A small deterministic PRNG (xorshift32). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function decodeOrCodecError(flags: number, src: Uint8Array): Uint8Array | CodecError {
  try {
    return decodePage(flags, src, 4096);
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e; // anything else is a bug
  }
}

describe('real compressors\' pages decode to the original', () => {
  for (const v of VECTORS) {
    for (const p of PAGES) {
      it(`${p}.${v.ext}`, () => {
        expect(decodePage(v.flags, read(`${p}.${v.ext}`), 4096)).toEqual(plain[p]);
      });
    }
  }
  it('raw pages are taken as they are', () => {
    expect(decodePage(0, plain.noise, 4096)).toBe(plain.noise);
  });
});

describe('damaged streams are CodecErrors', () => {
  for (const v of VECTORS) {
    it(`${v.ext}: every truncation, and random corruption`, () => {
      for (const p of PAGES) {
        const good = read(`${p}.${v.ext}`);
        for (let cut = 0; cut < good.length; cut++) {
          const r = decodeOrCodecError(v.flags, good.subarray(0, cut));
          // a cut stream may still decode to the right page only if the cut removed nothing needed
          if (!(r instanceof CodecError)) expect(r).toEqual(plain[p]);
        }
        const next = rng(good.length * 31 + p.length);
        for (let i = 0; i < 200; i++) {
          const bad = good.slice();
          for (let k = 1 + (next() % 4); k > 0; k--) bad[next() % bad.length] = next() & 0xff;
          decodeOrCodecError(v.flags, bad);
        }
      }
    });
  }

  it('pure garbage, for every codec', () => {
    const next = rng(99);
    for (const flags of [FLAG_ZLIB, FLAG_LZO, FLAG_SNAPPY, FLAG_ZSTD]) {
      for (let i = 0; i < 300; i++) {
        const len = next() % 300;
        decodeOrCodecError(flags, Uint8Array.from({ length: len }, () => next() & 0xff));
      }
    }
  });

  it('streams that decode to the wrong length are refused', () => {
    expect(() => lzo1xDecompress(read('text.lzo1x_1'), 4095)).toThrow(LzoError);
    expect(() => lzo1xDecompress(read('text.lzo1x_1'), 8192)).toThrow('decompressed 4096 bytes, expected 8192');
    const e = decodeOrCodecError(FLAG_ZSTD, read('text.zst'));
    expect(e).toEqual(plain.text);
    expect(() => decodePage(FLAG_ZSTD, read('text.zst'), 8192)).toThrow('zstd: uncompress failed: frame holds 4096 bytes, expected 8192');
    expect(() => decodePage(FLAG_SNAPPY, read('text.snappy'), 8192)).toThrow('snappy: uncompress failed: stream holds 4096 bytes, expected 8192');
    expect(() => decodePage(FLAG_ZLIB, read('text.zlib'), 2048)).toThrow(/^zlib: uncompress failed: /);
  });

  it('lzo: input left over after the end marker is an error (lzo1x_decompress_safe: INPUT_NOT_CONSUMED)', () => {
    const v = read('runs.lzo1x_1');
    expect(() => lzo1xDecompress(Uint8Array.from([...v, 0]), 4096)).toThrow('1 bytes of input left after the end of the stream');
  });
});

describe('kdump files with each codec', () => {
  for (const v of VECTORS) {
    it(`${v.ext}: plain and flattened, every page`, () => {
      // as makedumpfile does, a page that does not get smaller is stored raw
      const stored = (p: string) => {
        const c = read(`${p}.${v.ext}`);
        return c.length < 4096 ? { flags: v.flags, bytes: c } : { flags: 0, bytes: plain[p] };
      };
      const pages = PAGES.map((p, i) => ({ pfn: 2 * i + 1, stored: stored(p) }));
      const { bytes } = buildKdump({ maxMapnr: 16, pages, ram: [[0, 16]], status: v.flags });
      for (const file of [bytes, flatten(bytes, { recordSize: 1000, order: (n) => [...Array(n).keys()].reverse() })]) {
        const d = openDumpFile(tmp.write(`codec-${v.ext}`, file));
        PAGES.forEach((p, i) => expect(d.readPhys(BigInt(2 * i + 1) * 4096n, 4096)).toEqual(plain[p]));
        expect(() => d.readPhys(0n, 1)).toThrow(PhysReadError);
        d.close();
      }
    });
  }

  it('a page a codec cannot decode is a read fault naming the codec', () => {
    const bad = read('text.lzo1x_1').slice(0, 100);
    const { bytes } = buildKdump({ maxMapnr: 8, pages: [{ pfn: 1, stored: { flags: FLAG_LZO, bytes: bad } }] });
    const d = openDumpFile(tmp.write('lzo-bad', bytes));
    try {
      d.readPhys(0x1000n, 8);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KdumpPageError);
      expect((e as KdumpPageError).fault).toBe('read');
      expect((e as KdumpPageError).detail).toMatch(/^pfn 1: lzo: uncompress failed: input overrun at \d+$/);
    }
    d.close();
  });
});
