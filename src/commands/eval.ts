import { defineCommand, flag } from './types.js';
import { err, type CommandResult } from './result.js';
import { UsageError } from './getopt.js';
import { evalIntExpr, ExprError } from './int-expr.js';

export const evalCmd = defineCommand({
  name: 'eval',
  summary: 'evaluate',
  synopsis: '[-b][-l] (expression) | value',
  description: [
    'This command evaluates an expression or numeric value, and displays its result in hexadecimal,',
    'decimal, octal and binary.  Operators: + - * / % & | ^ << >> ~ and parentheses; numbers may',
    'carry k, m or g suffixes; symbols stand for their addresses.',
  ],
  options: { b: flag('show the bits that are set'), l: flag('64-bit values on 32-bit machines (no effect here)') },
  rawArgs: true,
  examples: [{ command: 'eval 128m' }, { command: 'eval (init_task + 0x5c8)' }],
  run(ctx, a): CommandResult {
    if (!a.args.length) throw new UsageError('expression required');
    const text = a.args.join(' ');
    try {
      const value = evalIntExpr(text, (n) => ctx.kernel.symbol(n)?.address);
      return { kind: 'eval', value, bits: a.flags.has('b') };
    } catch (e) {
      if (e instanceof ExprError) return err(e.message);
      throw e;
    }
  },
});
