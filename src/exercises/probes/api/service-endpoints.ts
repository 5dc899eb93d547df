/**
 * `service-endpoints` `{ service, namespace }` (lessons 02, 04, 05): the Service's ClusterIP is inside
 * the lab's service CIDR (and is not the cluster DNS address unless the Service is kube-dns); its
 * EndpointSlices (label kubernetes.io/service-name) hold exactly the IPs of the ready pods its selector
 * matches, none not-ready, each slice with the Service's ports (targetPort resolved on the pods).
 */
import { containsIp, parseV4, parseV4Cidr } from '../../../calico/cidr.js';
import type { Check, RuleContext } from '../../../calico/checks/common.js';
import type { ServiceObject } from '../../../calico/workload-objects.js';
import type { ExerciseSpec, ParamProblem, Probe } from '../../types.js';
import { compareEndpoints, comparePorts, findService, isLive, namespaceOf, nameParam, nthAddress, selects, servicePorts, slicesOf, unknownKeys } from './common.js';

/** The cluster DNS Service's address: the tenth of the service CIDR (kubeadm's default). */
export const DNS_ORDINAL = 10;

export function isKubeDns(svc: ServiceObject): boolean {
  return svc.metadata.name === 'kube-dns' && svc.metadata.namespace === 'kube-system';
}

/** ClusterIP inside lab.serviceSubnet, not the DNS address unless it is kube-dns. Returns the Service when found. */
export function judgeClusterIp(ctx: RuleContext, namespace: string, name: string): ServiceObject | undefined {
  const svc = findService(ctx, namespace, name);
  const who = `Service ${namespace}/${name}`;
  if (!svc) {
    ctx.fail(`${who} does not exist`);
    return undefined;
  }
  const ip = svc.spec?.clusterIP;
  const cidr = parseV4Cidr(ctx.lab.serviceSubnet);
  ctx.note('service', { name: `${namespace}/${name}`, type: svc.spec?.type ?? 'ClusterIP', clusterIP: ip, ports: servicePorts(svc), serviceSubnet: ctx.lab.serviceSubnet });
  if (svc.spec?.type === 'ExternalName') ctx.fail(`${who} is an ExternalName Service: it has no ClusterIP`);
  else if (ip === undefined || ip === '') ctx.fail(`${who} has no ClusterIP`);
  else if (ip === 'None') ctx.fail(`${who} is headless (clusterIP: None): it has no virtual IP`);
  else if (parseV4(ip) === undefined) ctx.fail(`${who}: ClusterIP ${ip} is not an IPv4 address`);
  else if (!cidr) ctx.fail(`the lab's service CIDR ${ctx.lab.serviceSubnet} is not an IPv4 CIDR`);
  else if (!containsIp(cidr, parseV4(ip)!)) ctx.fail(`${who}: ClusterIP ${ip} is outside the service CIDR ${cidr.text}`);
  else if (!isKubeDns(svc) && ip === nthAddress(cidr, DNS_ORDINAL)) ctx.fail(`${who}: ClusterIP ${ip} is the cluster DNS address (kube-dns's), which no other Service may hold`);
  return svc;
}

/** EndpointSlices == the ready selected pods, ports as the Service resolves them. */
export function judgeEndpoints(ctx: RuleContext, namespace: string, name: string, selector?: Record<string, string>): void {
  const svc = findService(ctx, namespace, name);
  if (!svc) return; // the cluster-ip rule says so
  const who = `Service ${namespace}/${name}`;
  const sel = selector ?? svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) {
    ctx.fail(`${who} has no selector: its endpoints are not derived from pods`);
    return;
  }
  const pods = ctx.get('workloadPods').filter((p) => (p.metadata.namespace ?? 'default') === namespace && selects(sel, p.metadata.labels));
  if (!pods.some(isLive)) ctx.fail(`${who}: its selector ${Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',')} matches no pod in ${namespace}`);
  const slices = slicesOf(ctx.get('endpointSlices'), namespace, name);
  if (slices.length === 0) {
    ctx.fail(`${who} has no EndpointSlice (label kubernetes.io/service-name=${name})`);
    return;
  }
  const r = compareEndpoints(ctx, who, slices, pods);
  comparePorts(ctx, who, svc, slices, pods);
  ctx.note('endpoints', { selector: sel, slices: slices.map((s) => s.metadata.name), readyPodIPs: r.expected, readyEndpoints: r.ready, notReadyEndpoints: r.notReady });
}

interface Params {
  service: string;
  namespace: string;
}

function validate(params: Record<string, unknown>): ParamProblem[] {
  return [...unknownKeys(params, ['service', 'namespace']), ...nameParam(params, 'service', { required: true, what: 'Service' }), ...nameParam(params, 'namespace', { required: false, what: 'namespace' })];
}

function check(spec: ExerciseSpec): Check {
  const p: Params = { service: String(spec.with['service']), namespace: namespaceOf(spec.with) };
  const who = `${p.namespace}/${p.service}`;
  return {
    id: spec.id,
    title: spec.title,
    explain: spec.teaches,
    commands: spec.commands,
    hint: `compare \`kubectl get pods -o wide -n ${p.namespace}\` (the Ready pods the selector matches) with \`kubectl get endpointslice -n ${p.namespace} -l kubernetes.io/service-name=${p.service}\``,
    rules: [
      { id: 'cluster-ip', title: `${who}: ClusterIP inside the service CIDR`, inputs: ['services'], judge: (ctx) => void judgeClusterIp(ctx, p.namespace, p.service) },
      { id: 'endpoints', title: `${who}: EndpointSlices hold exactly the ready pods it selects, with its ports`, inputs: ['services', 'endpointSlices', 'workloadPods'], judge: (ctx) => judgeEndpoints(ctx, p.namespace, p.service) },
    ],
    passSummary(lab, inputs, ran) {
      const svc = inputs.services.ok ? inputs.services.value.find((s) => s.metadata.name === p.service && (s.metadata.namespace ?? 'default') === p.namespace) : undefined;
      const ip = svc?.spec?.clusterIP ?? '?';
      return `${who} at ${ip} (inside ${lab.serviceSubnet})${ran.includes('endpoints') ? ', its EndpointSlices = its ready pods' : ''}`;
    },
  };
}

export const serviceEndpoints: Probe = {
  name: 'service-endpoints',
  description: 'the Service\'s ClusterIP is inside the service CIDR and its EndpointSlices hold exactly the ready pods it selects, with its ports',
  validate,
  check,
};
