import { cidrToName } from '../cidr.js';
import type { AffinityNameView, BlockAffinityObject } from '../types.js';
import { plural, type Check } from './common.js';

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

function byNode(list: readonly AffinityNameView[]): Map<string, AffinityNameView[]> {
  const out = new Map<string, AffinityNameView[]>();
  for (const a of list) out.set(a.node ?? '', [...(out.get(a.node ?? '') ?? []), a]);
  return out;
}

export const blockAffinities: Check = {
  id: 'block-affinities',
  title: 'BlockAffinities: every node has one, named <node>-<cidr>',
  rules: [
    {
      id: 'every-node-has-one',
      title: 'every lab node has a BlockAffinity, and no other node does',
      inputs: ['affinityNames'],
      judge(ctx) {
        const map = byNode(ctx.get('affinityNames'));
        for (const n of ctx.lab.nodes) if (!map.has(n.name)) ctx.fail(`${n.name} has no BlockAffinity`);
        const expected = new Set(ctx.lab.nodes.map((n) => n.name));
        const unnamed = map.get('') ?? [];
        const strangers = [...map.keys()].filter((n) => n !== '' && !expected.has(n));
        if (strangers.length > 0) ctx.warn(`affinities for nodes not in the lab: ${strangers.join(', ')}`);
        if (unnamed.length > 0) ctx.warn(`affinities whose node cannot be told from the name: ${unnamed.map((a) => a.name).join(', ')}`);
      },
    },
    {
      id: 'named-node-cidr',
      title: 'each BlockAffinity is named <node>-<cidr with dashes> after its own spec',
      inputs: ['blockAffinities'],
      judge(ctx) {
        for (const a of ctx.get('blockAffinities')) if (!affinityNameOk(a)) ctx.fail(`${a.metadata.name}: expected the name ${expectedAffinityName(a.spec?.node ?? '', a.spec?.cidr ?? '?')}`);
      },
    },
  ],
  passSummary: (lab, inputs) => `${plural(inputs.affinityNames.ok ? inputs.affinityNames.value.length : 0, 'affinity', 'affinities')} for ${plural(lab.nodes.length, 'node')}, all named <node>-<cidr>`,
  evidence(lab, inputs) {
    if (!inputs.affinityNames.ok) return {};
    const map = byNode(inputs.affinityNames.value);
    return {
      shape: inputs.affinityNames.source,
      perNode: Object.fromEntries(lab.nodes.map((n) => [n.name, (map.get(n.name) ?? []).map((a) => a.name)])),
      affinities: inputs.blockAffinities.ok ? affinityRows(inputs.blockAffinities.value) : inputs.affinityNames.value.map((a) => ({ name: a.name, node: a.node, cidr: a.cidr })),
    };
  },
  hint: 'a node without an affinity has no block: check calico-node on that node (`kubectl get pods -n calico-system -o wide`) and `calicoctl ipam show --show-blocks`',
  explain:
    'A BlockAffinity records that a node owns an IPAM block, so that node allocates pod IPs from it first and the routes for it point to ' +
    'that node. Real Calico v3.30 names them `<node>-<cidr with dashes>` (e.g. calico-ipam-worker-192-168-131-128-26), not ' +
    '`ipam-block-affinity-…`. Every node has at least one, because calico-node allocates the node\'s VXLAN tunnel IP at start. ' +
    'A `kubectl get blockaffinities` table shows only the names, so node and CIDR are read from the name and the state is not visible.',
  commands: ['kubectl get blockaffinities.crd.projectcalico.org', 'kubectl get blockaffinities.crd.projectcalico.org -o yaml'],
};
