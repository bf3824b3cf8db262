import type { LogResult } from '../commands/result.js';
import { recordText } from '../kernel/helpers/printk.js';
import { formatCtime } from '../util/time.js';

/** printk.c dump_record(): `[%5lld.%06ld] ` + text; continuation lines indented under the text. */
export function formatLog(r: LogResult): string {
  let out = '';
  for (const rec of r.records) {
    let prefix = '';
    if (rec.text.length === 0 && !r.dict) {
      out += '\n';
      continue;
    }
    if (r.showTime) {
      const sec = rec.tsNsec / 1_000_000_000n;
      const usec = (rec.tsNsec % 1_000_000_000n) / 1000n;
      prefix += r.bootSec !== undefined ? `[${formatCtime(r.bootSec + sec)}] ` : `[${sec.toString().padStart(5)}.${usec.toString().padStart(6, '0')}] `;
    }
    if (r.caller) prefix += `[${((rec.callerId & 0x80000000) !== 0 ? 'C' : 'T') + (rec.callerId & 0x7fffffff)}]`.padStart(8) + ' ';
    if (r.level) prefix += `<${rec.level.toString(16)}>`;
    const pad = ' '.repeat(prefix.length);
    let line = prefix + recordText(rec).replace(/\n/g, '\n' + pad);
    if (r.dict) {
      if (rec.subsystem) line += `\n${pad}SUBSYSTEM=${rec.subsystem}`;
      if (rec.device) line += `\n${pad}DEVICE=${rec.device}`;
    }
    out += line + '\n';
  }
  return out;
}
