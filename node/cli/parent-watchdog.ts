// Processes started by `kyochi devnet` (nodes, worker daemons) stop by themselves when the devnet
// dies without stopping them (kill -9). The devnet puts its own pid in KYOCHI_STOP_WITH_PARENT;
// a child whose parent is no longer that pid was re-parented, so the devnet is gone. Taking the
// pid from the environment, not from process.ppid at start-up, also catches a devnet that died
// while the child was still loading (its ppid was already the new parent by then).
export const STOP_WITH_PARENT_ENV = "KYOCHI_STOP_WITH_PARENT";
const PARENT_CHECK_MS = 1000;

/** The environment a devnet gives its children. */
export function stopWithParentEnv(): Record<string, string> {
  return { [STOP_WITH_PARENT_ENV]: String(process.pid) };
}

/**
 * Calls `onGone` once, within a second of the devnet that started this process going away;
 * returns a stop function (a no-op when this process was not started by a devnet).
 */
export function watchParent(onGone: () => void): () => void {
  const parent = Number(process.env[STOP_WITH_PARENT_ENV]);
  if (!Number.isSafeInteger(parent) || parent <= 0) return () => {};
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    // Our output went to the devnet: writes now fail with EPIPE, which must not crash a process
    // half-way through its stop.
    process.stdout.on("error", () => {});
    process.stderr.on("error", () => {});
    onGone();
  }, PARENT_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
