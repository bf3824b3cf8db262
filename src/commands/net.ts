import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { NetSocketsResult } from './fs-results.js';
import { currentContext, headerOf } from './task-context.js';
import { valueView } from './value-view.js';
import { shortUsage } from './help.js';
import { resolveTaskArg, tasksByPid, type TaskContext } from '../kernel/helpers/task.js';
import { arpTable, inetNtoa, netDevices, sockInfo, taskSockets } from '../kernel/helpers/net.js';
import { CrashError } from '../util/errors.js';

export const net = defineCommand({
  name: 'net',
  summary: 'network command',
  synopsis: '[[-s | -S] [-xd] [pid | task]] [-a] [-n [pid | task]] [-N addr]',
  description: [
    'This command displays various network related data.  With no options, it lists the network',
    'devices of the initial network namespace (net->dev_base_head) with their IPv4 addresses',
    '(in_device ifa_list) and IPv6 addresses (inet6_dev addr_list).  -s lists the open sockets of',
    'a task: the struct socket of each socket inode (socket_alloc), its sock, the family and type,',
    'and for inet sockets the local and remote address and port.  -S also dumps the socket and',
    'its inet_sock.  -a shows the ARP cache (arp_tbl); -N converts an IPv4 address in network',
    'byte order to dotted decimal.',
  ],
  options: {
    a: flag('display the ARP cache'),
    s: flag('display open network socket/sock addresses, their family and type, and for INET and INET6 families, their source and destination addresses and ports'),
    S: flag('same as -s, followed by a dump of the socket and sock structures'),
    x: flag('with -S, override the default output format with hexadecimal format'),
    d: flag('with -S, override the default output format with decimal format'),
    n: flag('show the network devices of the network namespace of a task'),
    N: withArg('translate an IPv4 address expressed as a decimal or hexadecimal value into a standard numbers-and-dots notation'),
  },
  examples: [{ command: 'net' }, { command: 'net -s' }, { command: 'net -s 1' }, { command: 'net -N 16777343' }],
  run: (ctx, a) => runNet(ctx, a),
});

function runNet(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  if (f('x') && f('d')) return err('-d and -x are mutually exclusive');
  const out: CommandResult[] = [];
  try {
    if (f('a')) {
      const neighbours = arpTable(k);
      if (!neighbours) return err('arp_tbl does not exist in this kernel');
      out.push({ kind: 'net-arp', neighbours });
    }
    if (a.values.has('N')) {
      const v = a.values.get('N')![0];
      if (!/^(0x)?[0-9a-f]+$/i.test(v)) return err(`invalid number: ${v}`);
      // stol(): hex with 0x or hex digits, else decimal; s_addr is its low 32 bits
      const n = Number(BigInt(/^0x/i.test(v) ? v : /[a-f]/i.test(v) ? '0x' + v : v) & 0xffffffffn);
      return [...out, lines([inetNtoa(n)])];
    }
    if (f('s') || f('S')) return [...out, ...sockets(ctx, a)];
    if (f('n') || (!f('a') && !a.args.length)) {
      let task = tasksByPid(k, 0)[0]?.task ?? k.symbolAddress('init_task');
      if (f('n')) task = a.args.length ? resolveTaskArg(k, a.args[0]).tasks[0].task : currentContext(ctx).task;
      out.push({ kind: 'net-devices', devices: netDevices(k, task) });
    } else if (!f('a')) return lines(shortUsage(net));
  } catch (e) {
    if (e instanceof CrashError) return [...out, err(e.message)];
    throw e;
  }
  return out;
}

/** dump_sockets(): per task its header, then the socket table (-s) or each socket's dumps (-S). */
function sockets(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const out: CommandResult[] = [];
  let n = 0;
  const one = (tc: TaskContext) => {
    out.push({ kind: 'taskheader', header: headerOf(tc), newline: n++ > 0 });
    out.push(...socketsOf(ctx, tc, a));
  };
  if (!a.args.length) one(currentContext(ctx));
  for (const arg of a.args) {
    try {
      resolveTaskArg(ctx.kernel, arg).tasks.forEach(one);
    } catch (e) {
      if (!(e instanceof CrashError)) throw e;
      // error(INFO, "%sinvalid ...", subsequent ? "\n" : ""): the newline goes before "net: "
      if (n++) out.push(lines(['']));
      out.push(err(e.message));
    }
  }
  return out;
}

function socketsOf(ctx: CommandContext, tc: TaskContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  const socks = taskSockets(k, tc.task) ?? [];
  if (!a.flags.has('S')) {
    const r: NetSocketsResult = { kind: 'net-sockets', rows: socks.map((s) => ({ ...s, info: sockInfo(k, s.sock) })) };
    return [r];
  }
  if (!socks.length) return [lines(['No open sockets.'])];
  const radix: 10 | 16 = a.flags.has('x') ? 16 : a.flags.has('d') ? 10 : ctx.settings.radix;
  const view = valueView(ctx, radix);
  const dump = (type: string, addr: bigint): CommandResult => {
    const t = k.type(type);
    return { kind: 'struct', keyword: 'struct', type: t, objects: [{ addr, bytes: k.readBytes(addr, k.types.sizeof(t), 'gdb request') }], view };
  };
  // "%sFD  %s  %s": CENTER|LJUST("SOCKET"/"SOCK", 16); then "%2d  %16lx  %16lx" and a blank line
  const head = 'FD       SOCKET             SOCK      ';
  return socks.flatMap((s, i) => [
    lines([...(i ? [''] : []), head, `${String(s.fd).padStart(2)}  ${s.socket.toString(16).padStart(16)}  ${s.sock.toString(16).padStart(16)}`, '']),
    dump('struct socket', s.socket),
    dump(k.hasType('struct inet_sock') ? 'struct inet_sock' : 'struct sock', s.sock),
  ]);
}
