/**
 * Poll an ink-testing-library frame until a predicate holds (no fixed sleeps). It always yields at
 * least once first: a frame can be written while React's passive effects (which re-attach useInput
 * handlers with fresh closures) are still pending, and the next key must wait for them.
 */
export async function waitForFrame(
  lastFrame: () => string | undefined,
  predicate: (frame: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await tick();
    const frame = lastFrame() ?? '';
    if (predicate(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the frame; last frame:\n${frame}`);
  }
}

/** Poll any condition (a callback having been called, ...). */
export async function waitUntil(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await tick();
    if (cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for a condition: ${cond.toString()}`);
  }
}

/**
 * Let the app settle: a short timer, then a setImmediate. React renders in a microtask and
 * schedules passive effects with setImmediate; queuing ours after the timer puts it behind them,
 * so when a predicate holds on a new frame the input handlers for that frame are in place.
 */
async function tick(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setImmediate(resolve));
}
