/**
 * Step "apply calico": server-side apply of the operator's CRDs and manifests, wait for the CRDs to be
 * Established, then the lab's custom resources (Installation, APIServer…). Deadline:
 * STEP_TIMEOUT_MS.apply. Idempotent: server-side apply of the same documents changes nothing.
 * Usually already done by the early install during containerlab deploy (then shown done early).
 */
import type { KubeClient } from '../../kube/client.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import { applyAll, applyCustomResources, waitCrdsEstablished } from '../manifests.js';
import { EARLY_NOTE, type DeployContext, type Step } from './context.js';

export async function installCalico(c: DeployContext, client: KubeClient, signal: AbortSignal, onProgress: (t: string) => void): Promise<string> {
  const { lab, state } = c;
  const [crds, operator] = state.docs!;
  const stepDeadline = c.deadline.step(STEP_TIMEOUT_MS.apply);
  onProgress(`applying ${crds.length} CRDs and ${operator.length} operator objects`);
  await applyAll(client, crds, { deadline: stepDeadline, source: 'operator-crds.yaml', onProgress: (t) => onProgress(`operator-crds.yaml: ${t}`) });
  await applyAll(client, operator, { deadline: stepDeadline, source: 'tigera-operator.yaml', onProgress: (t) => onProgress(`tigera-operator.yaml: ${t}`) });
  state.calicoApplied = true;
  const names = crds.filter((d) => d.kind === 'CustomResourceDefinition').map((d) => d.metadata.name);
  await waitCrdsEstablished(client, names, { deadline: stepDeadline, signal, onProgress });
  onProgress(`applying ${lab.customResources.length} custom resources`);
  await applyCustomResources(client, lab.customResources, { deadline: stepDeadline });
  return `${crds.length} CRDs, ${operator.length} operator objects, ${lab.customResources.length} custom resources`;
}

export const calicoStep: Step = {
  name: 'apply calico',
  title: (c) => `Install Calico ${c.lab.calico.version} (server-side apply)`,
  run: async (c, task) => (c.state.installedEarly ? `${EARLY_NOTE}: ${c.state.installNote ?? 'applied'}` : installCalico(c, c.state.client!, c.o.signal, (t) => (task.output = t))),
};
