/**
 * Child processes that were asked to stop and are given time to clean up (containerlab deletes the
 * cluster it was creating when it is cancelled). A second Ctrl-C must not wait for them: src/cli.ts
 * calls `killGracefulChildren()` before it exits, which SIGKILLs them (and, under sudo, the root
 * processes below them, which the user cannot signal directly) and returns what may be left.
 * No dependencies: src/cli.ts imports it at start-up.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface GracefulChild {
  pid: number | undefined;
  /** The child is `sudo`: the real program runs as root below it. */
  viaSudo: boolean;
  /** What may be left if it is killed now (one line, shown after the second Ctrl-C). */
  note: string;
  kill(signal: NodeJS.Signals): void;
}

const children = new Set<GracefulChild>();

export function registerGracefulChild(child: GracefulChild): () => void {
  children.add(child);
  return () => void children.delete(child);
}

/** Number of children currently in their grace period (tests, diagnostics). */
export function gracefulChildCount(): number {
  return children.size;
}

/**
 * PIDs of every descendant of `pid`, read from /proc (Linux; [] elsewhere). With sudo these are
 * root's processes (sudo's monitor, then the program), which only sudo can signal.
 */
export function descendantPids(pid: number, procDir = '/proc'): number[] {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const stat = readFileSync(`${procDir}/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (Number.isInteger(ppid)) parentOf.set(Number(entry), ppid);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent && !out.includes(child)) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

/**
 * Signal a child and everything below it. Under sudo the processes below are root's: they are
 * signalled through `sudo -n kill` (sudo relays SIGTERM itself, but a SIGKILL of sudo would orphan them).
 */
export function signalTree(child: Pick<GracefulChild, 'pid' | 'viaSudo' | 'kill'>, signal: NodeJS.Signals): void {
  // The tree is read first; the child is signalled before the processes below it, so that a
  // program killed mid-cleanup cannot carry on for a moment because its own child died first.
  const below = child.pid === undefined ? [] : descendantPids(child.pid);
  child.kill(signal);
  if (below.length === 0) return;
  if (child.viaSudo) {
    spawnSync('sudo', ['-n', 'kill', `-${signal.replace(/^SIG/, '')}`, ...below.map(String)], { stdio: 'ignore', timeout: 5_000 });
    return;
  }
  for (const pid of below) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/** SIGKILL every child in its grace period; returns the lines saying what may be left. Synchronous. */
export function killGracefulChildren(): string[] {
  const notes: string[] = [];
  for (const child of children) {
    signalTree(child, 'SIGKILL');
    notes.push(child.note);
  }
  children.clear();
  return notes;
}
