import { addressOf, containsIp, parseV4, parseV4Cidr } from '../cidr.js';
import { Findings, plural, type Check } from './common.js';

export const topology: Check = {
  id: 'topology',
  title: 'containerlab topology: every kind node running',
  needs: ['containers'],
  uses: ['containers', 'kindSubnets'],
  explain:
    'containerlab deploys the kind cluster as one k8s-kind node; each Kubernetes node is a Docker container on the `kind` network. ' +
    'Every expected node must be running the image the topology names and have an IPv4 address on that network.',
  commands: ['containerlab inspect -t <topology> --format json', 'docker network inspect kind'],
  judge(lab, inputs) {
    const rows = inputs.containers.ok ? inputs.containers.value : [];
    const subnets = inputs.kindSubnets.ok ? inputs.kindSubnets.value.map(parseV4Cidr).filter((c) => c !== undefined) : [];
    const f = new Findings();
    const byName = new Map(rows.map((r) => [r.name, r]));
    const nodes = lab.nodes.map((n) => {
      const row = byName.get(n.name);
      if (!row) {
        f.fail(`${n.name}: no container (containerlab inspect lists ${rows.length === 0 ? 'nothing' : rows.map((r) => r.name).join(', ')})`);
        return { name: n.name, found: false };
      }
      if (row.state !== 'running') f.fail(`${n.name}: state ${row.state ?? 'unknown'} (${row.status ?? ''}), expected running`);
      if (row.image !== lab.nodeImage) f.fail(`${n.name}: image ${row.image ?? '?'}, the topology says ${lab.nodeImage}`);
      const ip = addressOf(row.ipv4_address);
      const ipNum = parseV4(ip);
      if (ipNum === undefined) f.fail(`${n.name}: no IPv4 address on the kind network`);
      else if (subnets.length > 0 && !subnets.some((s) => containsIp(s, ipNum))) f.fail(`${n.name}: ${ip} is not on the kind network (${subnets.map((s) => s.text).join(', ')})`);
      return { name: n.name, found: true, state: row.state, image: row.image, ipv4: row.ipv4_address, containerId: row.container_id };
    });
    const expected = new Set(lab.nodes.map((n) => n.name));
    const extra = rows.filter((r) => !expected.has(r.name)).map((r) => r.name);
    if (extra.length > 0) f.warn(`containers not in the lab model: ${extra.join(', ')}`);
    return f.verdict(
      `${plural(lab.nodes.length, 'node')} running ${lab.nodeImage} with an IPv4 on the kind network`,
      { source: inputs.containers.ok ? inputs.containers.source : undefined, expectedImage: lab.nodeImage, nodes, extra, kindSubnets: subnets.map((s) => s.text) },
      'run `lab deploy` (it converges a half-deployed lab) or `lab status` to see what exists',
    );
  },
};
