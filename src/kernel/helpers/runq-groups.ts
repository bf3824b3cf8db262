import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { perCpuInfo } from './percpu.js';
import { listForEach } from './list.js';
import { taskByAddress, type TaskContext } from './task.js';
import { cfsEntities, currentOf, rtQueues, rtSeMyQ, seMyQ, taskOfSe, taskPrio } from './runq.js';
import { resolveType } from '../../debuginfo/btf/types.js';

/**
 * `runq -g`: the run queues of every task group (kernel/sched/sched.h struct task_group, its
 * per-cpu cfs_rq[] and rt_rq[]), walked the way crash's dump_tasks_by_task_group() does: groups
 * found in a queue's tree print where they are queued; groups with tasks that are not queued in
 * their parent (throttled, dequeued) print after, under their parents' headers.
 */

interface GroupInfo {
  tg: bigint;
  depth: number;
  name?: string;
  parent?: GroupInfo;
  use: boolean;
}

/** One piece of a -g listing; `indent` is crash's INDENT() count. */
export type GroupItem =
  | { kind: 'header'; indent: number; rt: boolean; tg: bigint; rq: bigint; name?: string; throttled: boolean }
  /** `[%3d] ` with no newline: an RT group header follows on the same line */
  | { kind: 'prefix'; indent: number; prio: number }
  | { kind: 'task'; indent: number; prio: number; tc: TaskContext; current: boolean }
  | { kind: 'none'; indent: number };

export interface GroupCpu {
  cpu: number;
  curr: bigint;
  currTc?: TaskContext;
  rtRq?: bigint;
  rt: GroupItem[];
  cfsRq?: bigint;
  cfs: GroupItem[];
  warning?: string;
}

export interface TaskGroups {
  /** ROOT (root_task_group) or INIT (init_task_group, before 2.6.34) */
  label: string;
  root: bigint;
  cpus: GroupCpu[];
}

const MAX_GROUPS = 100_000;

export function taskGroups(k: Kernel, cpus: number[]): TaskGroups {
  const T = 'struct task_group';
  if ((!k.hasMember(T, 'cfs_rq') && !k.hasMember(T, 'rt_rq')) || !k.hasMember(T, 'parent')) {
    throw new CrashError('-g option not supported or applicable on this architecture or kernel');
  }
  const rootSym = k.symbol('init_task_group') ?? k.symbol('root_task_group');
  if (!rootSym) throw new CrashError('cannot determine root task_group');
  const label = rootSym.name === 'init_task_group' ? 'INIT' : 'ROOT';
  const root = rootSym.address;
  const o = (s: string, m: string) => BigInt(k.offsetOf(s, m));
  const opt = (s: string, m: string) => k.memberByteOffset(s, m);
  const ptr = (a: bigint, what: string) => k.readPtr(a, what);

  // fill_task_group_info_array(): pre-order over children/siblings, then a stable sort by depth
  const groups: GroupInfo[] = [];
  const seen = new Set<bigint>();
  const fill = (tg: bigint, depth: number, parent?: GroupInfo) => {
    if (seen.has(tg) || groups.length >= MAX_GROUPS || depth > 64) return;
    seen.add(tg);
    const g: GroupInfo = { tg, depth, parent, use: depth > 0, name: groupName(k, tg) };
    groups.push(g);
    if (opt(T, 'children') === undefined) return;
    for (const n of listForEach(k, tg + o(T, 'children'), 'task_group children')) fill(n - o(T, 'siblings'), depth + 1, g);
  };
  fill(root, 0);
  groups.sort((a, b) => a.depth - b.depth);

  const cfsOff = opt(T, 'cfs_rq');
  const rtOff = opt(T, 'rt_rq');
  const cfsBase = cfsOff === undefined ? 0n : ptr(root + BigInt(cfsOff), 'task_group cfs_rq');
  const rtBase = rtOff === undefined ? 0n : ptr(root + BigInt(rtOff), 'task_group rt_rq');
  // task_group.cfs_rq: `struct cfs_rq **` (one pointer per cpu), or a per-cpu pointer in newer kernels
  const cfsMember = k.types.memberOf(T, 'cfs_rq');
  const cfsPtrPtr = (() => {
    const t = cfsMember && resolveType(cfsMember.type);
    return !!t && t.kind === 'ptr' && resolveType(t.target).kind === 'ptr';
  })();
  const tgCfsRq = (tg: bigint, cpu: number): bigint => {
    const base = ptr(tg + BigInt(cfsOff ?? 0), 'task_group cfs_rq');
    if (cfsPtrPtr) return ptr(base + BigInt(cpu * 8), 'task_group cfs_rq');
    const p = perCpuInfo(k);
    return p ? base + p.offsets[cpu] : base;
  };
  const tgRtRq = (tg: bigint, cpu: number): bigint => ptr(ptr(tg + BigInt(rtOff ?? 0), 'task_group rt_rq') + BigInt(cpu * 8), 'task_group rt_rq');
  const flag = (a: bigint, s: string, m: string) => {
    const x = opt(s, m);
    return x !== undefined && k.readS32(a + BigInt(x), `${s} ${m}`) !== 0;
  };
  const find = (tg: bigint) => groups.find((g) => g.tg === tg);

  const out: GroupCpu[] = [];
  for (const cpu of cpus) {
    const { curr, currTc } = currentOf(k, cpu);
    const cpuOut: GroupCpu = { cpu, curr, currTc, rt: [], cfs: [] };
    out.push(cpuOut);
    const queued = new Set<bigint>();
    const reuse = () => groups.forEach((g) => (g.use = g.depth > 0));

    // ---- CFS: dump_tasks_in_task_group_cfs_rq() and its helpers
    const items = cpuOut.cfs;
    const fairHeader = (depth: number, rq: bigint, g: GroupInfo) =>
      items.push({ kind: 'header', indent: 2 + 3 * depth, rt: false, tg: g.tg, rq, name: g.name, throttled: flag(rq, 'struct cfs_rq', 'throttled') });
    const parentsFair = (g: GroupInfo) => {
      const p = g.parent;
      if (!p || !p.use) return;
      parentsFair(p);
      fairHeader(p.depth, tgCfsRq(p.tg, cpu), p);
      p.use = false;
    };
    const lowerFair = (depth: number, rq: bigint, nest: number): number => {
      let total = 0;
      for (const g of groups) {
        if (!g.use || g.depth - depth !== 1 || !g.parent) continue;
        if (ptr(rq + o('struct cfs_rq', 'tg'), 'cfs_rq tg') !== g.parent.tg) continue;
        const p = tgCfsRq(g.tg, cpu);
        if (p === rq) continue;
        const nrOff = opt('struct cfs_rq', 'nr_running') ?? opt('struct cfs_rq', 'nr_queued') ?? 0;
        if (k.readS32(p + BigInt(nrOff), 'cfs_rq nr_running') === 0) {
          total += lowerFair(depth + 1, p, nest + 1);
          continue;
        }
        parentsFair(g);
        total += 1 + fair(depth + 1, p, nest + 1);
      }
      return total;
    };
    const fair = (depth: number, rq: bigint, nest: number): number => {
      if (nest > 64) throw new CrashError(`cfs_rq ${rq.toString(16)}: group nesting too deep`);
      let total = 0;
      if (depth) {
        const g = find(ptr(rq + o('struct cfs_rq', 'tg'), 'cfs_rq tg'));
        if (g) {
          fairHeader(depth, rq, g);
          g.use = false;
        }
      }
      let cur = 0n;
      let curQ = 0n;
      if (opt('struct sched_entity', 'my_q') !== undefined) {
        cur = ptr(rq + o('struct cfs_rq', 'curr'), 'curr');
        curQ = seMyQ(k, cur);
        if (curQ) total += 1 + fair(depth + 1, curQ, nest + 1);
      }
      if (!curQ && currTc && cur && taskOfSe(k, cur) === currTc.task) {
        total++;
        items.push({ kind: 'task', indent: 5 + 3 * depth, prio: taskPrio(k, currTc.task), tc: currTc, current: true });
      }
      for (const se of cfsEntities(k, rq)) {
        const q = seMyQ(k, se);
        if (q) {
          total += 1 + fair(depth + 1, q, nest + 1);
          continue;
        }
        const tc = taskByAddress(k, taskOfSe(k, se));
        if (!tc) continue;
        if (queued.has(tc.task)) {
          cpuOut.warning = `duplicate CFS runqueue node: task ${tc.task.toString(16)}`;
          return total;
        }
        queued.add(tc.task);
        items.push({ kind: 'task', indent: 5 + 3 * depth, prio: taskPrio(k, tc.task), tc, current: false });
        total++;
      }
      total += lowerFair(depth, rq, nest);
      if (!total) items.push({ kind: 'none', indent: 5 + 3 * depth });
      return total;
    };

    // ---- RT: dump_tasks_in_task_group_rt_rq() and its helpers
    const rtItems = cpuOut.rt;
    const rtHeader = (rq: bigint, g: GroupInfo) =>
      rtItems.push({ kind: 'header', indent: 0, rt: true, tg: g.tg, rq, name: g.name, throttled: opt(T, 'rt_bandwidth') !== undefined && flag(rq, 'struct rt_rq', 'rt_throttled') });
    const highest = (rq: bigint) => k.readS32(rq + o('struct rt_rq', 'highest_prio'), 'rt_rq highest_prio');
    const parentsRt = (g: GroupInfo) => {
      const p = g.parent;
      if (!p || !p.use) return;
      parentsRt(p);
      const rq = tgRtRq(p.tg, cpu);
      rtItems.push({ kind: 'prefix', indent: -1 + 6 * p.depth, prio: highest(rq) });
      rtHeader(rq, p);
      p.use = false;
    };
    const lowerRt = (depth: number, rq: bigint, nest: number): number => {
      let total = 0;
      for (const g of groups) {
        const delta = g.depth - depth;
        if (delta > 1) break;
        if (!g.use || delta < 1 || !g.parent) continue;
        if (ptr(rq + o('struct rt_rq', 'tg'), 'rt_rq tg') !== g.parent.tg) continue;
        const p = tgRtRq(g.tg, cpu);
        if (p === rq) continue;
        if (k.readS32(p + o('struct rt_rq', 'rt_nr_running'), 'rt_rq rt_nr_running') === 0) {
          total += lowerRt(depth + 1, p, nest + 1);
          continue;
        }
        parentsRt(g);
        rtItems.push({ kind: 'prefix', indent: 5 + 6 * depth, prio: highest(p) });
        total++;
        rt(depth + 1, p, nest + 1);
      }
      return total;
    };
    const rt = (depth: number, rq: bigint, nest: number): void => {
      if (nest > 64) throw new CrashError(`rt_rq ${rq.toString(16)}: group nesting too deep`);
      if (depth) {
        const g = find(ptr(rq + o('struct rt_rq', 'tg'), 'rt_rq tg'));
        if (g) {
          rtHeader(rq, g);
          g.use = false;
        }
      }
      let total = 0;
      for (const { prio, rtSe } of rtQueues(k, rq + o('struct rt_rq', 'active'))) {
        const q = rtSeMyQ(k, rtSe);
        if (q) {
          rtItems.push({ kind: 'prefix', indent: 5 + 6 * depth, prio });
          total++;
          rt(depth + 1, q, nest + 1);
          continue;
        }
        const tc = taskByAddress(k, rtSe - o('struct task_struct', 'rt'));
        if (!tc) continue;
        rtItems.push({ kind: 'task', indent: 5 + 6 * depth, prio, tc, current: false });
        total++;
      }
      total += lowerRt(depth, rq, nest);
      if (!total) rtItems.push({ kind: 'none', indent: 5 + 6 * depth });
    };

    if (rtBase) {
      cpuOut.rtRq = ptr(rtBase + BigInt(cpu * 8), 'task_group rt_rq');
      reuse();
      rt(0, cpuOut.rtRq, 0);
    }
    if (cfsBase) {
      cpuOut.cfsRq = tgCfsRq(root, cpu);
      reuse();
      fair(0, cpuOut.cfsRq, 0);
    }
  }
  return { label, root, cpus: out };
}

/** get_task_group_name(): the cgroup's dentry name, or its kernfs node name ("/" for the root). */
function groupName(k: Kernel, tg: bigint): string | undefined {
  try {
    const cssOff = k.memberByteOffset('struct task_group', 'css');
    const cgOff = k.memberByteOffset('struct cgroup_subsys_state', 'cgroup');
    if (cssOff === undefined || cgOff === undefined) return undefined;
    const cgroup = k.readPtr(tg + BigInt(cssOff + cgOff), 'task_group css cgroup');
    if (!cgroup) return undefined;
    const dentryOff = k.memberByteOffset('struct cgroup', 'dentry');
    if (dentryOff !== undefined) {
      const d = k.readPtr(cgroup + BigInt(dentryOff), 'cgroup dentry');
      if (!d) return undefined;
      const name = k.readPtr(d + BigInt(k.offsetOf('struct dentry', 'd_name') + k.offsetOf('struct qstr', 'name')), 'qstr name');
      return k.readCString(name, 256, 'qstr name');
    }
    const knOff = k.memberByteOffset('struct cgroup', 'kn');
    const parentOff = k.memberByteOffset('struct kernfs_node', 'parent') ?? k.memberByteOffset('struct kernfs_node', '__parent');
    const nameOff = k.memberByteOffset('struct kernfs_node', 'name');
    if (knOff === undefined || parentOff === undefined || nameOff === undefined) return undefined;
    const kn = k.readPtr(cgroup + BigInt(knOff), 'cgroup kn');
    if (!kn) return undefined;
    if (!k.readPtr(kn + BigInt(parentOff), 'kernfs_node parent')) return '/';
    const name = k.readPtr(kn + BigInt(nameOff), 'kernfs_node name');
    return name ? k.readCString(name, 1024, 'kernfs_node name') : undefined;
  } catch {
    return undefined;
  }
}
