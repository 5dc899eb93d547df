/**
 * `cluster-dns` `{}` (lesson 05): kube-dns in kube-system at the tenth address of the service CIDR,
 * with the ports 53/UDP, 53/TCP and 9153/TCP; its EndpointSlices hold exactly the IPs of the Ready
 * `k8s-app=kube-dns` pods (CoreDNS; two on kind), none not-ready.
 */
import { parseV4Cidr } from '../../../calico/cidr.js';
import type { Check, RuleContext } from '../../../calico/checks/common.js';
import type { ExerciseSpec, ParamProblem, Probe } from '../../types.js';
import { findService, isReady, nthAddress, servicePorts, unknownKeys } from './common.js';
import { DNS_ORDINAL, judgeClusterIp, judgeEndpoints } from './service-endpoints.js';

export const DNS_NAMESPACE = 'kube-system';
export const DNS_SERVICE = 'kube-dns';
export const DNS_SELECTOR = { 'k8s-app': 'kube-dns' } as const;
export const DNS_PORTS = ['53/UDP', '53/TCP', '9153/TCP'] as const;

function judgeService(ctx: RuleContext): void {
  const svc = judgeClusterIp(ctx, DNS_NAMESPACE, DNS_SERVICE);
  if (!svc) return;
  const cidr = parseV4Cidr(ctx.lab.serviceSubnet);
  const want = cidr ? nthAddress(cidr, DNS_ORDINAL) : undefined;
  const ip = svc.spec?.clusterIP;
  if (want !== undefined && ip !== want) ctx.fail(`Service kube-system/kube-dns is at ${ip ?? 'no address'}, not ${want} (the tenth address of ${cidr!.text}, where the kubelet points every pod's resolv.conf)`);
  const have = servicePorts(svc);
  const missing = DNS_PORTS.filter((p) => !have.includes(p));
  const extra = have.filter((p) => !(DNS_PORTS as readonly string[]).includes(p));
  if (missing.length > 0) ctx.fail(`Service kube-system/kube-dns lacks the port${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (it has ${have.join(', ') || 'none'})`);
  if (extra.length > 0) ctx.warn(`Service kube-system/kube-dns has more ports than kubeadm gives it: ${extra.join(', ')}`);
}

function judgePods(ctx: RuleContext): void {
  const pods = ctx.get('workloadPods').filter((p) => p.metadata.namespace === DNS_NAMESPACE && p.metadata.labels?.['k8s-app'] === DNS_SELECTOR['k8s-app']);
  const ready = pods.filter(isReady);
  ctx.note('dnsPods', pods.map((p) => ({ pod: p.metadata.name, node: p.spec?.nodeName, ip: p.status?.podIP, ready: isReady(p) })));
  if (pods.length === 0) ctx.fail('no pod labelled k8s-app=kube-dns in kube-system (CoreDNS is not deployed)');
  else if (ready.length === 0) ctx.fail(`none of the ${pods.length} CoreDNS pods is Ready`);
  if (findService(ctx, DNS_NAMESPACE, DNS_SERVICE)) judgeEndpoints(ctx, DNS_NAMESPACE, DNS_SERVICE, { ...DNS_SELECTOR });
}

function validate(params: Record<string, unknown>): ParamProblem[] {
  return unknownKeys(params, []);
}

function check(spec: ExerciseSpec): Check {
  return {
    id: spec.id,
    title: spec.title,
    explain: spec.teaches,
    commands: spec.commands,
    hint: 'CoreDNS runs as the Deployment coredns in kube-system: `kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide` and `kubectl describe endpoints kube-dns -n kube-system`',
    rules: [
      { id: 'service', title: 'kube-dns at the tenth address of the service CIDR, ports 53/UDP, 53/TCP, 9153/TCP', inputs: ['services'], judge: judgeService },
      { id: 'endpoints', title: 'kube-dns\'s EndpointSlices hold exactly the Ready CoreDNS pods', inputs: ['services', 'endpointSlices', 'workloadPods'], judge: judgePods },
    ],
    passSummary(lab, inputs, ran) {
      const cidr = parseV4Cidr(lab.serviceSubnet);
      const n = inputs.workloadPods.ok ? inputs.workloadPods.value.filter((p) => p.metadata.namespace === DNS_NAMESPACE && p.metadata.labels?.['k8s-app'] === 'kube-dns' && isReady(p)).length : 0;
      return `kube-dns at ${cidr ? nthAddress(cidr, DNS_ORDINAL) : '?'}${ran.includes('endpoints') ? ` with ${n} Ready CoreDNS pod${n === 1 ? '' : 's'} as its endpoints` : ''}`;
    },
  };
}

export const clusterDns: Probe = {
  name: 'cluster-dns',
  description: 'kube-dns sits at the tenth address of the service CIDR with ports 53/UDP, 53/TCP, 9153/TCP, and its endpoints are the Ready CoreDNS pods',
  validate,
  check,
};
