import type { NodeObject, NodeRowView } from '../types.js';
import { plural, type Check, type RuleContext } from './common.js';

const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

export function nodeRole(node: NodeObject): 'control-plane' | 'worker' {
  return node.metadata.labels && CONTROL_PLANE_LABEL in node.metadata.labels ? 'control-plane' : 'worker';
}

function rows(ctx: RuleContext): Map<string, NodeRowView> {
  return new Map(ctx.get('nodeRows').map((n) => [n.name, n]));
}

export const nodes: Check = {
  id: 'nodes',
  title: 'Nodes Ready with their roles and the kubelet version of the node image',
  rules: [
    {
      id: 'all-present',
      title: 'every node of the kind config exists, and no other',
      inputs: ['nodeRows'],
      judge(ctx) {
        const map = rows(ctx);
        for (const n of ctx.lab.nodes) if (!map.has(n.name)) ctx.fail(`${n.name}: no such Node`);
        const expected = new Set(ctx.lab.nodes.map((n) => n.name));
        const extra = [...map.keys()].filter((n) => !expected.has(n));
        if (extra.length > 0) ctx.warn(`Nodes not in the kind config: ${extra.join(', ')}`);
      },
    },
    {
      id: 'ready',
      title: 'every node is Ready',
      inputs: ['nodeRows'],
      judge(ctx) {
        const map = rows(ctx);
        for (const n of ctx.lab.nodes) {
          const row = map.get(n.name);
          if (row && !row.status.split(',').includes('Ready')) ctx.fail(`${n.name}: ${row.status}${row.notReadyReason ? ` (${row.notReadyReason})` : ''}`);
        }
      },
    },
    {
      id: 'roles',
      title: 'each node has its role',
      inputs: ['nodeRows'],
      judge(ctx) {
        const map = rows(ctx);
        for (const n of ctx.lab.nodes) {
          const row = map.get(n.name);
          if (!row) continue;
          const role = row.roles.includes('control-plane') || row.roles.includes('master') ? 'control-plane' : 'worker';
          if (role !== n.role) ctx.fail(`${n.name}: role ${role}, expected ${n.role}`);
        }
      },
    },
    {
      id: 'kubelet-version',
      title: 'each kubelet is the version of the node image',
      inputs: ['nodeRows'],
      notApplicable: (lab) => (lab.kubernetesVersion === undefined ? `the node image ${lab.nodeImage} has no known Kubernetes version` : undefined),
      judge(ctx) {
        const map = rows(ctx);
        for (const n of ctx.lab.nodes) {
          const row = map.get(n.name);
          if (row && row.version !== ctx.lab.kubernetesVersion) ctx.fail(`${n.name}: kubelet ${row.version ?? 'unknown'}, the image ${ctx.lab.nodeImage} ships ${ctx.lab.kubernetesVersion}`);
        }
      },
    },
  ],
  passSummary: (lab) => `${plural(lab.nodes.length, 'node')} Ready${lab.kubernetesVersion ? `, kubelet ${lab.kubernetesVersion}` : ''}`,
  evidence(lab, inputs) {
    if (!inputs.nodeRows.ok) return { expectedKubelet: lab.kubernetesVersion, nodes: [] };
    const map = new Map(inputs.nodeRows.value.map((n) => [n.name, n]));
    const expected = new Set(lab.nodes.map((n) => n.name));
    return {
      source: inputs.nodeRows.source,
      expectedKubelet: lab.kubernetesVersion,
      nodes: lab.nodes.map((e) => {
        const r = map.get(e.name);
        return r ? { name: e.name, found: true, ready: r.status, roles: r.roles, kubeletVersion: r.version, internalIP: r.internalIP } : { name: e.name, found: false };
      }),
      extra: [...map.keys()].filter((n) => !expected.has(n)),
    };
  },
  hint: 'a NotReady node usually means calico-node is not running there: `kubectl get pods -n calico-system -o wide`',
  explain:
    'kind nodes stay NotReady until a CNI is installed (the kind config disables the default one); Calico makes them Ready. ' +
    'Each node from the kind config must exist with its role, and its kubelet must be the version of the kindest/node image tag.',
  commands: ['kubectl get nodes -o wide'],
};
