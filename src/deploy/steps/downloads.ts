/**
 * Step "downloads": calicoctl and the Calico manifests, sha256-verified and cached. Started at launch
 * (startDownloads) so it overlaps preflight and containerlab; the step only waits for it.
 * Deadline: STEP_TIMEOUT_MS.download per file. Idempotent: a cached, verified file is not fetched again.
 */
import { ensureCalicoctl, ensureManifests } from '../../artifacts/index.js';
import type { Lab } from '../../lab/model.js';
import type { Deadline } from '../deadlines.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import { readManifest } from '../manifests.js';
import type { DeployOptions } from '../types.js';
import { settled, type DeployContext, type Downloads, type Settled, type Step } from './context.js';

export function startDownloads(lab: Lab, o: DeployOptions, deadline: Deadline, signal: AbortSignal): Settled<Downloads> {
  return settled(
    (async () => {
      const a = { offline: o.offline, signal, log: o.log, env: o.env, timeout: deadline.remaining(STEP_TIMEOUT_MS.download) };
      const [calicoctl, manifests] = await Promise.all([ensureCalicoctl(lab, a), ensureManifests(lab, a)]);
      const docs = await Promise.all([readManifest(manifests['operator-crds.yaml']), readManifest(manifests['tigera-operator.yaml'])]);
      return { calicoctl, manifests, docs };
    })(),
  );
}

export async function useDownloads(c: DeployContext): Promise<void> {
  const { calicoctl, manifests, docs } = await c.downloads.promise;
  c.state.calicoctl = calicoctl;
  c.state.manifests = manifests;
  c.state.docs = docs;
}

export const downloadsStep: Step = {
  name: 'downloads',
  title: (c) => `Fetch calicoctl ${c.lab.calico.version} and the Calico manifests (sha256-verified, cached)`,
  run: async (c) => {
    // Started at launch; usually done by now.
    await useDownloads(c);
    return c.o.offline ? 'from the cache (--offline)' : undefined;
  },
};
