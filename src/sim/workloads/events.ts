/** Core v1 Events about a pod, as the kubelet and the scheduler record them. */
import { nameSuffix } from '../calico/objects.js';
import { refs } from '../cluster/objects.js';
import type { ObjectStore, StoredObject } from '../store.js';
import { nowIso } from './pods.js';

export const EVENTS_REF = { group: '', resource: 'events' } as const;

export function podEvent(store: ObjectStore, pod: StoredObject, e: { type: 'Normal' | 'Warning'; reason: string; message: string; component: string; node?: string; fieldPath?: string }): void {
  const ns = pod.metadata.namespace ?? 'default';
  const name = `${pod.metadata.name}.${nameSuffix(`${pod.metadata.uid ?? ''}/${e.reason}/${e.message}`, 16).replace(/[^0-9a-f]/g, 'a')}`;
  const existing = store.get(EVENTS_REF, ns, name);
  const t = nowIso();
  store.put(EVENTS_REF, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: ns },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: ns, uid: pod.metadata.uid, ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}) },
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(e.node ? { host: e.node } : {}) },
    firstTimestamp: (existing?.['firstTimestamp'] as string | undefined) ?? t,
    lastTimestamp: t,
    count: ((existing?.['count'] as number | undefined) ?? 0) + 1,
    type: e.type,
    reportingComponent: e.component,
    reportingInstance: e.node ?? '',
  });
}

export { refs };
