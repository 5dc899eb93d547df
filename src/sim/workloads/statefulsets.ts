/**
 * The StatefulSet controller: pods `<sts>-0 … <sts>-(n-1)` with stable hostnames (spec.hostname, and
 * spec.subdomain = serviceName), created in order, each only once the one before is Ready
 * (podManagementPolicy OrderedReady; Parallel creates them all); scale-down removes the highest
 * ordinals first. No volumeClaimTemplates, no partitioned rolling updates: a template change deletes
 * the pods of the old revision, which are then re-created in order.
 */
import { refs } from '../cluster/objects.js';
import type { ObjectStore, StoredObject } from '../store.js';
import { ownedBy, templateHashOf } from './controllers.js';
import { isPodReady, podFromTemplate, type PodTemplate } from './pods.js';
import { isManaged } from './scope.js';
import { writeStatus } from './status.js';

export const STATEFULSETS_REF = { group: 'apps', resource: 'statefulsets' } as const;

interface StatefulSetSpec {
  replicas?: number;
  serviceName?: string;
  podManagementPolicy?: string;
  template?: PodTemplate;
}

export function reconcileStatefulSets(store: ObjectStore): void {
  const pods = store.list(refs.pods).items.filter(isManaged);
  for (const sts of store.list(STATEFULSETS_REF).items.filter(isManaged)) {
    const spec = (sts.spec ?? {}) as StatefulSetSpec;
    const want = spec.replicas ?? 1;
    const revision = `${sts.metadata.name}-${templateHashOf(sts)}`;
    const mine = ownedBy(pods, sts);
    const ordinal = (p: StoredObject): number => Number(p.metadata.name.slice(sts.metadata.name.length + 1));
    for (const p of mine) {
      if (ordinal(p) >= want || p.metadata.labels?.['controller-revision-hash'] !== revision) store.delete(refs.pods, p.metadata.namespace, p.metadata.name);
    }
    const kept = new Map(mine.filter((p) => ordinal(p) < want && p.metadata.labels?.['controller-revision-hash'] === revision).map((p) => [ordinal(p), p]));
    const parallel = spec.podManagementPolicy === 'Parallel';
    for (let i = 0; i < want; i += 1) {
      const existing = kept.get(i);
      if (existing) {
        if (!parallel && !isPodReady(existing)) break;
        continue;
      }
      const name = `${sts.metadata.name}-${i}`;
      const pod = podFromTemplate(sts, spec.template ?? {}, `${sts.metadata.name}-`, { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(i) }, { hostname: name, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) });
      pod.metadata.name = name;
      delete pod.metadata.generateName;
      if (!store.get(refs.pods, pod.metadata.namespace, name)) store.create(refs.pods, pod);
      if (!parallel) break;
    }
  }
}

export function refreshStatefulSetStatuses(store: ObjectStore): void {
  const pods = store.list(refs.pods).items.filter(isManaged);
  for (const sts of store.list(STATEFULSETS_REF).items.filter(isManaged)) {
    const mine = ownedBy(pods, sts);
    const ready = mine.filter(isPodReady).length;
    const revision = `${sts.metadata.name}-${templateHashOf(sts)}`;
    const current = mine.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length;
    writeStatus(store, STATEFULSETS_REF, sts, {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: mine.length,
      ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : { availableReplicas: 0 }),
      currentReplicas: current,
      updatedReplicas: current,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    });
  }
}
