import type { Kernel } from '../kernel.js';
import { xaForEach } from './xarray.js';
import { CrashError } from '../../util/errors.js';

/**
 * Tasks by PID, the way the kernel finds them (kernel/pid.c): every struct pid of the initial
 * namespace sits in init_pid_ns.idr (an xarray since v4.20, 0a835c4f090a "Reimplement IDR and IDA
 * using the radix tree"/"idr: Convert to XArray"); its task is pid->tasks[PIDTYPE_PID].first, the
 * task's pid_links[PIDTYPE_PID] node (v4.19 2c4704756cab; pids[PIDTYPE_PID].node before).
 * Returns undefined when this kernel has no such IDR (older pid_hash kernels, scenarios without it).
 */
export function pidHashTasks(k: Kernel): bigint[] | undefined {
  return pidIdrWalk(k).tasks;
}

/** Why the walk of init_pid_ns.idr stopped early (a looping or garbage xa_node), if it did. */
export function pidHashError(k: Kernel): CrashError | undefined {
  return pidIdrWalk(k).error;
}

function pidIdrWalk(k: Kernel): { tasks?: bigint[]; error?: CrashError } {
  return k.memo('pid-idr-tasks', () => {
    const ns = k.symbol('init_pid_ns');
    const idrOff = k.memberByteOffset('struct pid_namespace', 'idr');
    const rtOff = k.memberByteOffset('struct idr', 'idr_rt');
    if (!ns || idrOff === undefined || rtOff === undefined || !k.hasMember('struct xarray', 'xa_head')) return {};
    const link = taskPidLinkOffset(k);
    const tasksOff = k.memberByteOffset('struct pid', 'tasks');
    const nsOff = k.memberByteOffset('struct pid', 'numbers');
    const upidNs = k.memberByteOffset('struct upid', 'ns');
    if (link === undefined || tasksOff === undefined) return {};
    const pidtype = Number(k.types.enumValue('PIDTYPE_PID') ?? 0n);
    const out: bigint[] = [];
    const seen = new Set<bigint>();
    try {
      for (const { entry: pid } of xaForEach(k, ns.address + BigInt(idrOff + rtOff))) {
        try {
          if (nsOff !== undefined && upidNs !== undefined && k.readPtr(pid + BigInt(nsOff + upidNs), 'upid ns') !== ns.address) continue;
          const first = k.readPtr(pid + BigInt(tasksOff + pidtype * 8), 'pid tasks');
          if (!first) continue; // a pid whose task is gone, or only a pgrp/session id
          const task = first - BigInt(link);
          if (!seen.has(task)) {
            seen.add(task);
            out.push(task);
          }
        } catch {
          /* an unreadable struct pid: crash's "invalid task address", and the walk goes on */
        }
      }
    } catch (e) {
      if (!(e instanceof CrashError)) throw e;
      return { tasks: out.length ? out : undefined, error: e };
    }
    return { tasks: out };
  });
}

/** offsetof(struct task_struct, pid_links[PIDTYPE_PID]) — or pids[PIDTYPE_PID].node before v4.19. */
function taskPidLinkOffset(k: Kernel): number | undefined {
  const pidtype = Number(k.types.enumValue('PIDTYPE_PID') ?? 0n);
  const links = k.memberByteOffset('struct task_struct', 'pid_links');
  if (links !== undefined) return links + pidtype * 16; // struct hlist_node: next, pprev
  const pids = k.memberByteOffset('struct task_struct', 'pids');
  const node = k.memberByteOffset('struct pid_link', 'node');
  const linkSize = k.hasType('struct pid_link') ? k.sizeOf('struct pid_link') : undefined;
  if (pids === undefined || node === undefined || linkSize === undefined) return undefined;
  return pids + pidtype * linkSize + node;
}
