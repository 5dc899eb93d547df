import type { NodeObject } from '../types.js';
import { Findings, plural, type Check } from './common.js';

const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

export function nodeRole(node: NodeObject): 'control-plane' | 'worker' {
  return node.metadata.labels && CONTROL_PLANE_LABEL in node.metadata.labels ? 'control-plane' : 'worker';
}

export const nodes: Check = {
  id: 'nodes',
  title: 'Nodes Ready with their roles and the kubelet version of the node image',
  needs: ['nodes'],
  uses: ['nodes'],
  explain:
    'kind nodes stay NotReady until a CNI is installed (the kind config disables the default one); Calico makes them Ready. ' +
    'Each node from the kind config must exist with its role, and its kubelet must be the version of the kindest/node image tag.',
  commands: ['kubectl get nodes -o wide'],
  judge(lab, inputs) {
    const list = inputs.nodes.ok ? inputs.nodes.value : [];
    const f = new Findings();
    const byName = new Map(list.map((n) => [n.metadata.name, n]));
    const rows = lab.nodes.map((expected) => {
      const node = byName.get(expected.name);
      if (!node) {
        f.fail(`${expected.name}: no such Node`);
        return { name: expected.name, found: false };
      }
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      const role = nodeRole(node);
      const kubelet = node.status?.nodeInfo?.kubeletVersion;
      if (ready?.status !== 'True') f.fail(`${expected.name}: NotReady${ready?.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})` : ''}`);
      if (role !== expected.role) f.fail(`${expected.name}: role ${role}, expected ${expected.role}`);
      if (lab.kubernetesVersion !== undefined && kubelet !== lab.kubernetesVersion) f.fail(`${expected.name}: kubelet ${kubelet ?? 'unknown'}, the image ${lab.nodeImage} ships ${lab.kubernetesVersion}`);
      return { name: expected.name, found: true, ready: ready?.status, role, kubeletVersion: kubelet };
    });
    const expected = new Set(lab.nodes.map((n) => n.name));
    const extra = list.filter((n) => !expected.has(n.metadata.name)).map((n) => n.metadata.name);
    if (extra.length > 0) f.warn(`Nodes not in the kind config: ${extra.join(', ')}`);
    return f.verdict(
      `${plural(lab.nodes.length, 'node')} Ready${lab.kubernetesVersion ? `, kubelet ${lab.kubernetesVersion}` : ''}`,
      { expectedKubelet: lab.kubernetesVersion, nodes: rows, extra },
      'a NotReady node usually means calico-node is not running there: `kubectl get pods -n calico-system -o wide`',
    );
  },
};
