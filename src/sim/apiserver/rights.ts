/**
 * RBAC before kubeadm has bound admin.conf's user: since Kubernetes 1.29 the user in admin.conf
 * ("kubernetes-admin", group kubeadm:cluster-admins) is cluster-admin only once `kubeadm init` has
 * created the ClusterRoleBinding kubeadm:cluster-admins, a moment after the API server serves
 * (kubernetes/kubernetes#121305). Until then only what system:authenticated may do is allowed:
 * health, version, discovery, OpenAPI, self-reviews. Everything else is a 403 with the message
 * kube-apiserver's RBAC authorizer writes.
 */
import { failure, type Status } from './status.js';

export const ADMIN_USER = 'kubernetes-admin';

const PUBLIC = /^\/(healthz|livez|readyz|version)(\/.*)?$|^\/openapi\/|^\/api\/?$|^\/api\/v1\/?$|^\/apis\/?$|^\/apis\/[^/]+\/?$|^\/apis\/[^/]+\/[^/]+\/?$/;
const SELF_REVIEWS = /^\/apis\/authorization\.k8s\.io\/v1\/self(subject(access|rules)reviews)$|^\/apis\/authentication\.k8s\.io\/v1\/selfsubjectreviews$/;

function verbOf(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** The 403 a request gets while the user has no rights beyond system:authenticated, or undefined when allowed. */
export function forbiddenWithoutAdmin(method: string, url: URL): Status | undefined {
  const path = url.pathname;
  if (PUBLIC.test(path) || (method === 'POST' && SELF_REVIEWS.test(path))) return undefined;
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
  const group = m?.[2] ?? '';
  // `/api/v1/namespaces/<name>` parses as resource "namespaces", name <name> (the namespace itself)
  const resource = m?.[5] ?? path;
  const namespace = m?.[4];
  const name = m?.[6];
  const sub = m?.[7];
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb = verbOf(method, name !== undefined, watch);
  const qualifiedName = group === '' ? resource : `${resource}.${group}`;
  const target = name !== undefined ? `${qualifiedName} "${name}"` : qualifiedName;
  const scope = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const what = sub !== undefined ? `${resource}/${sub}` : resource;
  const message = `${target} is forbidden: User "${ADMIN_USER}" cannot ${verb} resource "${what}" in API group "${group}" ${scope}`;
  return failure(403, 'Forbidden', message, { ...(name !== undefined ? { name } : {}), group, kind: resource });
}
