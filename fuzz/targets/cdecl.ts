/**
 * The scenario builder's C declaration reader (synth/ctypes): preprocessor conditionals and
 * #defines, struct/union/enum/typedef declarations, attributes and bitfields, laid out as GCC
 * does, then encoded as BTF and read back (Btf.fromBytes), so the encoder meets odd graphs too.
 * Seeds: every header in dumps/ (each scenario's types, as the builder concatenates them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../../src/debuginfo/btf/index.js';
import { encodeBtf, parseCDeclarations } from '../../src/synth/ctypes/index.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { ROOT, SCENARIOS } from '../lib/seeds.js';

const EXTRA = `#define N (4 * 2 + 1)
#if N > 8 && defined(N)
struct a { int x : 3; unsigned y : 5; long z[N]; struct a *next; void (*fn)(int, char *, ...); } __attribute__((packed, aligned(8)));
#else
struct a;
#endif
union u { struct { int lo, hi; }; long long v; } __aligned(16);
enum e { E0, E1 = 1 << 4, E2 = -1, E3 = sizeof(struct a) };
typedef struct a a_t, *a_p;
extern int __percpu counter;
void schedule(void);
extern char banner[64];
`;

export const cdeclTarget: FuzzTarget = {
  name: 'cdecl',
  description: 'C declarations (scenario types.h) → layout → BTF → read back',
  kind: 'text',
  setup() {
    const kernels = join(ROOT, 'dumps', '_kernels');
    const headers = readdirSync(kernels).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(kernels, f), 'utf8'));
    const common = readFileSync(join(kernels, 'common.h'), 'utf8');
    const perScenario = SCENARIOS.map((s) => common + '\n' + readFileSync(join(ROOT, 'dumps', s, 'types.h'), 'utf8'));
    return {
      seeds: [EXTRA, ...headers, ...perScenario],
      dict: { tokens: ['struct', 'union', 'enum', 'typedef', '#define', '#if', '#endif', '#else', '__attribute__((packed))', '__aligned(', ':', ';', '{', '}', '*', '[', ']', '(', ')', 'unsigned', 'long', 'char', 'int', '...', 'sizeof', 'extern', '__percpu', '__rcu'] },
      run(text) {
        const set = parseCDeclarations(text, 'fuzz.h');
        const blob = attempt(() => encodeBtf(set));
        if (!blob) return;
        const btf = Btf.fromBytes(blob);
        for (let id = 1; id <= Math.min(btf.wire.lastId, 2000); id++) attempt(() => btf.sizeof(btf.type(id)));
      },
    };
  },
};
