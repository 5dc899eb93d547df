import { addressOf, containsIp, parseV4, parseV4Cidr } from '../cidr.js';
import type { ClabRow } from '../types.js';
import { plural, type Check } from './common.js';

function byName(rows: readonly ClabRow[]): Map<string, ClabRow> {
  return new Map(rows.map((r) => [r.name, r]));
}

export const topology: Check = {
  id: 'topology',
  title: 'containerlab topology: every kind node running',
  rules: [
    {
      id: 'nodes-running',
      title: 'every lab node is a running container',
      inputs: ['containers'],
      judge(ctx) {
        const rows = ctx.get('containers');
        const map = byName(rows);
        for (const n of ctx.lab.nodes) {
          const row = map.get(n.name);
          if (!row) ctx.fail(`${n.name}: no container (containerlab inspect lists ${rows.length === 0 ? 'nothing' : rows.map((r) => r.name).join(', ')})`);
          else if (row.state !== 'running') ctx.fail(`${n.name}: state ${row.state ?? 'unknown'} (${row.status ?? ''}), expected running`);
        }
        const expected = new Set(ctx.lab.nodes.map((n) => n.name));
        const extra = rows.filter((r) => !expected.has(r.name)).map((r) => r.name);
        if (extra.length > 0) ctx.warn(`containers not in the lab model: ${extra.join(', ')}`);
      },
    },
    {
      id: 'node-image',
      title: 'each node runs the image the topology names',
      inputs: ['containers'],
      judge(ctx) {
        const map = byName(ctx.get('containers'));
        for (const n of ctx.lab.nodes) {
          const row = map.get(n.name);
          if (row && row.image !== undefined && row.image !== ctx.lab.nodeImage) ctx.fail(`${n.name}: image ${row.image}, the topology says ${ctx.lab.nodeImage}`);
        }
      },
    },
    {
      id: 'node-address',
      title: 'each node has an IPv4 address',
      inputs: ['containers'],
      judge(ctx) {
        const map = byName(ctx.get('containers'));
        for (const n of ctx.lab.nodes) {
          const row = map.get(n.name);
          if (row && parseV4(addressOf(row.ipv4_address)) === undefined) ctx.fail(`${n.name}: no IPv4 address on the kind network`);
        }
      },
    },
    {
      id: 'on-kind-network',
      title: 'each node address is on the docker kind network',
      inputs: ['containers', 'kindSubnets'],
      judge(ctx) {
        const subnets = ctx.get('kindSubnets').map(parseV4Cidr).filter((c) => c !== undefined);
        const map = byName(ctx.get('containers'));
        for (const n of ctx.lab.nodes) {
          const ip = addressOf(map.get(n.name)?.ipv4_address);
          const num = parseV4(ip);
          if (num !== undefined && subnets.length > 0 && !subnets.some((s) => containsIp(s, num))) ctx.fail(`${n.name}: ${ip} is not on the kind network (${subnets.map((s) => s.text).join(', ')})`);
        }
      },
    },
  ],
  passSummary: (lab) => `${plural(lab.nodes.length, 'node')} running ${lab.nodeImage} with an IPv4 on the kind network`,
  evidence(lab, inputs) {
    const rows = inputs.containers.ok ? inputs.containers.value : [];
    const map = byName(rows);
    const expected = new Set(lab.nodes.map((n) => n.name));
    return {
      source: inputs.containers.ok ? inputs.containers.source : undefined,
      expectedImage: lab.nodeImage,
      nodes: inputs.containers.ok
        ? lab.nodes.map((n) => {
            const row = map.get(n.name);
            return row ? { name: n.name, found: true, state: row.state, image: row.image, ipv4: row.ipv4_address, containerId: row.container_id } : { name: n.name, found: false };
          })
        : [],
      extra: rows.filter((r) => !expected.has(r.name)).map((r) => r.name),
      kindSubnets: inputs.kindSubnets.ok ? inputs.kindSubnets.value : [],
    };
  },
  hint: 'run `lab deploy` (it converges a half-deployed lab) or `lab status` to see what exists',
  explain:
    'containerlab deploys the kind cluster as one k8s-kind node; each Kubernetes node is a Docker container on the `kind` network. ' +
    'Every expected node must be running the image the topology names and have an IPv4 address on that network.',
  commands: ['containerlab inspect -t <topology> --format json', 'docker network inspect kind'],
};
