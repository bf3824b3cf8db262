/**
 * Progress and cancellation for long loops (kmem -s, kmem -p, search, foreach). A command calls
 * `checkpoint(ctx, done, total, what)` now and then; it reports progress to whoever listens (the
 * TUI's status bar) and throws Interrupted once the user asked to cancel (Ctrl-C in the TUI). In
 * batch mode nobody listens: both hooks are undefined and checkpoint costs one property read.
 */
import { CrashError } from './errors.js';

/** The hooks a long loop may call; CommandContext carries them (commands/types.ts). */
export interface ProgressHooks {
  /** How far the loop is: `done` of `total` units (`what` names them, e.g. "pages"). */
  progress?(done: number, total: number, what?: string): void;
  /** True once the user asked to stop the running command. */
  cancelled?(): boolean;
}

/** Thrown out of a cancelled loop; the session ends the command with crash's "interrupted" line. */
export class Interrupted extends CrashError {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/**
 * For a catch around reads that skips what cannot be read: let a cancel through. Once the user
 * cancelled, every read throws Interrupted; a loop that swallows it walks on (quickly, but over
 * every remaining page) instead of ending. `catch (e) { rethrowInterrupt(e); ... }`
 */
export function rethrowInterrupt(e: unknown): void {
  if (e instanceof Interrupted) throw e;
}

/** Report progress, then stop with Interrupted if the user cancelled. Cheap enough to call per item. */
export function checkpoint(hooks: ProgressHooks | undefined, done: number, total: number, what?: string): void {
  if (!hooks) return;
  hooks.progress?.(done, total, what);
  if (hooks.cancelled?.()) throw new Interrupted();
}
