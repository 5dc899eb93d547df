/**
 * Which Calico an existing cluster runs, against the version this deploy selected. A running v3.30.0
 * lab is not "healthy" for `lab deploy --calico-version v3.31.3`: applying another operator over it is
 * an upgrade lab does not do, so preflight says so and points to `--recreate`.
 *
 * What the cluster runs is read from the Installation's `status.calicoVersion` (the operator writes
 * it once it has rolled Calico out) and from the image of Deployment tigera-operator/tigera-operator
 * (there as soon as tigera-operator.yaml was applied). A cluster with neither has no Calico yet.
 */
import type { Lab } from '../lab/model.js';
import { StepFailedError } from '../errors.js';
import { KubeApiError, KubeClient } from '../kube/client.js';

export interface InstalledCalico {
  /** Installation default `.status.calicoVersion`, e.g. v3.30.0. */
  calicoVersion?: string;
  /** The tigera-operator Deployment's image, e.g. quay.io/tigera/operator:v1.38.0. */
  operatorImage?: string;
}

const repoOf = (image: string): string => image.split('@')[0]!.replace(/:[^:/]+$/, '');

/**
 * The problem with reusing a cluster that runs `installed` for `lab`'s selected release, or undefined
 * when they agree (or the cluster has no Calico yet). Pure.
 */
export function calicoVersionProblem(lab: Pick<Lab, 'calico'>, installed: InstalledCalico): string | undefined {
  const wanted = lab.calico.version;
  if (installed.calicoVersion !== undefined && installed.calicoVersion !== '') {
    return installed.calicoVersion === wanted ? undefined : `it runs Calico ${installed.calicoVersion}, not the selected ${wanted}`;
  }
  if (installed.operatorImage === undefined) return undefined;
  // No version reported yet: compare the operator image with the one the selected release pins.
  const pinned = lab.calico.images.find((i) => repoOf(i) === repoOf(installed.operatorImage!));
  if (pinned === undefined || pinned === installed.operatorImage) return undefined;
  return `its tigera-operator runs ${installed.operatorImage}, but Calico ${wanted} comes with ${pinned}`;
}

/** Read what the cluster runs (404s are "not there"); other API errors propagate. */
export async function readInstalledCalico(kubeconfigText: string, o: { deadline: number; signal?: AbortSignal }): Promise<InstalledCalico> {
  const client = await KubeClient.fromString(kubeconfigText, o.signal ? { signal: o.signal } : {});
  const get = async <T>(path: string): Promise<T | undefined> => {
    try {
      return await client.requestJson<T>('GET', path, { deadline: o.deadline });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  };
  try {
    const [installation, operator] = await Promise.all([
      get<{ status?: { calicoVersion?: string } }>('/apis/operator.tigera.io/v1/installations/default'),
      get<{ spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[] } } } }>('/apis/apps/v1/namespaces/tigera-operator/deployments/tigera-operator'),
    ]);
    const containers = operator?.spec?.template?.spec?.containers ?? [];
    const image = (containers.find((c) => c.name === 'tigera-operator') ?? containers[0])?.image;
    return {
      ...(installation?.status?.calicoVersion ? { calicoVersion: installation.status.calicoVersion } : {}),
      ...(image ? { operatorImage: image } : {}),
    };
  } finally {
    client.close();
  }
}

/** The reuse check: a problem line for preflight, or undefined. A cluster that cannot be read is left to the other checks. */
export async function calicoVersionCheck(lab: Pick<Lab, 'calico'>, kubeconfigText: string, o: { deadline: number; signal?: AbortSignal }): Promise<string | undefined> {
  let installed: InstalledCalico;
  try {
    installed = await readInstalledCalico(kubeconfigText, o);
  } catch {
    return undefined;
  }
  return calicoVersionProblem(lab, installed);
}

/**
 * Preflight's reuse guard: throws (exit 1, nothing changed) when the existing cluster runs another
 * Calico than the one selected, pointing to `--recreate`. Called only when `--recreate` was not given.
 */
export async function assertReusableCalico(lab: Pick<Lab, 'calico' | 'cluster'>, kubeconfigText: string, o: { deadline: number; signal?: AbortSignal }): Promise<void> {
  const problem = await calicoVersionCheck(lab, kubeconfigText, o);
  if (problem === undefined) return;
  const v = lab.calico.version;
  throw new StepFailedError(`the cluster "${lab.cluster}" exists, but ${problem}`, {
    details: [problem],
    hint: `\`lab deploy --recreate --calico-version ${v}\` removes this cluster and deploys Calico ${v} (lab does not upgrade Calico in place); to keep the running lab, pass the --calico-version it runs`,
  });
}
