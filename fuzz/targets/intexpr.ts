/**
 * crash's integer expressions (eval, rd (expr)): numbers with k/m/g suffixes, symbols, unary and
 * binary operators, parentheses; and the number/hex-token classifiers the commands use.
 */
import { evalIntExpr, isHexToken, parseNumber } from '../../src/commands/int-expr.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';

const SYMS = new Map<string, bigint>([['jiffies', 0xffffffff82a05000n], ['init_task', 0xffffffff82a15940n], ['dentry_cache', 0xffff888003a00000n], ['ff', 1n]]);
const sym = (n: string) => SYMS.get(n);

export const intexprTarget: FuzzTarget = {
  name: 'intexpr',
  description: "crash's integer expressions (eval, rd (expr)) and number tokens",
  kind: 'text',
  setup() {
    return {
      seeds: ['(1 << 12) + 0x40', 'jiffies + 8 * 3', '-1', '~0 >> 4', '!0 | 2 ^ 3 & 7', '100m / 3 % 7', 'ff + dead', 'init_task - 0x20', '4k * 2g', '(((1)))', 'dentry_cache << 65', '0x10 / 0'],
      dict: { tokens: [...SYMS.keys(), '<<', '>>', '(', ')', '-', '~', '!', '*', '/', '%', '+', '&', '^', '|', 'k', 'g', '0x'] },
      run(text) {
        for (const hex of [false, true]) attempt(() => evalIntExpr(text, sym, hex));
        for (const w of text.split(/\s+/).slice(0, 64)) {
          parseNumber(w, true);
          isHexToken(w);
        }
      },
    };
  },
};
