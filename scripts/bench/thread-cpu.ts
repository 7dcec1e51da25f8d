// CPU time of this process's main thread, from /proc/self/task (Linux; undefined elsewhere). With
// the whole process's CPU time it splits a benchmark's cost into the main thread (decode, execute,
// tree update, index, and V8's pauses there) and every other thread (signature workers, V8's
// garbage-collection helpers, LevelDB's compaction and libuv's pool). Node 20 names every thread
// "node", so they cannot be told apart further by name.
import { readFileSync } from "node:fs";

/** CPU µs of the main thread so far, or undefined where /proc is not there. */
export function mainThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** CPU µs of the whole process so far (every thread), user and system. */
export function processCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
