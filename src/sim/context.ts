/**
 * What every part of the simulated world shares: the object store, the clock (simulated durations
 * scaled to real time), the active faults and the recorder of conditions and spans (for benchmarks).
 */
import { setTimeout as sleepReal } from 'node:timers/promises';
import type { ObjectStore } from './store.js';

export const FAULT_IDS = [
  // deploy-time faults
  'clab-image-pull',
  'leftover-cluster',
  'api-flaky',
  'api-down',
  'admin-rights-late',
  'image-pull-backoff',
  'node-notready',
  'checksum-mismatch',
  'slow',
  'docker-down',
  // IPAM faults (for verify)
  'node-without-block',
  'leaked-ip',
  'overlapping-blocks',
  'block-outside-pool',
  'affinity-pending',
  'duplicate-pod-ip',
  'borrowed-ip',
  // verify: the Calico API broken
  'calico-crd-errors',
  // workloads (src/sim/workloads): the pods of every non-system workload
  'workload-image-pull',
  'pod-never-ready',
  // exec observations (lesson 02)
  'pod-mtu-mismatch',
  'missing-pod-route',
] as const;
export type FaultId = (typeof FAULT_IDS)[number];

export function isFaultId(id: string): id is FaultId {
  return (FAULT_IDS as readonly string[]).includes(id);
}

/** Simulated time: durations are given in simulated milliseconds and slept as `ms × scale` real ms. */
export class SimClock {
  constructor(readonly scale: number) {}

  /** Real milliseconds for a simulated duration. */
  real(simMs: number): number {
    return Math.max(0, Math.round(simMs * this.scale));
  }

  async sleep(simMs: number, signal?: AbortSignal): Promise<void> {
    await sleepReal(this.real(simMs), undefined, signal ? { signal } : undefined);
  }
}

export interface ConditionMark {
  name: string;
  /** performance.now() (real ms) when the world made the condition true. */
  at: number;
}

export interface Span {
  name: string;
  simMs: number;
  realMs: number;
  deps: string[];
}

/**
 * Records when each condition became true (API up, CRD Established, TigeraStatus Available, node Ready…)
 * and the simulated durations on the world's own dependency chain, so the critical path of a run can be
 * reported: the longest chain of spans, in real (scaled) ms.
 */
export class Recorder {
  private readonly marks: ConditionMark[] = [];
  private readonly spans = new Map<string, Span>();

  constructor(private readonly clock: SimClock) {}

  private readonly waiters = new Map<string, (() => void)[]>();

  condition(name: string): void {
    if (this.marks.some((m) => m.name === name)) return;
    this.marks.push({ name, at: performance.now() });
    for (const wake of this.waiters.get(name) ?? []) wake();
    this.waiters.delete(name);
  }

  /** Resolves true once `name` is recorded, false after `capMs` real ms or on abort. */
  waitFor(name: string, capMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.marks.some((m) => m.name === name)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (seen: boolean): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(seen);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), capMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(name, [...(this.waiters.get(name) ?? []), () => done(true)]);
    });
  }

  conditions(): ConditionMark[] {
    return [...this.marks];
  }

  span(name: string, simMs: number, deps: string[] = []): void {
    this.spans.set(name, { name, simMs, realMs: this.clock.real(simMs), deps });
  }

  allSpans(): Span[] {
    return [...this.spans.values()];
  }

  /** Longest chain through the recorded spans (unknown deps count as 0). */
  criticalPath(): { realMs: number; simMs: number; chain: string[] } {
    const memo = new Map<string, { realMs: number; simMs: number; chain: string[] }>();
    const visit = (name: string, seen: Set<string>): { realMs: number; simMs: number; chain: string[] } => {
      const cached = memo.get(name);
      if (cached) return cached;
      const span = this.spans.get(name);
      if (!span || seen.has(name)) return { realMs: 0, simMs: 0, chain: [] };
      seen.add(name);
      let best = { realMs: 0, simMs: 0, chain: [] as string[] };
      for (const dep of span.deps) {
        const d = visit(dep, seen);
        if (d.realMs > best.realMs) best = d;
      }
      seen.delete(name);
      const result = { realMs: best.realMs + span.realMs, simMs: best.simMs + span.simMs, chain: [...best.chain, name] };
      memo.set(name, result);
      return result;
    };
    let top = { realMs: 0, simMs: 0, chain: [] as string[] };
    for (const name of this.spans.keys()) {
      const r = visit(name, new Set());
      if (r.realMs > top.realMs) top = r;
    }
    return top;
  }
}

export interface SimClusterSpec {
  name: string;
  nodes: { name: string; role: 'control-plane' | 'worker' }[];
  podSubnet: string;
  serviceSubnet: string;
  image: string;
}

export interface SimContext {
  store: ObjectStore;
  clock: SimClock;
  faults: ReadonlySet<FaultId>;
  recorder: Recorder;
  /** Aborted when the world stops; every controller loop and timer must end with it. */
  signal: AbortSignal;
}

/** One call of a fake executable, as the world's dispatcher receives it from the shim on PATH. */
export interface ToolInvocation {
  /** argv without the program name: `containerlab deploy -t x` → ['deploy', '-t', 'x']. */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: Buffer;
  /** Aborted when the calling process goes away (killed / Ctrl-C) or the world stops. */
  signal: AbortSignal;
  /**
   * Catch SIGINT/SIGTERM sent to the calling process (containerlab cleans up when cancelled; sudo
   * relays them). A tool that never calls it gets the default action: its signal aborts.
   * Forwarded only for the tools whose client catches signals (see client.ts).
   */
  onSignal?(handler: (signal: 'SIGINT' | 'SIGTERM') => void): void;
  out(chunk: string | Buffer): void;
  err(chunk: string): void;
}

/** Implements one fake executable; resolves to its exit code. */
export type ToolHandler = (invocation: ToolInvocation) => Promise<number>;

export interface SimContainer {
  /** Full 64-hex docker ID (`container_id` in containerlab output is its first 12). */
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  state: 'running' | 'exited' | 'created';
  createdAt: Date;
  networks: Record<string, { ipv4: string; ipv6: string }>;
  /** e.g. `127.0.0.1:35677->6443/tcp` */
  ports: string;
}

export interface SimNetwork {
  name: string;
  id: string;
  subnets: { subnet: string; gateway: string }[];
  labels: Record<string, string>;
}

/** The simulated Docker host: containers, networks, images on the host and inside each kind node. */
export interface HostState {
  containers: Map<string, SimContainer>;
  networks: Map<string, SimNetwork>;
  /** Images present in the host's docker image store. */
  images: Set<string>;
  /** Images present in each kind node's containerd (by node name). */
  nodeImages: Map<string, Set<string>>;
  /** Every image a node pulled itself from a registry (preload should make this empty). */
  nodePulls: { node: string; image: string }[];
}
