/**
 * Step "api": wait (bounded, STEP_TIMEOUT_MS.api) until the Kubernetes API answers /readyz. 401/403
 * answer too: what they mean is decided by the requests that follow. Idempotent (only looks).
 */
import { KubeClient } from '../../kube/client.js';
import { pollUntil } from '../../kube/wait.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import { EARLY_NOTE, type DeployContext, type Step } from './context.js';

export async function waitForApi(c: DeployContext, client: KubeClient, signal: AbortSignal, onProgress: (t: string) => void): Promise<void> {
  await pollUntil(
    async () => {
      const r = await client.request('GET', '/readyz', { noRetry: true, deadline: Math.min(Date.now() + 2_000, c.deadline.at) });
      return r.status === 200 || r.status === 401 || r.status === 403;
    },
    { signal, deadline: c.deadline.step(STEP_TIMEOUT_MS.api), what: 'Kubernetes API', onProgress, intervalMs: 200 },
  );
}

export const apiStep: Step = {
  name: 'api',
  title: () => 'Wait for the Kubernetes API',
  run: async (c, task) => {
    if (c.state.installedEarly) return EARLY_NOTE;
    const client = await KubeClient.fromFile(c.lab.kubeconfigPath, { signal: c.o.signal, log: c.o.log });
    c.state.client = client;
    await waitForApi(c, client, c.o.signal, (t) => (task.output = t));
  },
};
