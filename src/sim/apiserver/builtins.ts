/** The built-in resource types of a v1.28 API server that the lab, kubectl and the Tigera manifests use. */
import { ALL_VERBS, type Registry } from './registry.js';

interface Def {
  name: string;
  kind: string;
  ns: boolean;
  short?: string[];
  status?: boolean;
  categories?: string[];
  /** store under another resource (events.k8s.io events share core events) */
  storage?: { group: string; resource: string };
}

const singular = (kind: string): string => kind.toLowerCase();

const BUILTINS: Record<string, Def[]> = {
  '/v1': [
    { name: 'configmaps', kind: 'ConfigMap', ns: true, short: ['cm'] },
    { name: 'endpoints', kind: 'Endpoints', ns: true, short: ['ep'] },
    { name: 'events', kind: 'Event', ns: true, short: ['ev'] },
    { name: 'limitranges', kind: 'LimitRange', ns: true, short: ['limits'] },
    { name: 'namespaces', kind: 'Namespace', ns: false, short: ['ns'], status: true },
    { name: 'nodes', kind: 'Node', ns: false, short: ['no'], status: true },
    { name: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', ns: true, short: ['pvc'], status: true },
    { name: 'persistentvolumes', kind: 'PersistentVolume', ns: false, short: ['pv'], status: true },
    { name: 'pods', kind: 'Pod', ns: true, short: ['po'], status: true, categories: ['all'] },
    { name: 'resourcequotas', kind: 'ResourceQuota', ns: true, short: ['quota'], status: true },
    { name: 'secrets', kind: 'Secret', ns: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', ns: true, short: ['sa'] },
    { name: 'services', kind: 'Service', ns: true, short: ['svc'], status: true, categories: ['all'] },
  ],
  'admissionregistration.k8s.io/v1': [
    { name: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', ns: false },
    { name: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', ns: false },
  ],
  'apiextensions.k8s.io/v1': [
    { name: 'customresourcedefinitions', kind: 'CustomResourceDefinition', ns: false, short: ['crd', 'crds'], status: true, categories: ['api-extensions'] },
  ],
  'apiregistration.k8s.io/v1': [{ name: 'apiservices', kind: 'APIService', ns: false, status: true, categories: ['api-extensions'] }],
  'apps/v1': [
    { name: 'daemonsets', kind: 'DaemonSet', ns: true, short: ['ds'], status: true, categories: ['all'] },
    { name: 'deployments', kind: 'Deployment', ns: true, short: ['deploy'], status: true, categories: ['all'] },
    { name: 'replicasets', kind: 'ReplicaSet', ns: true, short: ['rs'], status: true, categories: ['all'] },
    { name: 'statefulsets', kind: 'StatefulSet', ns: true, short: ['sts'], status: true, categories: ['all'] },
  ],
  'batch/v1': [
    { name: 'cronjobs', kind: 'CronJob', ns: true, short: ['cj'], status: true, categories: ['all'] },
    { name: 'jobs', kind: 'Job', ns: true, status: true, categories: ['all'] },
  ],
  'coordination.k8s.io/v1': [{ name: 'leases', kind: 'Lease', ns: true }],
  'discovery.k8s.io/v1': [{ name: 'endpointslices', kind: 'EndpointSlice', ns: true }],
  'events.k8s.io/v1': [{ name: 'events', kind: 'Event', ns: true, short: ['ev'], storage: { group: '', resource: 'events' } }],
  'networking.k8s.io/v1': [
    { name: 'ingresses', kind: 'Ingress', ns: true, short: ['ing'], status: true },
    { name: 'networkpolicies', kind: 'NetworkPolicy', ns: true, short: ['netpol'] },
  ],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', ns: true, short: ['pdb'], status: true }],
  'rbac.authorization.k8s.io/v1': [
    { name: 'clusterrolebindings', kind: 'ClusterRoleBinding', ns: false },
    { name: 'clusterroles', kind: 'ClusterRole', ns: false },
    { name: 'rolebindings', kind: 'RoleBinding', ns: true },
    { name: 'roles', kind: 'Role', ns: true },
  ],
  'scheduling.k8s.io/v1': [{ name: 'priorityclasses', kind: 'PriorityClass', ns: false, short: ['pc'] }],
  'storage.k8s.io/v1': [
    { name: 'csidrivers', kind: 'CSIDriver', ns: false },
    { name: 'csinodes', kind: 'CSINode', ns: false },
    { name: 'storageclasses', kind: 'StorageClass', ns: false, short: ['sc'] },
  ],
};

export const CRD_REF = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' } as const;
export const NAMESPACE_REF = { group: '', resource: 'namespaces' } as const;

export function registerBuiltins(registry: Registry): void {
  for (const [gv, defs] of Object.entries(BUILTINS)) {
    const i = gv.lastIndexOf('/');
    const group = gv.slice(0, i);
    const version = gv.slice(i + 1);
    for (const d of defs) {
      registry.add({
        group,
        version,
        name: d.name,
        singularName: singular(d.kind),
        kind: d.kind,
        namespaced: d.ns,
        ...(d.short ? { shortNames: d.short } : {}),
        ...(d.categories ? { categories: d.categories } : {}),
        verbs: ALL_VERBS,
        hasStatus: d.status === true,
        storage: d.storage ?? { group, resource: d.name },
      });
    }
  }
}
