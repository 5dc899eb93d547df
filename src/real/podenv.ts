/**
 * What a kubelet gives a container: its env (value, fieldRef, configMapKeyRef, secretKeyRef, envFrom)
 * and its command line, resolved from the pod the real controllers made — so the real binaries the
 * world runs out of cluster start as their pods describe them.
 */
import type { Kube, Obj } from './kube.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    resourceFieldRef?: { resource: string };
  };
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean }; prefix?: string }[];
}
export interface PodLike extends Obj {
  spec?: { nodeName?: string; hostNetwork?: boolean; serviceAccountName?: string; containers?: Container[]; initContainers?: Container[] };
  status?: { phase?: string; podIP?: string; hostIP?: string };
}

function field(pod: PodLike, path: string): string {
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    default:
      return '';
  }
}

/** $(VAR) expansion as kubelet does it in env values and args. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
}

export async function containerEnv(kube: Kube, pod: PodLike, c: Container): Promise<Record<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {};
  const cm = async (name: string): Promise<Record<string, string> | undefined> => ((await kube.find<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${name}`))?.data ?? undefined);
  const secret = async (name: string): Promise<Record<string, string> | undefined> => {
    const s = await kube.find<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/${name}`);
    return s?.data ? Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : undefined;
  };
  for (const from of c.envFrom ?? []) {
    const data = from.configMapRef ? await cm(from.configMapRef.name) : from.secretRef ? await secret(from.secretRef.name) : undefined;
    for (const [k, v] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = expand(e.value, env);
    else if (e.valueFrom?.fieldRef) env[e.name] = field(pod, e.valueFrom.fieldRef.fieldPath);
    else if (e.valueFrom?.configMapKeyRef) {
      const v = (await cm(e.valueFrom.configMapKeyRef.name))?.[e.valueFrom.configMapKeyRef.key];
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.secretKeyRef) {
      const v = (await secret(e.valueFrom.secretKeyRef.name))?.[e.valueFrom.secretKeyRef.key];
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.resourceFieldRef) env[e.name] = '0';
    else env[e.name] = '';
  }
  return env;
}

/** A bound service account token for the pod (TokenRequest, as the kubelet's projected volume gets it). */
export async function podToken(kube: Kube, pod: PodLike): Promise<string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const sa = pod.spec?.serviceAccountName ?? 'default';
  const r = await kube.req<{ status?: { token?: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 86_400, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid } },
  });
  if (!r.status?.token) throw new Error(`real world: no token for ${ns}/${sa}`);
  return r.status.token;
}
