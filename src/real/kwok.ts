/**
 * kwok, the fake kubelets of the real world, with stages of our own (kwok's Stage API,
 * kwok.x-k8s.io/v1alpha1): a node registers NotReady with kubelet's "cni plugin not initialized"
 * message and turns Ready only when the world marks it `lab.real/cni: ready` (the calico-node pod on
 * it runs); a host-network pod runs with its node's IP; a pod on the pod network runs only once the
 * world's CNI ADD gave it an address (annotation `lab.real/pod-ip`), and takes that address.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Binary } from './components.js';
import { Procs } from './procs.js';

export const CNI_READY_ANNOTATION = 'lab.real/cni';
export const POD_IP_ANNOTATION = 'lab.real/pod-ip';
export const INTERNAL_IP_ANNOTATION = 'lab.real/internal-ip';

/** kubelet's message while no CNI config exists (kubelet 1.28, kind with disableDefaultCNI). */
export const NOT_READY_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

const readyCond = (status: string, reason: string, message: string): string => `      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
        message: ${JSON.stringify(message)}
        reason: ${reason}
        status: "${status}"
        type: Ready`;

const pressure = `      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
        message: kubelet has sufficient memory available
        reason: KubeletHasSufficientMemory
        status: "False"
        type: MemoryPressure
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
        message: kubelet has no disk pressure
        reason: KubeletHasNoDiskPressure
        status: "False"
        type: DiskPressure
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
        message: kubelet has sufficient PID available
        reason: KubeletHasSufficientPID
        status: "False"
        type: PIDPressure`;

function nodeStatus(kubeletVersion: string, ready: boolean): string {
  return `      {{ $now := Now }}
      conditions:
${pressure}
${ready ? readyCond('True', 'KubeletReady', 'kubelet is posting ready status') : readyCond('False', 'KubeletNotReady', NOT_READY_MESSAGE)}
      addresses:
      - address: {{ index .metadata.annotations "${INTERNAL_IP_ANNOTATION}" | Quote }}
        type: InternalIP
      - address: {{ .metadata.name | Quote }}
        type: Hostname
      daemonEndpoints:
        kubeletEndpoint:
          Port: 10250
      allocatable:
        cpu: "8"
        ephemeral-storage: 102626232Ki
        hugepages-1Gi: "0"
        hugepages-2Mi: "0"
        memory: 32750052Ki
        pods: "110"
      capacity:
        cpu: "8"
        ephemeral-storage: 102626232Ki
        hugepages-1Gi: "0"
        hugepages-2Mi: "0"
        memory: 32750052Ki
        pods: "110"
      nodeInfo:
        architecture: amd64
        containerRuntimeVersion: containerd://1.7.1
        kernelVersion: 6.8.0-79-generic
        kubeProxyVersion: ${kubeletVersion}
        kubeletVersion: ${kubeletVersion}
        operatingSystem: linux
        osImage: Debian GNU/Linux 11 (bullseye)
`;
}

function podRunning(podIp: string): string {
  return `      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: ContainersReady
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: PodScheduled
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: true
        restartCount: 0
        started: true
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: true
        restartCount: 0
        state:
          terminated:
            exitCode: 0
            finishedAt: {{ $now | Quote }}
            reason: Completed
            startedAt: {{ $now | Quote }}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: ${podIp}
      podIPs:
      - ip: ${podIp}
      phase: Running
      startTime: {{ $now | Quote }}
`;
}

const indent = (text: string): string => text.replace(/\n$/, '');

/** The world's stages (one YAML stream, kwok --config). */
export function stagesYaml(kubeletVersion: string): string {
  const stage = (name: string, kind: 'Node' | 'Pod', selector: string, next: string, delay = ''): string =>
    `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
spec:
  resourceRef:
    apiGroup: v1
    kind: ${kind}
  selector:
${selector}
${delay}  next:
${next}
`;
  const readyIs = (op: string, values: string[]): string =>
    `    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'\n      operator: '${op}'${values.length ? `\n      values:\n${values.map((v) => `      - '${v}'`).join('\n')}` : ''}`;
  return [
    stage('lab-node-register-not-ready', 'Node', `    matchExpressions:\n${readyIs('DoesNotExist', [])}`, `    statusTemplate: |\n${indent(nodeStatus(kubeletVersion, false))}`),
    stage(
      'lab-node-cni-ready',
      'Node',
      `    matchAnnotations:\n      ${CNI_READY_ANNOTATION}: ready\n    matchExpressions:\n${readyIs('In', ['False'])}`,
      `    statusTemplate: |\n${indent(nodeStatus(kubeletVersion, true))}`,
    ),
    stage(
      'lab-node-cni-gone',
      'Node',
      `    matchExpressions:\n    - key: '.metadata.annotations."${CNI_READY_ANNOTATION}"'\n      operator: 'DoesNotExist'\n${readyIs('In', ['True'])}`,
      `    statusTemplate: |\n${indent(nodeStatus(kubeletVersion, false))}`,
    ),
    stage(
      'lab-pod-run-host-network',
      'Pod',
      `    matchExpressions:\n    - key: '.metadata.deletionTimestamp'\n      operator: 'DoesNotExist'\n    - key: '.status.podIP'\n      operator: 'DoesNotExist'\n    - key: '.spec.hostNetwork'\n      operator: 'In'\n      values:\n      - 'true'`,
      `    statusTemplate: |\n${indent(podRunning('{{ NodeIPWith .spec.nodeName | Quote }}'))}`,
    ),
    stage(
      'lab-pod-run-cni-address',
      'Pod',
      `    matchExpressions:\n    - key: '.metadata.deletionTimestamp'\n      operator: 'DoesNotExist'\n    - key: '.status.podIP'\n      operator: 'DoesNotExist'\n    - key: '.metadata.annotations."${POD_IP_ANNOTATION}"'\n      operator: 'Exists'`,
      `    statusTemplate: |\n${indent(podRunning(`{{ index .metadata.annotations "${POD_IP_ANNOTATION}" | Quote }}`))}`,
    ),
    stage(
      'lab-pod-delete',
      'Pod',
      `    matchExpressions:\n    - key: '.metadata.deletionTimestamp'\n      operator: 'Exists'`,
      `    finalizers:\n      empty: true\n    delete: true`,
    ),
  ].join('---\n');
}

export function startKwok(kwok: Binary, procs: Procs, stateDir: string, kubeconfig: string, kubeletVersion: string): void {
  const config = join(stateDir, 'kwok.yaml');
  writeFileSync(config, stagesYaml(kubeletVersion));
  procs.start('kwok', kwok.path, [
    `--kubeconfig=${kubeconfig}`,
    `--config=${config}`,
    '--manage-all-nodes=true',
    '--node-lease-duration-seconds=40',
    '--server-address=',
  ]);
}
