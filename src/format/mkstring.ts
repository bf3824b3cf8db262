/**
 * crash's mkstring() justification (tools.c): a string never truncates; LJUST pads right, RJUST
 * pads left; CENTER splits the padding, the odd space going left with RJUST and right otherwise.
 */
export type Justify = 'ljust' | 'rjust' | 'center' | 'center-ljust' | 'center-rjust';

export function mkstring(s: string, width: number, how: Justify): string {
  const extra = width - s.length;
  if (extra <= 0) return s;
  switch (how) {
    case 'ljust':
      return s + ' '.repeat(extra);
    case 'rjust':
      return ' '.repeat(extra) + s;
    default: {
      const half = Math.floor(extra / 2);
      const left = extra % 2 && how === 'center-rjust' ? half + 1 : half;
      return ' '.repeat(left) + s + ' '.repeat(extra - left);
    }
  }
}

export const hex = (v: bigint): string => v.toString(16);
