/**
 * POSIX ERE → RegExp, against the C library itself as the oracle: regcomp(REG_EXTENDED|REG_NOSUB)
 * and regexec() — what crash's foreach calls — reached through python3's ctypes. For each pattern,
 * ours selects exactly the names glibc selects, and refuses exactly what regcomp refuses.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { posixEre, PosixRegexError } from '../../src/util/posix-regex.js';

const ORACLE = `
import ctypes, json, sys
libc = ctypes.CDLL("libc.so.6")
req = json.load(sys.stdin)
out = {}
for p in req["patterns"]:
    buf = ctypes.create_string_buffer(1024)
    if libc.regcomp(buf, p.encode(), 1 | 8) != 0:  # REG_EXTENDED | REG_NOSUB
        out[p] = None
        continue
    out[p] = [n for n in req["names"] if libc.regexec(buf, n.encode(), 0, None, 0) == 0]
    libc.regfree(buf)
print(json.dumps(out))
`;

const NAMES = ['kworker/0:1H', 'kworker/1:2', 'swapper/0', 'sh', 'ksoftirqd/0', 'd1', 'a\\b', 'x.y', 'a-b', 'a]b', 'init', 'rcu_gp', 'migration/1', 'sleep', 'a b'];
const PATTERNS = [
  'kworker/0.*', '^sh$', '\\d', '[\\.]', '[.]', '[]a]', '[^]a]', '[-a]', '[a-]', '[^-a]', 'kworker/[[:digit:]]:[0-9]H',
  '\\<init\\>', '\\bsh\\b', '\\w+/\\w', '\\s', 'rcu_(gp|par)', 'x\\.y', 'a\\\\b', '[[:upper:]]', '[[:punct:]]', 'e{2}', '^(s|k)',
  '[[.-.]]', '[[=a=]]b', 'e{,2}p', 'e{1,}p', 'l+?e', 'e**', 'e{1}{2}', '(|sh)$', 'sh)', '(k|s)(w|o)+',
];

const REFUSED = ['swa[', '(?=a)b', 'a\\', '[[:nosuch:]]', '{2}a', 'a{2', 'a{x}', '*a', 'a|*b', '(*a)', '^*a', 'a{}', 'a{2,1}', '(ab'];

/** pattern → the names glibc's regexec selects, or null where regcomp fails; undefined without python3/glibc. */
function glibc(): Record<string, string[] | null> | undefined {
  const r = spawnSync('python3', ['-c', ORACLE], { input: JSON.stringify({ patterns: [...PATTERNS, ...REFUSED], names: NAMES }), encoding: 'utf8' });
  return r.status === 0 ? JSON.parse(r.stdout) : undefined;
}
const oracle = glibc();
if (!oracle) console.log('posix-regex oracle tests skipped: python3 with glibc (ctypes, libc.so.6) is not available');

describe.skipIf(!oracle)('POSIX ERE as glibc regcomp/regexec read it', () => {
  for (const p of PATTERNS) {
    it(p, () => {
      const want = oracle![p];
      expect(want, 'regcomp accepts the pattern').not.toBeNull();
      const re = posixEre(p);
      expect(NAMES.filter((n) => re.test(n))).toEqual(want);
    });
  }

  it('refuses what regcomp refuses', () => {
    for (const p of REFUSED) {
      expect(oracle![p], p).toBeNull();
      expect(() => posixEre(p), p).toThrow(PosixRegexError);
    }
  });
});
