import type { PrintResult, StructResult } from '../commands/result.js';
import { formatValue, formatMembers } from './cvalue.js';

/**
 * gdb `print` as crash shows it (symbols.c process_gdb_output): `$N = value`, with the leader
 * (`jiffies = `, `per_cpu(x, 1) = `) before it; when a leader is printed and the first line holds
 * a `{` that does not end it, crash breaks the line there: `x = $4 = ` / ` {1, 2, 3}`.
 */
export function formatPrint(r: PrintResult): string {
  let bytes = r.bytes;
  if (r.bitSize) bytes = extractBits(bytes, r.bitPos ?? 0, r.bitSize);
  const text = formatValue(bytes, r.type, r.view, { printTypePrefix: true }).join('\n');
  let first = `$${r.number} = ${text}`;
  if (r.prefix) {
    const nl = first.indexOf('\n');
    const line0 = nl < 0 ? first : first.slice(0, nl);
    const brace = line0.indexOf('{');
    if (brace >= 0 && brace !== line0.length - 1) first = `${first.slice(0, brace)}\n {${first.slice(brace + 1)}`;
  }
  return `${r.prefix}${first}\n`;
}

function extractBits(bytes: Uint8Array, pos: number, size: number): Uint8Array {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  n = (n >> BigInt(pos)) & ((1n << BigInt(size)) - 1n);
  const out = new Uint8Array(Math.max(1, Math.ceil(size / 8)));
  for (let i = 0; i < out.length; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** `struct X ADDR`: `struct X {` ... `}`; member lists print only those members' lines. */
export function formatStruct(r: StructResult): string {
  const name = 'name' in r.type && r.type.name ? r.type.name : '';
  const blocks = r.objects.map((o) => {
    const head = o.cpu !== undefined ? `[${o.cpu}]: ${o.addr.toString(16)}\n` : '';
    if (r.members) return head + formatMembers(o.bytes, r.type, r.members, r.view, { address: o.addr }).join('\n') + '\n';
    const lines = formatValue(o.bytes, r.type, r.view, { address: o.addr });
    return `${head}${r.keyword} ${name} ${lines.join('\n')}\n`.replace(`${r.keyword}  {`, `${r.keyword} {`);
  });
  return blocks.join(r.members ? '' : '\n');
}
