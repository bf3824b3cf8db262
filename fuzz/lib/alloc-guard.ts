/**
 * Catch allocations sized by garbage: the typed-array, ArrayBuffer and Array constructors are
 * wrapped (globally, in the fuzzing process only) so that asking for more than the limit records
 * a failure and throws. A decoder that swallows the throw is still caught: the engine checks
 * `tripped` after every input. The largest allocation seen is kept for the run's summary.
 */
export class HugeAllocation extends Error {
  constructor(readonly bytes: number, readonly ctor: string) {
    super(`allocation of ${bytes} bytes (${ctor}) exceeds the fuzzing limit`);
    this.name = 'HugeAllocation';
  }
}

export const allocState = {
  limit: Number(process.env.FUZZ_MAX_ALLOC ?? 256 << 20),
  tripped: undefined as HugeAllocation | undefined,
  largest: 0,
};

const TYPED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array',
  'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigUint64Array', 'BigInt64Array', 'Array',
] as const;

const originals = new Map<string, unknown>();

export function installAllocGuard(): void {
  if (originals.size) return;
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of TYPED) {
    const C = g[name] as (new (...a: unknown[]) => object) & { BYTES_PER_ELEMENT?: number };
    if (typeof C !== 'function') continue;
    originals.set(name, C);
    const per = name === 'Array' ? 8 : name.endsWith('Buffer') ? 1 : C.BYTES_PER_ELEMENT ?? 1;
    const check = (args: unknown[]) => {
      const n = args[0];
      if (typeof n !== 'number' || (name === 'Array' && args.length !== 1)) return;
      const bytes = n * per;
      if (bytes > allocState.largest) allocState.largest = bytes;
      if (bytes > allocState.limit) {
        allocState.tripped ??= new HugeAllocation(bytes, name);
        throw allocState.tripped;
      }
    };
    g[name] = new Proxy(C, {
      construct(target, args, newTarget) {
        check(args);
        return Reflect.construct(target, args, newTarget === g[name] ? target : newTarget);
      },
      apply(target, thisArg, args) {
        if (name === 'Array') check(args);
        return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, thisArg, args);
      },
    });
  }
}

/** Put the real constructors back (the vitest smoke test shares its process with other tests). */
export function uninstallAllocGuard(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const [name, C] of originals) g[name] = C;
  originals.clear();
}
