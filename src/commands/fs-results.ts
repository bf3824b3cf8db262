/** Results of `net` and `files`; rendered by format/net.ts and format/files.ts. */
import type { NetDevice, Neighbour, SockInfo } from '../kernel/helpers/net.js';

/** `net`: the devices of a network namespace. */
export interface NetDevicesResult {
  kind: 'net-devices';
  devices: NetDevice[];
}

/** `net -s`: one task's socket table (after its task header). */
export interface NetSocketsResult {
  kind: 'net-sockets';
  rows: { fd: number; socket: bigint; sock: bigint; info: SockInfo }[];
}

/** `net -a`: the ARP cache. */
export interface NetArpResult {
  kind: 'net-arp';
  neighbours: Neighbour[];
}

export interface FileRow {
  fd: number;
  file: bigint;
  /** 0n: crash's zero-filled column and `?`s */
  dentry: bigint;
  inode: bigint;
  /** -c */
  mapping?: bigint;
  nrpages?: bigint;
  type: string;
  path: string;
}

/** `files`: one task's ROOT/CWD line and open-file table (after its task header). */
export interface FilesResult {
  kind: 'files';
  rootPwd?: { root: string; pwd: string };
  /** -c: INODE, I_MAPPING and NRPAGES columns */
  nrpagesColumns: boolean;
  /** undefined: no files table ("No open files") */
  rows: FileRow[];
  /** a pid argument: crash prints a blank line after each of its tasks */
  blankAfter: boolean;
}

/** `files -p` / `-n` / `-M`: the inode and its page count, before the page lines. */
export interface FilesInodeResult {
  kind: 'files-inode';
  inode: bigint;
  nrpages: bigint;
}

/** `files -n`: pages of the inode per NUMA node. */
export interface FilesNodesResult {
  kind: 'files-nodes';
  pages: bigint[];
}

/** `files -p INODE -M md5` (beyond crash): a digest of every page-cache page. */
export interface PageSumsResult {
  kind: 'page-sums';
  algorithm: string;
  physWidth: number;
  rows: { index: bigint; pfn?: bigint; page: bigint; phys?: bigint; digest?: string }[];
  /** The digest of the whole file when every page of it is cached (i_size bytes). */
  file?: { digest: string; size: bigint; pages: number } | { cached: number; pages: bigint };
}

export type FsNetResult = NetDevicesResult | NetSocketsResult | NetArpResult | FilesResult | FilesInodeResult | FilesNodesResult | PageSumsResult;
