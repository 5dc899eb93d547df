/**
 * Step "workloads": server-side apply of the lesson's own objects (`lab.workloads.manifests`, the
 * series' `tools/*.yaml`) once Calico is Available — the same apply path as the custom resources
 * (discovery finds each kind's path). Namespaces first. A kind the cluster does not serve fails
 * naming the lesson file:line. Deadline: STEP_TIMEOUT_MS.workloadsApply. Idempotent: server-side
 * apply of the same documents is a no-op. Hidden (recorded skipped) when the lesson has none.
 */
import { StepFailedError, errorMessage } from '../../errors.js';
import type { ManifestDocument } from '../../lab/model.js';
import { KubeApiError, type KubeClient } from '../../kube/client.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import type { Step } from './context.js';

export const NO_WORKLOADS = 'the lesson has no workloads';

function label(d: ManifestDocument): string {
  const m = d.object.metadata;
  return `${d.object.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
}

/** Namespaces first, then the given (file, document) order. */
export function applyOrder(docs: readonly ManifestDocument[]): ManifestDocument[] {
  return [...docs.filter((d) => d.object.kind === 'Namespace'), ...docs.filter((d) => d.object.kind !== 'Namespace')];
}

/** The error for a document the server refused; names the lesson file:line and the fix. */
export function applyError(d: ManifestDocument, error: unknown): StepFailedError {
  const where = `${d.file}:${d.line}`;
  if (error instanceof KubeApiError && error.status === 404 && /does not serve/.test(error.message)) {
    return new StepFailedError(`${where}: the cluster does not serve kind ${d.object.kind} in ${d.object.apiVersion} (${label(d)})`, {
      cause: error,
      hint: `fix apiVersion/kind in ${where} (\`kubectl api-resources\` lists what the cluster serves), or install what defines it first`,
    });
  }
  return new StepFailedError(`${where}: server-side apply of ${label(d)} failed`, {
    cause: error,
    details: [errorMessage(error)],
    hint: error instanceof KubeApiError && error.status === 422 ? `the API server rejected the object: fix it in ${where}` : 'run with --verbose to see every API request',
  });
}

export async function applyWorkloads(client: Pick<KubeClient, 'apply' | 'invalidateDiscovery'>, docs: readonly ManifestDocument[], o: { deadline: number; onApplied?: (n: number, total: number) => void }): Promise<number> {
  client.invalidateDiscovery();
  let n = 0;
  for (const d of applyOrder(docs)) {
    try {
      await client.apply(d.object, { deadline: o.deadline });
    } catch (error) {
      throw applyError(d, error);
    }
    n += 1;
    o.onApplied?.(n, docs.length);
  }
  return n;
}

export const workloadsStep: Step = {
  name: 'workloads',
  title: (c) => `Apply the lesson's workloads (${c.lab.workloads.manifests.length} objects, server-side apply)`,
  hidden: (c) => (c.lab.workloads.manifests.length === 0 ? NO_WORKLOADS : false),
  run: async (c, task) => {
    const docs = c.lab.workloads.manifests;
    const n = await applyWorkloads(c.state.client!, docs, {
      deadline: c.deadline.step(STEP_TIMEOUT_MS.workloadsApply),
      onApplied: (i, total) => {
        c.state.workloadsApplied = i;
        task.output = `${i}/${total} applied`;
      },
    });
    const files = new Set(docs.map((d) => d.file)).size;
    return `${n} objects from ${files} file${files === 1 ? '' : 's'}`;
  },
};
