/**
 * The real world's network namespace: `lab-real-<pid>` with only `lo` up and the service CIDR, the pod
 * pool and the kind node range routed `unreachable`, so a connection to any of them fails at once and
 * nothing leaves the namespace (it has no other interface and no default route).
 */
import { execFileSync } from 'node:child_process';

export const NETNS_PREFIX = 'lab-real-';
/** Routed unreachable inside the namespace: kind's service CIDR, the lesson's pod pool, kind's node network, containerlab's mgmt network. */
export const UNREACHABLE = ['10.96.0.0/16', '192.168.0.0/16', '172.18.0.0/16', '172.20.20.0/24'];

/** The routing table of the guard routes (policy rules send the lab's ranges there). */
export const GUARD_TABLE = 2026;

const ip = (args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });

/** The namespace this process runs in, by name (undefined when not in a named namespace). */
export function currentNetns(): string | undefined {
  try {
    const name = ip(['netns', 'identify', String(process.pid)]).trim();
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

/** Refuse to start the real world outside a namespace made for it. */
export function assertInWorldNetns(): string {
  const ns = currentNetns();
  if (ns === undefined || !ns.startsWith(NETNS_PREFIX)) {
    throw new Error(
      `the real world must run inside its own network namespace (${NETNS_PREFIX}<pid>), not in ${ns ?? 'the host namespace'}: run it with \`npm run test:real\` or \`npm run real:shell\``,
    );
  }
  return ns;
}

export function createNetns(name: string): void {
  ip(['netns', 'add', name]);
  try {
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    // in a table of their own, reached by policy rules: connections fail at once, and the main table
    // (what `ip route` and lab's cidr-hygiene check read) stays that of a host without the lab's ranges
    for (const cidr of UNREACHABLE) {
      ip(['-n', name, 'route', 'add', 'unreachable', cidr, 'table', String(GUARD_TABLE)]);
      ip(['-n', name, 'rule', 'add', 'to', cidr, 'lookup', String(GUARD_TABLE), 'priority', '100']);
    }
  } catch (e) {
    deleteNetns(name);
    throw e;
  }
}

/** Kill every process left in the namespace, then delete it. */
export function deleteNetns(name: string): void {
  let pids: string[] = [];
  try {
    pids = ip(['netns', 'pids', name]).split(/\s+/).filter((p) => p !== '');
  } catch {
    // namespace already gone
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  try {
    ip(['netns', 'delete', name]);
  } catch {
    // already gone
  }
}
