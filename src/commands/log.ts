import { defineCommand, flag } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import { readPrintkRingbuffer } from '../kernel/helpers/printk.js';
import { xtimeSec, uptimeSecondsFromClock } from '../kernel/helpers/time.js';
import { auditRecords } from '../kernel/helpers/audit.js';
import { CrashError } from '../util/errors.js';

export const log = defineCommand({
  name: 'log',
  summary: 'dump system message buffer',
  synopsis: '[-Ttdmas]',
  description: [
    'This command dumps the kernel log_buf contents in chronological order.  The records come from',
    'the lockless printk ring buffer (5.10+), located through VMCOREINFO alone.',
  ],
  options: {
    T: flag('display the message timestamp in human readable format'),
    t: flag('display the message text without the timestamp'),
    d: flag('display the dictionary of key/value pairs (SUBSYSTEM=, DEVICE=)'),
    m: flag('display the message log level in brackets preceding each message'),
    c: flag('display the caller id (thread or cpu) of each message'),
    a: flag('dump the audit records still queued in the kernel (audit_queue, audit_retry_queue, audit_hold_queue)'),
  },
  examples: [{ command: 'log | tail -20' }, { command: 'log -m' }],
  run(ctx, a): CommandResult {
    const k = ctx.kernel;
    if (a.flags.has('a')) {
      try {
        const recs = auditRecords(k);
        if (!recs) return err('-a option not supported or applicable on this architecture or kernel');
        return recs.length ? lines(recs.map((r) => `type=${r.type} ${r.text}`)) : err('kernel audit log is empty');
      } catch (e) {
        if (e instanceof CrashError) return err(e.message);
        throw e;
      }
    }
    const recs = readPrintkRingbuffer(k);
    let boot: bigint | undefined;
    if (a.flags.has('T')) {
      const now = xtimeSec(k);
      const up = uptimeSecondsFromClock(k);
      if (now !== undefined && up !== undefined) boot = now - BigInt(up);
    }
    return {
      kind: 'log',
      records: recs,
      showTime: !a.flags.has('t'),
      bootSec: boot,
      level: a.flags.has('m'),
      dict: a.flags.has('d'),
      caller: a.flags.has('c'),
    };
  },
});
