/** A Lab model like lesson 01's (built by hand so the rules are tested without the loader). */
import type { Lab } from '../../../src/lab/model.js';

export function testLab(overrides: Partial<Lab> = {}): Lab {
  const dir = '/home/user/calico-ipam';
  return {
    lesson: { id: '01-calico-ipam', title: 'Calico IP Address Management (IPAM)', summary: '', notes: [], file: undefined },
    workloads: { manifests: [], waitFor: [], images: [] },
    dir,
    topologyFile: `${dir}/calico-ipam.clab.yaml`,
    name: 'calico-ipam',
    cluster: 'calico-ipam',
    nodeImage: 'kindest/node:v1.28.0',
    kubernetesVersion: 'v1.28.0',
    kindConfigFile: `${dir}/calico-ipam-no-cni.yaml`,
    nodes: [
      { name: 'calico-ipam-control-plane', role: 'control-plane' },
      { name: 'calico-ipam-worker', role: 'worker' },
      { name: 'calico-ipam-worker2', role: 'worker' },
    ],
    podSubnet: '192.168.0.0/16',
    serviceSubnet: '10.96.0.0/16',
    pool: { name: 'default-ipv4-ippool', cidr: '192.168.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' },
    customResources: [],
    kubeconfigPath: `${dir}/calico-ipam.kubeconfig`,
    labDir: `${dir}/clab-calico-ipam`,
    calico: {
      version: 'v3.30.0',
      manifests: {
        'operator-crds.yaml': { url: 'https://example.invalid/operator-crds.yaml', sha256: 'a'.repeat(64) },
        'tigera-operator.yaml': { url: 'https://example.invalid/tigera-operator.yaml', sha256: 'b'.repeat(64) },
      },
      calicoctl: { 'linux-amd64': { url: 'https://example.invalid/calicoctl-linux-amd64', sha256: 'c'.repeat(64) } },
      images: ['quay.io/tigera/operator:v1.38.0', 'docker.io/calico/node:v3.30.0', 'docker.io/calico/cni:v3.30.0'],
    },
    pinsFile: `${dir}/manifests/calico-pins.yaml`,
    ...overrides,
  };
}
