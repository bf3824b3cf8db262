import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';

/**
 * Audit records the kernel had not yet delivered to auditd (kernel/audit.c): sk_buffs queued on
 * audit_hold_queue, audit_retry_queue and audit_queue (v4.11+; audit_skb_hold_queue and
 * audit_skb_queue before), each holding a netlink message: nlmsghdr, then the text.
 * Undefined when the kernel has none of these queues (crash: option not supported).
 */
export function auditRecords(k: Kernel): { type: number; text: string }[] | undefined {
  const names = k.hasSymbol('audit_skb_queue') ? ['audit_skb_hold_queue', 'audit_skb_queue'] : k.hasSymbol('audit_queue') ? ['audit_hold_queue', 'audit_retry_queue', 'audit_queue'] : undefined;
  if (!names) return undefined;
  const out: { type: number; text: string }[] = [];
  const o = (s: string, m: string) => BigInt(k.offsetOf(s, m));
  // NLMSG_HDRLEN: sizeof(struct nlmsghdr) rounded up to 4
  const hdr = BigInt((k.sizeOf('struct nlmsghdr') + 3) & ~3);
  for (const name of names) {
    const q = k.symbol(name)?.address;
    if (q === undefined) continue;
    const qlen = k.readU32(q + o('struct sk_buff_head', 'qlen'), `${name}.qlen`);
    if (!qlen) continue;
    let p = k.readPtr(q + o('struct sk_buff_head', 'next'), `${name}.next`);
    if (!p) throw new CrashError('audit_skb_queue.next: NULL');
    for (let n = 0; p !== q && n < Math.min(qlen, 1 << 16); n++) {
      const len = BigInt(k.readU32(p + o('struct sk_buff', 'len'), 'sk_buff.len'));
      const data = k.readPtr(p + o('struct sk_buff', 'data'), 'sk_buff.data');
      if (!data) throw new CrashError('sk_buff.data: NULL');
      const type = k.readU16(data + o('struct nlmsghdr', 'nlmsg_type'), 'nlmsghdr.nlmsg_type');
      const n2 = len > hdr ? Number(len - hdr) : 0;
      const bytes = n2 ? k.readBytes(data + hdr, Math.min(n2, 1 << 16), 'sk_buff.data + sizeof(struct nlmsghdr)') : new Uint8Array();
      const z = bytes.indexOf(0);
      out.push({ type, text: String.fromCharCode(...bytes.subarray(0, z < 0 ? bytes.length : z)) });
      p = k.readPtr(p + o('struct sk_buff', 'next'), 'skb_buff.next');
    }
  }
  return out;
}
