import type { CommandContext } from './types.js';
import type { ValueView } from './result.js';

/** The lookups value printing needs, bound to this session's kernel and radix. */
export function valueView(ctx: CommandContext, radix: 10 | 16 = ctx.settings.radix): ValueView {
  const k = ctx.kernel;
  return {
    radix,
    symbolize(addr) {
      if (!k.arch.isKernelAddr(addr)) return undefined;
      const hit = k.symbols.containing(addr);
      return hit ? { name: hit.sym.name, offset: hit.offset } : undefined;
    },
    readMemory(addr, len) {
      const out: number[] = [];
      const page = BigInt(k.arch.pageSize);
      let a = addr;
      while (out.length < len) {
        const n = Math.min(len - out.length, Number(page - (a % page)));
        try {
          out.push(...k.readBytes(a, n, 'string'));
        } catch {
          break;
        }
        a += BigInt(n);
      }
      return out.length ? Uint8Array.from(out) : undefined;
    },
  };
}
