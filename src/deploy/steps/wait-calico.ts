/**
 * Step "wait ready": watch until TigeraStatus calico and apiserver are Available and every node of
 * the lab is Ready (ippools is reported, not required). Deadline: STEP_TIMEOUT_MS.calicoReady (what
 * is left of --timeout); on timeout the failure report diagnoses TigeraStatus, nodes, pods, events.
 * Idempotent: only watches.
 */
import { nodesReady, tigeraReady, tigeraState, watchUntil } from '../../kube/wait.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import type { Step } from './context.js';

export const waitCalicoStep: Step = {
  name: 'wait ready',
  title: (c) => `Wait for Calico (TigeraStatus calico, apiserver) and ${c.lab.nodes.length} nodes Ready`,
  run: async (c, task) => {
    const { lab, o, state } = c;
    const client = state.client!;
    const stepDeadline = c.deadline.step(STEP_TIMEOUT_MS.calicoReady);
    const progress = { tigera: 'waiting', nodes: 'waiting' };
    const show = (): void => {
      task.output = `${progress.tigera} | ${progress.nodes}`;
    };
    const [tigera, nodes] = await Promise.all([
      watchUntil(client, 'operator.tigera.io/v1', 'tigerastatuses', {}, (items) => tigeraReady(items), {
        signal: o.signal,
        deadline: stepDeadline,
        what: 'TigeraStatus calico and apiserver Available',
        onProgress: (t) => {
          progress.tigera = t;
          show();
        },
      }),
      watchUntil(client, 'v1', 'nodes', {}, (items) => nodesReady(items, lab.nodes.map((n) => n.name)), {
        signal: o.signal,
        deadline: stepDeadline,
        what: 'nodes Ready',
        onProgress: (t) => {
          progress.nodes = t;
          show();
        },
      }),
    ]);
    state.tigera = tigera;
    state.nodes = nodes;
    const ippools = await client.get('operator.tigera.io/v1', 'tigerastatuses', 'ippools').catch(() => undefined);
    const pools = tigeraState('ippools', ippools);
    state.tigera.push(pools);
    return `calico, apiserver Available; ${nodes.length}/${lab.nodes.length} nodes Ready; ippools ${pools.available ? 'Available' : pools.degraded ? 'Degraded (reported only)' : 'not Available (reported only)'}`;
  },
};
