/**
 * Exec into a simulated pod: the API server's checks before it upgrades the connection (the pod
 * exists, is not completed, has a node, the container is valid and running) with a real API
 * server's Status messages, then the command answered from the pod's NetView.
 */
import type { StoredObject } from '../store.js';
import { R } from '../calico/refs.js';
import { failure, type Status } from '../apiserver/status.js';
import { podView, uplinkFor, type NetWorld } from './net.js';
import { runInView, type ExecOutput } from './shell.js';

export interface PodExecRequest {
  namespace: string;
  pod: string;
  container: string | undefined;
  command: string[];
}

export type PodExecPlan = { ok: true; run(): ExecOutput } | { ok: false; status: Status };

const bad = (message: string): PodExecPlan => ({ ok: false, status: failure(400, 'BadRequest', message) });

function containerNames(pod: StoredObject): string[] {
  return ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map((c) => c.name);
}

function running(pod: StoredObject, container: string): boolean {
  const st = pod.status as { phase?: string; containerStatuses?: { name: string; state?: { running?: unknown } }[] } | undefined;
  if (st?.phase !== 'Running') return false;
  const cs = st.containerStatuses?.find((c) => c.name === container);
  return cs === undefined || cs.state === undefined || cs.state.running !== undefined;
}

export function planPodExec(world: NetWorld, r: PodExecRequest): PodExecPlan {
  const pod = world.store.get(R.pods, r.namespace, r.pod);
  if (!pod) return { ok: false, status: failure(404, 'NotFound', `pods "${r.pod}" not found`, { name: r.pod, kind: 'pods' }) };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return bad(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) return bad(`pod ${r.pod} does not have a host assigned`);
  const names = containerNames(pod);
  let container = r.container;
  if (container === undefined || container === '') {
    if (names.length !== 1) return bad(`a container name must be specified for pod ${r.pod}, choose one of: [${names.join(' ')}]`);
    container = names[0]!;
  }
  if (!names.includes(container)) return bad(`container ${container} is not valid for pod ${r.pod}`);
  if (r.command.length === 0) return bad('you must specify at least 1 command');
  if (!running(pod, container)) return bad(`unable to upgrade connection: container not found ("${container}")`);
  const node = world.store.get(R.nodes, undefined, nodeName);
  const nodeIp = ((node?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
  const view = podView(world, pod, uplinkFor(nodeIp ?? '172.18.0.2'));
  if (!view) return bad(`unable to upgrade connection: container not found ("${container}")`);
  return { ok: true, run: () => runInView(view, r.command) };
}
