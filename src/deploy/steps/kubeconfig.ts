/**
 * Step "kubeconfig": write kind's kubeconfig for the cluster to `<dir>/<cluster>.kubeconfig` (0600).
 * Deadline: STEP_TIMEOUT_MS.kubeconfig. Idempotent: rewrites the same file.
 */
import { exportKubeconfig, writePrivateFile } from '../cluster.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import { EARLY_NOTE, type Step } from './context.js';

export const kubeconfigStep: Step = {
  name: 'kubeconfig',
  title: (c) => `Kubeconfig → ${c.lab.kubeconfigPath}`,
  run: async (c) => {
    const { state, lab } = c;
    if (state.installedEarly) return EARLY_NOTE;
    if (state.kubeconfigText !== undefined && !state.createdNow) await writePrivateFile(lab.kubeconfigPath, state.kubeconfigText);
    else await exportKubeconfig(lab, c.tool(STEP_TIMEOUT_MS.kubeconfig));
    state.kubeconfigWritten = true;
  },
};
