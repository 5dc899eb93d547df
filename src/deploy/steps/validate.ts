/**
 * Step "validate" (before anything else; timed by `lab deploy`): the lab's files were read and checked
 * by loadLab; here the lesson's workloads are checked against each other, before anything is created:
 * every workload waited for is among the workload documents, and no object is defined twice. Pure.
 */
import { InputError } from '../../errors.js';
import type { Lab } from '../../lab/model.js';

export function validateWorkloads(lab: Pick<Lab, 'workloads' | 'lesson'>): void {
  const { manifests, waitFor } = lab.workloads;
  const where = lab.lesson.file ?? 'the lesson folder';
  const docs = new Set(manifests.map((d) => `${d.object.kind}/${d.object.metadata.namespace ?? 'default'}/${d.object.metadata.name}`));
  const missing = waitFor.filter((w) => !docs.has(`${w.kind}/${w.namespace}/${w.name}`));
  if (missing.length > 0) {
    throw new InputError(`${where}: waits for ${missing.map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(', ')}, which no workload file defines`, {
      details: manifests.length > 0 ? [`the workload files define: ${[...docs].slice(0, 8).join(', ')}${docs.size > 8 ? ', …' : ''}`] : ['the lesson has no workload files'],
      hint: 'fix the kind, namespace or name in the lesson file, or add the workload',
    });
  }
  const seen = new Map<string, string>();
  for (const d of manifests) {
    const k = `${d.object.apiVersion}/${d.object.kind}/${d.object.metadata.namespace ?? ''}/${d.object.metadata.name}`;
    const first = seen.get(k);
    if (first) {
      throw new InputError(`${d.file}:${d.line}: ${d.object.kind} ${d.object.metadata.name} is defined twice (first at ${first})`, {
        hint: 'keep one of them: the second would silently replace the first',
      });
    }
    seen.set(k, `${d.file}:${d.line}`);
  }
}
