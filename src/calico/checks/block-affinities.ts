import { cidrToName } from '../cidr.js';
import type { BlockAffinityObject } from '../types.js';
import { Findings, plural, type Check } from './common.js';

/** `<node>-<cidr-with-dashes>`; names of 253+ characters are truncated and end with an 11-hex hash. */
export function expectedAffinityName(node: string, cidr: string): string {
  return `${node}-${cidrToName(cidr)}`;
}

export function affinityNameOk(a: BlockAffinityObject): boolean {
  const node = a.spec?.node ?? '';
  const cidr = a.spec?.cidr ?? '';
  const expected = expectedAffinityName(node, cidr);
  if (a.metadata.name === expected) return true;
  return expected.length >= 253 && a.metadata.name.length <= 253 && /-[0-9a-f]{11}$/.test(a.metadata.name);
}

export function affinityRows(list: readonly BlockAffinityObject[]): { name: string; node: string | undefined; cidr: string | undefined; state: string | undefined; type: string | undefined; deleted: string | undefined }[] {
  return list.map((a) => ({ name: a.metadata.name, node: a.spec?.node, cidr: a.spec?.cidr, state: a.spec?.state, type: a.spec?.type, deleted: a.spec?.deleted }));
}

export const blockAffinities: Check = {
  id: 'block-affinities',
  title: 'BlockAffinities: every node has one, named <node>-<cidr>',
  needs: ['blockAffinities'],
  uses: ['blockAffinities'],
  explain:
    'A BlockAffinity records that a node owns an IPAM block, so that node allocates pod IPs from it first and the routes for it point to ' +
    'that node. Real Calico v3.30 names them `<node>-<cidr with dashes>` (e.g. calico-ipam-worker-192-168-131-128-26), not ' +
    '`ipam-block-affinity-…`. Every node has at least one, because calico-node allocates the node\'s VXLAN tunnel IP at start.',
  commands: ['kubectl get blockaffinities.crd.projectcalico.org', 'kubectl get blockaffinities.crd.projectcalico.org -o yaml'],
  judge(lab, inputs) {
    const list = inputs.blockAffinities.ok ? inputs.blockAffinities.value : [];
    const f = new Findings();
    const byNode = new Map<string, BlockAffinityObject[]>();
    for (const a of list) {
      const node = a.spec?.node ?? '';
      byNode.set(node, [...(byNode.get(node) ?? []), a]);
      if (!affinityNameOk(a)) f.fail(`${a.metadata.name}: expected the name ${expectedAffinityName(node, a.spec?.cidr ?? '?')}`);
    }
    for (const n of lab.nodes) if (!byNode.has(n.name)) f.fail(`${n.name} has no BlockAffinity`);
    const expected = new Set(lab.nodes.map((n) => n.name));
    const strangers = [...byNode.keys()].filter((n) => !expected.has(n));
    if (strangers.length > 0) f.warn(`affinities for nodes not in the lab: ${strangers.join(', ')}`);
    return f.verdict(
      `${plural(list.length, 'affinity', 'affinities')} for ${plural(lab.nodes.length, 'node')}, all named <node>-<cidr>`,
      {
        shape: inputs.blockAffinities.ok ? inputs.blockAffinities.source : undefined,
        perNode: Object.fromEntries(lab.nodes.map((n) => [n.name, (byNode.get(n.name) ?? []).map((a) => a.metadata.name)])),
        affinities: affinityRows(list),
      },
      'a node without an affinity has no block: check calico-node on that node (`kubectl get pods -n calico-system -o wide`) and `calicoctl ipam show --show-blocks`',
    );
  },
};
