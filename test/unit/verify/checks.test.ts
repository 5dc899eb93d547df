import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/calico/checks/index.js';
import { absent, normaliseAffinity, present, type VerifyInputs } from '../../../src/calico/inputs.js';
import type { VerifyLab } from '../../../src/calico/lab.js';
import { runChecks, selectChecks } from '../../../src/calico/runner.js';
import { CHECK_IDS, type CheckId, type CheckResult, type IPAMBlockObject } from '../../../src/calico/types.js';
import { UsageError } from '../../../src/errors.js';
import { affinity, block, healthyInputs, lessonLab, pod, withValue } from './lesson-lab.js';

function run(inputs: VerifyInputs, lab: VerifyLab = lessonLab): Record<CheckId, CheckResult> {
  return Object.fromEntries(runChecks(CHECKS, lab, inputs).map((r) => [r.id, r])) as Record<CheckId, CheckResult>;
}

const blocksOf = (i: VerifyInputs): IPAMBlockObject[] => (i.ipamBlocks.ok ? i.ipamBlocks.value : []);

describe('healthy lesson lab (built from the reference outputs)', () => {
  const results = run(healthyInputs());

  it('has the ten checks with the issue\'s ids, all passing', () => {
    expect(CHECKS.map((c) => c.id)).toEqual(['topology', 'tigerastatus', 'nodes', 'ipam-pool', 'block-affinities', 'affinity-details', 'node-blocks', 'pod-ips', 'cidr-hygiene', 'ipam-check']);
    for (const id of CHECK_IDS) expect({ id, status: results[id].status, summary: results[id].summary }).toMatchObject({ id, status: 'pass' });
  });

  it('ipam-pool: 65,536 total, 12 in use (3 tunnel IPs + 9 pods), 65,524 free, like calicoctl ipam show', () => {
    expect(results['ipam-pool'].evidence['usage']).toMatchObject({ cidr: '192.168.0.0/16', total: 65536, inUse: 12, free: 65524 });
    expect(results['ipam-pool'].summary).toContain('calicoctl agrees');
  });

  it('node-blocks: each node has its own per-host first block (not sequential) with 5/4/3 in use', () => {
    expect(results['node-blocks'].evidence['nodes']).toEqual([
      { node: 'calico-ipam-control-plane', blocks: [{ cidr: '192.168.18.64/26', inUse: 5, total: 64 }] },
      { node: 'calico-ipam-worker', blocks: [{ cidr: '192.168.131.128/26', inUse: 4, total: 64 }] },
      { node: 'calico-ipam-worker2', blocks: [{ cidr: '192.168.112.128/26', inUse: 3, total: 64 }] },
    ]);
  });

  it('block-affinities: the real naming <node>-<cidr-dashes>', () => {
    expect(results['block-affinities'].evidence['perNode']).toEqual({
      'calico-ipam-control-plane': ['calico-ipam-control-plane-192-168-18-64-26'],
      'calico-ipam-worker': ['calico-ipam-worker-192-168-131-128-26'],
      'calico-ipam-worker2': ['calico-ipam-worker2-192-168-112-128-26'],
    });
  });

  it('pod-ips ignores hostNetwork pods and counts the 9 pod-network pods', () => {
    expect(results['pod-ips'].evidence['pods']).toBe(9);
  });
});

describe('broken cases', () => {
  it('node without block → node-blocks and block-affinities fail naming the node', () => {
    let i = healthyInputs();
    i = withValue(i, 'ipamBlocks', blocksOf(i).filter((b) => b.spec?.affinity !== 'host:calico-ipam-worker2'));
    i = withValue(i, 'blockAffinities', (i.blockAffinities.ok ? i.blockAffinities.value : []).filter((a) => a.spec?.node !== 'calico-ipam-worker2'));
    i = withValue(i, 'pods', (i.pods.ok ? i.pods.value : []).filter((p) => p.spec?.nodeName !== 'calico-ipam-worker2'));
    i = { ...i, ipamShow: absent('test'), ipamCheck: absent('test') };
    const r = run(i);
    expect(r['node-blocks'].status).toBe('fail');
    expect(r['node-blocks'].summary).toContain('calico-ipam-worker2 has no IPAM block');
    expect(r['block-affinities'].status).toBe('fail');
    expect(r['block-affinities'].summary).toContain('calico-ipam-worker2 has no BlockAffinity');
  });

  it('leaked IP (report) → ipam-check fails with the IP named', () => {
    const i = healthyInputs();
    const report = i.ipamCheck.ok ? i.ipamCheck.value : undefined;
    report!.allocations['192.168.18.74'] = [{ ip: '192.168.18.74', handle: 'k8s-pod-network.deadbeef', node: 'calico-ipam-control-plane', inUse: false }];
    const r = run(i);
    expect(r['ipam-check'].status).toBe('fail');
    expect(r['ipam-check'].summary).toContain('192.168.18.74');
    expect(r['ipam-check'].evidence['leakedIps']).toEqual([{ ip: '192.168.18.74', handle: 'k8s-pod-network.deadbeef', node: 'calico-ipam-control-plane' }]);
  });

  it('leaked IP (no calicoctl: derived from the API objects) → ipam-check fails with the IP named', () => {
    let i = healthyInputs();
    const cp = blocksOf(i).find((b) => b.spec?.cidr === '192.168.18.64/26')!;
    const leaky = block('192.168.18.64/26', 'calico-ipam-control-plane', [
      ...cp.spec!.attributes!.map((a, idx) => ({ ip: `192.168.18.${64 + cp.spec!.allocations!.indexOf(idx)}`, handle: a.handle_id!, secondary: a.secondary! })),
      { ip: '192.168.18.74', handle: 'k8s-pod-network.deadbeef', secondary: { namespace: 'default', node: 'calico-ipam-control-plane', pod: 'gone' } },
    ]);
    i = withValue(i, 'ipamBlocks', blocksOf(i).map((b) => (b === cp ? leaky : b)));
    i = { ...i, ipamCheck: absent('calicoctl not available'), ipamShow: absent('test') };
    const r = run(i);
    expect(r['ipam-check'].status).toBe('fail');
    expect(r['ipam-check'].summary).toContain('192.168.18.74');
    expect(r['ipam-check'].evidence['source']).toMatch(/derived/);
  });

  it('in-use IP without allocation and orphan handles (report) → ipam-check fails naming them', () => {
    const i = healthyInputs();
    const report = i.ipamCheck.ok ? i.ipamCheck.value : undefined;
    report!.allocations['192.168.131.140'] = [{ ip: '192.168.131.140', inUse: true, owners: ['Workload(default/x)'] }];
    report!.leakedHandles = ['k8s-pod-network.0123abcd'];
    const r = run(i);
    expect(r['ipam-check'].status).toBe('fail');
    expect(r['ipam-check'].evidence['problems']).toEqual([
      expect.stringContaining('192.168.131.140'),
      expect.stringContaining('k8s-pod-network.0123abcd'),
    ]);
  });

  it('orphan IPAMHandle (derived) → ipam-check fails', () => {
    let i = healthyInputs();
    i = withValue(i, 'ipamHandles', [...(i.ipamHandles.ok ? i.ipamHandles.value : []), { metadata: { name: 'k8s-pod-network.orphan' }, spec: { handleID: 'k8s-pod-network.orphan', block: { '192.168.18.64/26': 1 } } }]);
    i = { ...i, ipamCheck: absent('test') };
    const r = run(i);
    expect(r['ipam-check'].status).toBe('fail');
    expect(r['ipam-check'].summary).toContain('k8s-pod-network.orphan');
  });

  it('overlapping blocks → affinity-details fails naming both CIDRs', () => {
    let i = healthyInputs();
    i = withValue(i, 'ipamBlocks', [...blocksOf(i), block('192.168.18.96/27', undefined, [])]);
    const r = run({ ...i, ipamShow: absent('test') });
    expect(r['affinity-details'].status).toBe('fail');
    expect(r['affinity-details'].evidence['overlaps']).toEqual([['192.168.18.64/26', '192.168.18.96/27']]);
  });

  it('block outside the pool → affinity-details fails', () => {
    let i = healthyInputs();
    i = withValue(i, 'ipamBlocks', [...blocksOf(i), block('10.10.0.0/26', 'calico-ipam-worker', [])]);
    i = withValue(i, 'blockAffinities', [...(i.blockAffinities.ok ? i.blockAffinities.value : []), affinity('calico-ipam-worker', '10.10.0.0/26')]);
    const r = run(i);
    expect(r['affinity-details'].status).toBe('fail');
    expect(r['affinity-details'].summary).toContain('10.10.0.0/26 is outside the pool 192.168.0.0/16');
    expect(r['affinity-details'].evidence['blocksOutsidePool']).toEqual(['10.10.0.0/26']);
  });

  it.each(['pending', 'pendingDeletion'])('affinity %s → affinity-details fails with an explanation', (state) => {
    let i = healthyInputs();
    i = withValue(i, 'blockAffinities', (i.blockAffinities.ok ? i.blockAffinities.value : []).map((a) => (a.spec?.node === 'calico-ipam-worker' ? affinity('calico-ipam-worker', '192.168.131.128/26', state) : a)));
    const r = run(i);
    expect(r['affinity-details'].status).toBe('fail');
    expect(r['affinity-details'].summary).toMatch(new RegExp(`calico-ipam-worker-192-168-131-128-26: state ${state} — .{20,}`));
    expect(r['affinity-details'].hint).toBeDefined();
  });

  it('affinity deleted "true" → fail', () => {
    let i = healthyInputs();
    i = withValue(i, 'blockAffinities', (i.blockAffinities.ok ? i.blockAffinities.value : []).map((a, n) => (n === 0 ? { ...a, spec: { ...a.spec, deleted: 'true' } } : a)));
    expect(run(i)['affinity-details'].status).toBe('fail');
  });

  it('lesson-style affinity name ipam-block-affinity-… → block-affinities fails', () => {
    let i = healthyInputs();
    i = withValue(i, 'blockAffinities', (i.blockAffinities.ok ? i.blockAffinities.value : []).map((a, n) => (n === 0 ? { ...a, metadata: { name: 'ipam-block-affinity-192-168-18-64-26' } } : a)));
    const r = run(i);
    expect(r['block-affinities'].status).toBe('fail');
    expect(r['block-affinities'].summary).toContain('expected the name calico-ipam-control-plane-192-168-18-64-26');
  });

  it('duplicate pod IP → pod-ips fails naming both pods', () => {
    let i = healthyInputs();
    i = withValue(i, 'pods', [...(i.pods.ok ? i.pods.value : []), pod('default', 'twin', 'calico-ipam-control-plane', '192.168.18.66')]);
    const r = run(i);
    expect(r['pod-ips'].status).toBe('fail');
    expect(r['pod-ips'].evidence['duplicates']).toEqual([{ ip: '192.168.18.66', owners: [expect.stringContaining('coredns-5dd5756b68-8nx4d'), 'pod default/twin'] }]);
  });

  it('borrowed IP → pod-ips warns naming the borrowed block; nothing fails', () => {
    let i = healthyInputs();
    const cp = blocksOf(i).find((b) => b.spec?.cidr === '192.168.18.64/26')!;
    const borrowedBlock = block('192.168.18.64/26', 'calico-ipam-control-plane', [
      ...cp.spec!.attributes!.map((a, idx) => ({ ip: `192.168.18.${64 + cp.spec!.allocations!.indexOf(idx)}`, handle: a.handle_id!, secondary: a.secondary! })),
      { ip: '192.168.18.69', handle: 'k8s-pod-network.b0770e', secondary: { namespace: 'default', node: 'calico-ipam-worker2', pod: 'borrower' } },
    ]);
    i = withValue(i, 'ipamBlocks', blocksOf(i).map((b) => (b === cp ? borrowedBlock : b)));
    i = withValue(i, 'pods', [...(i.pods.ok ? i.pods.value : []), pod('default', 'borrower', 'calico-ipam-worker2', '192.168.18.69')]);
    i = withValue(i, 'ipamHandles', [...(i.ipamHandles.ok ? i.ipamHandles.value : []), { metadata: { name: 'k8s-pod-network.b0770e' }, spec: { handleID: 'k8s-pod-network.b0770e' } }]);
    i = { ...i, ipamShow: absent('test'), ipamCheck: absent('test') };
    const r = run(i);
    expect(r['pod-ips'].status).toBe('warn');
    expect(r['pod-ips'].summary).toContain('borrowed from block 192.168.18.64/26');
    expect(Object.values(r).filter((x) => x.status === 'fail').map((x) => x.id)).toEqual([]);
  });

  it('tigerastatus apiserver missing → fail; calico degraded → fail', () => {
    let i = healthyInputs();
    i = withValue(i, 'tigeraStatuses', (i.tigeraStatuses.ok ? i.tigeraStatuses.value : []).filter((t) => t.metadata.name !== 'apiserver'));
    expect(run(i)['tigerastatus'].summary).toContain('TigeraStatus apiserver is missing');
    let j = healthyInputs();
    const msg = 'Pod calico-system/calico-node-x7k2p failed to pull container image for: calico-node';
    j = withValue(j, 'tigeraStatuses', (j.tigeraStatuses.ok ? j.tigeraStatuses.value : []).map((t) =>
      t.metadata.name === 'calico' ? { ...t, status: { conditions: [{ type: 'Available', status: 'False', reason: 'PodFailure', message: msg }, { type: 'Degraded', status: 'True', reason: 'PodFailure', message: msg }] } } : t));
    const r = run(j)['tigerastatus'];
    expect(r.status).toBe('fail');
    expect(JSON.stringify(r.evidence)).toContain(msg);
  });

  it('ippools Degraded → a warning quoting its message', () => {
    let i = healthyInputs();
    const msg = 'Unable to modify IP pools while Calico API server is unavailable: ';
    i = withValue(i, 'tigeraStatuses', (i.tigeraStatuses.ok ? i.tigeraStatuses.value : []).map((t) =>
      t.metadata.name === 'ippools' ? { ...t, status: { conditions: [{ type: 'Available', status: 'False' }, { type: 'Degraded', status: 'True', reason: 'ResourceReadError', message: msg }] } } : t));
    const r = run(i)['tigerastatus'];
    expect(r.status).toBe('warn');
    expect(r.summary).toBe(`ippools: Degraded: ${msg}`);
  });

  it('node NotReady / wrong kubelet version → nodes fails', () => {
    let i = healthyInputs();
    i = withValue(i, 'nodes', (i.nodes.ok ? i.nodes.value : []).map((n) => (n.metadata.name === 'calico-ipam-worker' ? { ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false' }] } } : n)));
    expect(run(i)['nodes'].summary).toMatch(/^calico-ipam-worker: NotReady \(KubeletNotReady/);
    let j = healthyInputs();
    j = withValue(j, 'nodes', (j.nodes.ok ? j.nodes.value : []).map((n) => ({ ...n, status: { ...n.status, nodeInfo: { kubeletVersion: 'v1.27.3' } } })));
    const r = run(j)['nodes'];
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('kubelet v1.27.3, the image kindest/node:v1.28.0 ships v1.28.0');
  });

  it('expectations come from the lab model: a 4-node lab misses worker3', () => {
    const lab4: VerifyLab = { ...lessonLab, nodes: [...lessonLab.nodes, { name: 'calico-ipam-worker3', role: 'worker' }] };
    const r = run(healthyInputs(), lab4);
    expect(r['nodes'].summary).toContain('calico-ipam-worker3: no such Node');
    expect(r['topology'].status).toBe('fail');
    expect(r['node-blocks'].summary).toContain('calico-ipam-worker3 has no IPAM block');
  });

  it('kind network inside the pool → cidr-hygiene fails', () => {
    const i = withValue(healthyInputs(), 'kindSubnets', ['192.168.240.0/20', 'fc00:f853:ccd:e793::/64']);
    const r = run(i)['cidr-hygiene'];
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('the docker kind network 192.168.240.0/20 overlaps the pod pool 192.168.0.0/16');
  });

  it('a host route inside the service CIDR → cidr-hygiene fails', () => {
    const i = withValue(healthyInputs(), 'hostRoutes', [{ dst: 'default', dev: 'eth0' }, { dst: '10.96.5.0/24', dev: 'wg0' }]);
    expect(run(i)['cidr-hygiene'].summary).toContain('host route 10.96.5.0/24 dev wg0 overlaps the service CIDR 10.96.0.0/16');
  });

  it('calicoctl ipam show disagreeing with the blocks → ipam-pool fails', () => {
    const i = healthyInputs();
    const show = i.ipamShow.ok ? i.ipamShow.value : undefined;
    show!.rows[0] = { ...show!.rows[0]!, inUse: 13, free: 65523 };
    const r = run(i)['ipam-pool'];
    expect(r.status).toBe('fail');
    // The show output alone already disagrees with itself (pool line vs its block rows); and with the blocks.
    expect(r.evidence['problems']).toEqual([
      'calicoctl ipam show: the pool line says 13 in use, its 3 block rows add up to 12',
      'calicoctl ipam show: 13 in use, the pool\'s blocks hold 12 allocations',
    ]);
    expect(r.rules!.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['show-block-sums', 'show-matches-blocks']);
  });

  it('pool with another blockSize / vxlanMode → ipam-pool fails', () => {
    let i = healthyInputs();
    i = withValue(i, 'ippools', (i.ippools.ok ? i.ippools.value : []).map((p) => ({ ...p, spec: { ...p.spec, blockSize: 24, vxlanMode: 'Always' } })));
    const r = run(i)['ipam-pool'];
    expect(r.evidence['problems']).toEqual([expect.stringContaining('blockSize 24'), expect.stringContaining('vxlanMode Always, expected CrossSubnet')]);
  });

  it('the live Installation without the lab\'s pool → ipam-pool fails', () => {
    let i = healthyInputs();
    i = withValue(i, 'installations', [{ metadata: { name: 'default' }, spec: { calicoNetwork: { ipPools: [{ cidr: '10.244.0.0/16', blockSize: 26 }] } } }]);
    const r = run(i)['ipam-pool'];
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('Installation default has no ipPools entry for 192.168.0.0/16 (it has 10.244.0.0/16)');
  });

  it('an absent input → checks needing it are skipped with the reason', () => {
    const i = { ...healthyInputs(), containers: absent<never>('containerlab is not installed (not found on PATH)'), tigeraStatuses: absent<never>('no kubeconfig') };
    const r = run(i);
    expect(r['topology'].status).toBe('skip');
    expect(r['topology'].reason).toContain('containerlab is not installed');
    expect(r['tigerastatus'].status).toBe('skip');
    expect(r['nodes'].status).toBe('pass');
  });

  it('projectcalico.org/v3 affinities (no type, deleted omitted) are normalised and pass', () => {
    let i = healthyInputs();
    const v3 = (i.blockAffinities.ok ? i.blockAffinities.value : []).map((a) => normaliseAffinity({ apiVersion: 'projectcalico.org/v3', kind: 'BlockAffinity', metadata: a.metadata, spec: { state: a.spec!.state!, node: a.spec!.node!, cidr: a.spec!.cidr! } }).affinity);
    i = { ...i, blockAffinities: present(v3, 'kubectl (projectcalico.org/v3)') };
    const r = run(i);
    expect(r['affinity-details'].status).toBe('pass');
    expect(r['affinity-details'].evidence['shape']).toContain('projectcalico.org/v3');
  });
});

describe('selectChecks', () => {
  it('runs a subset in report order; unknown id → UsageError listing the ids', () => {
    expect(selectChecks(['pod-ips', 'nodes']).map((c) => c.id)).toEqual(['nodes', 'pod-ips']);
    expect(() => selectChecks(['ipam'])).toThrow(UsageError);
    try {
      selectChecks(['ipam']);
    } catch (e) {
      expect((e as UsageError).hint).toContain('topology, tigerastatus, nodes, ipam-pool');
    }
  });

  it('every check explains the exercise and gives a learner command', () => {
    for (const c of CHECKS) {
      expect(c.explain.length).toBeGreaterThan(80);
      expect(c.commands.length).toBeGreaterThan(0);
    }
    expect(CHECKS.find((c) => c.id === 'block-affinities')!.commands).toContain('kubectl get blockaffinities.crd.projectcalico.org -o yaml');
    expect(CHECKS.find((c) => c.id === 'ipam-pool')!.commands).toContain('calicoctl ipam show --show-blocks');
  });
});
