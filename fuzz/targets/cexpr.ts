/**
 * gdb-style C expressions (`p`, `px`, `whatis`): the lexer and parser (casts decided by type
 * names, sizeof, members, indexes, ?:), evaluated over a scenario kernel (dumps/kprobe-nmi-fpu,
 * built in memory) and printed as gdb would. Seeds: the expressions the golden tests and the
 * scenario write-ups print, and ones using the scenario's types and symbols.
 */
import { evaluate } from '../../src/kernel/expr/eval.js';
import { parseExpr } from '../../src/kernel/expr/parse.js';
import { valueBytes } from '../../src/kernel/expr/value.js';
import { formatValue } from '../../src/format/cvalue.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { scenarioKernel } from '../lib/seeds.js';

const SEEDS = [
  'jiffies', 'in_kernel_fpu', '__preempt_count', 'init_task.pid', 'init_task.comm', 'init_task.comm[1]', '&init_task', '*&init_task',
  '(struct task_struct *)0xffff971d00a00000', '((struct task_struct *)0xffff971d00a00000)->comm', 'sizeof(struct task_struct)',
  'sizeof init_task', 'init_task.tasks.next', '*init_task.tasks.next', '((struct list_head *)&init_task.tasks)->next->prev',
  'init_task.se.vruntime', '1 + 2 * 3 - 4 / 2 % 3', '(1 << 63) >> 2', '-1U', '010 | 0x10 ^ 7 & 3', '0xffffffffffffffffUL + 1',
  'jiffies == 0 || jiffies > 5 && !jiffies', 'jiffies ? 1 : 2', '(long)&init_task - (long)&jiffies', '&init_task.tasks + 1',
  '(char)0x41', '(unsigned char)-1', '~0UL', '"str"', '(struct list_head)init_task.tasks', 'init_task.stack', '&jiffies - 1',
];

export const cexprTarget: FuzzTarget = {
  name: 'cexpr',
  description: 'C expressions: lex, parse, evaluate over a scenario kernel, print',
  kind: 'text',
  setup() {
    const k = scenarioKernel('kprobe-nmi-fpu');
    const isType = (t: string) => {
      try {
        return k.types.tryParse(t) !== undefined;
      } catch {
        return false;
      }
    };
    const syms = k.symbols.all().slice(0, 200).map((s) => s.name);
    const types = k.btf ? [...k.btf.structNames().slice(0, 60).map((n) => `struct ${n}`), ...k.btf.typeNames().slice(0, 40)] : [];
    return {
      seeds: SEEDS,
      dict: { tokens: [...syms, ...types, 'sizeof', '->', '.', '[', ']', '(', ')', '*', '&', '?', ':', 'U', 'L', 'UL', ' ', '<<', '>>'] },
      run(text) {
        attempt(() => parseExpr(text, isType));
        const v = evaluate(k, text);
        attempt(() => formatValue(valueBytes(k, v), v.type, { radix: 16, symbolize: (a) => {
          const c = k.symbols.containing(a);
          return c ? { name: c.sym.name, offset: c.offset } : undefined;
        } }));
      },
    };
  },
};
