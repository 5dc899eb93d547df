/**
 * The world's `tigera-operator.yaml` per Calico release, written from facts: the objects the published
 * manifest creates (Namespace tigera-operator, ServiceAccount, ClusterRoles tigera-operator and
 * tigera-operator-secrets, their bindings, Deployment tigera-operator with the release's operator
 * image, `-manage-crds=true`, hostNetwork, `TIGERA_OPERATOR_INIT_IMAGE_VERSION`). The RBAC is the
 * world's own short version (the simulated API server does not authorise). Not upstream's bytes.
 */
import { stringify } from 'yaml';
import { type CalicoReleaseFacts, releaseImages } from './releases.js';

const NS = 'tigera-operator';
const labels = { 'k8s-app': NS };

function rbac(): Record<string, unknown>[] {
  const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  const rule = (apiGroups: string[], resources: string[], verbs = all): Record<string, unknown> => ({ apiGroups, resources, verbs });
  const subject = [{ kind: 'ServiceAccount', name: NS, namespace: NS }];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'tigera-operator-secrets', labels },
      rules: [rule([''], ['secrets'], ['create', 'update', 'delete'])],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: NS, labels },
      rules: [
        rule([''], ['namespaces', 'pods', 'services', 'endpoints', 'events', 'configmaps', 'secrets', 'serviceaccounts', 'resourcequotas', 'nodes']),
        rule(['apps'], ['deployments', 'daemonsets', 'statefulsets']),
        rule(['rbac.authorization.k8s.io'], ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'], [...all, 'bind', 'escalate']),
        rule(['apiextensions.k8s.io'], ['customresourcedefinitions']),
        rule(['operator.tigera.io', 'crd.projectcalico.org', 'projectcalico.org'], ['*']),
        rule(['apiregistration.k8s.io', 'policy', 'scheduling.k8s.io', 'coordination.k8s.io'], ['*']),
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: NS, labels }, subjects: subject, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NS } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'tigera-operator-secrets', namespace: NS, labels }, subjects: subject, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tigera-operator-secrets' } },
  ];
}

function deployment(r: CalicoReleaseFacts): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NS, namespace: NS, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { name: NS } },
      template: {
        metadata: { labels: { name: NS, ...labels } },
        spec: {
          serviceAccountName: NS,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }, { operator: 'Exists', effect: 'NoExecute' }],
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          containers: [
            {
              name: NS,
              image: releaseImages(r).operator,
              imagePullPolicy: 'IfNotPresent',
              command: ['operator'],
              args: ['-manage-crds=true'],
              env: [
                { name: 'WATCH_NAMESPACE', value: '' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'OPERATOR_NAME', value: NS },
                { name: 'TIGERA_OPERATOR_INIT_IMAGE_VERSION', value: r.operator },
              ],
              volumeMounts: [{ name: 'var-lib-calico', mountPath: '/var/lib/calico', readOnly: true }],
            },
          ],
          volumes: [{ name: 'var-lib-calico', hostPath: { path: '/var/lib/calico' } }],
        },
      },
    },
  };
}

/** The world's `tigera-operator.yaml` for one release. */
export function tigeraOperatorYaml(r: CalicoReleaseFacts): Buffer {
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { name: NS, 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NS, namespace: NS, labels } },
    ...rbac(),
    deployment(r),
  ];
  const head = `# tigera-operator.yaml of the lab simulated world (Calico ${r.calico}, operator ${r.operator}): written from facts, not upstream's file.\n`;
  return Buffer.from(head + objects.map((o) => `---\n${stringify(o)}`).join(''));
}
