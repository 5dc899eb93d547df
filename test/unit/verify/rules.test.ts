/**
 * The rule engine and the ten checks seen rule by rule: each input fed ALONE (with the lab's files)
 * and which rules then run; the mutations of issue 9 failing from the smallest input that shows them;
 * the exit-relevant outcomes (not-evaluated, not-applicable, failed reads, --strict, re-read once).
 */
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/calico/checks/index.js';
import { affinityFromName, completeInputs } from '../../../src/calico/derive.js';
import { absent, emptyInputs, present, type InputName, type VerifyInputs } from '../../../src/calico/inputs.js';
import { applyStrict, labMismatch, runChecks, runChecksWithReread, summaryLine } from '../../../src/calico/runner.js';
import { parseIpamShow } from '../../../src/calico/parse.js';
import type { CheckId, CheckResult } from '../../../src/calico/types.js';
import { fixture, healthyInputs, lessonLab } from './lesson-lab.js';

const check = (id: CheckId) => CHECKS.find((c) => c.id === id)!;

function only(keys: Partial<VerifyInputs>): VerifyInputs {
  return { ...emptyInputs('not given'), ...keys } as VerifyInputs;
}

function alone(name: InputName): VerifyInputs {
  const h = healthyInputs();
  return only({ [name]: h[name] } as Partial<VerifyInputs>);
}

function judge(id: CheckId, inputs: VerifyInputs): CheckResult {
  return runChecks([check(id)], lessonLab, inputs)[0]!;
}

const ran = (r: CheckResult): string[] => (r.rules ?? []).filter((x) => ['pass', 'warn', 'fail'].includes(x.status)).map((x) => x.id);
const failed = (r: CheckResult): string[] => (r.rules ?? []).filter((x) => x.status === 'fail').map((x) => x.id);

/** Hand-written: which rules each single input lets run (the rest are not evaluated). */
const ALONE: [CheckId, InputName, string[]][] = [
  ['topology', 'containers', ['nodes-running', 'node-image', 'node-address']],
  ['topology', 'kindSubnets', []],
  ['tigerastatus', 'tigeraStatuses', ['required-available', 'required-settled', 'others-healthy']],
  ['nodes', 'nodes', ['all-present', 'ready', 'roles', 'kubelet-version']],
  ['ipam-pool', 'ippools', ['pool-exists', 'pool-settings']],
  ['ipam-pool', 'installations', ['installation-pool']],
  ['ipam-pool', 'ipamBlocks', ['blocks-consistent']],
  ['ipam-pool', 'ipamShow', ['show-pool-line', 'show-block-sums']],
  ['block-affinities', 'blockAffinities', ['every-node-has-one', 'named-node-cidr']],
  ['affinity-details', 'blockAffinities', ['state-confirmed', 'not-deleted', 'affinity-cidrs']],
  ['affinity-details', 'ipamBlocks', ['blocks-in-pool']],
  ['affinity-details', 'ipamShow', ['show-blocks-in-pool']],
  ['node-blocks', 'ipamBlocks', ['every-node-has-block', 'blocks-owned-by-lab-nodes']],
  ['pod-ips', 'pods', ['unique', 'inside-pool']],
  ['pod-ips', 'nodes', []],
  ['pod-ips', 'ipamBlocks', []],
  ['cidr-hygiene', 'kindSubnets', ['pool-vs-services', 'kind-network']],
  ['cidr-hygiene', 'hostRoutes', ['pool-vs-services', 'host-routes']],
  ['ipam-check', 'ipamCheck', ['calicoctl-no-problems']],
  ['ipam-check', 'pods', []],
];

describe('each input alone: the rules it lets run pass on the healthy lab; the others are not evaluated', () => {
  it.each(ALONE)('%s from %s alone → %j', (id, name, rules) => {
    const r = judge(id, alone(name));
    expect(ran(r)).toEqual(rules);
    expect(failed(r)).toEqual([]);
    expect(r.status).toBe(rules.length === 0 ? 'skip' : 'pass');
    for (const x of r.rules!) if (!rules.includes(x.id)) expect(x.status, x.id).toBe('not-evaluated');
  });

  it('every check has at least two rules and 30+ rules in all; ids are unique per check', () => {
    for (const c of CHECKS) {
      expect(c.rules.length, c.id).toBeGreaterThanOrEqual(2);
      expect(new Set(c.rules.map((r) => r.id)).size).toBe(c.rules.length);
    }
    expect(CHECKS.reduce((s, c) => s + c.rules.length, 0)).toBeGreaterThanOrEqual(30);
  });

  it('with everything there, every rule runs except node routes (not given) and passes', () => {
    const results = runChecks(CHECKS, lessonLab, healthyInputs());
    const notRun = results.flatMap((r) => (r.rules ?? []).filter((x) => !['pass', 'warn', 'fail'].includes(x.status)).map((x) => `${r.id}/${x.id}`));
    expect(notRun).toEqual(['cidr-hygiene/node-routes']);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill('pass'));
  });
});

describe('the weaker views (what tables show) are judged by the same rules', () => {
  it('a blockaffinities table (names only): node and CIDR from <node>-<a-b-c-d-prefix>; state rules not evaluated', () => {
    expect(affinityFromName('calico-ipam-worker2-192-168-112-128-26')).toEqual({ name: 'calico-ipam-worker2-192-168-112-128-26', node: 'calico-ipam-worker2', cidr: '192.168.112.128/26' });
    expect(affinityFromName('ipam-block-affinity-7f3a')).toEqual({ name: 'ipam-block-affinity-7f3a' });
    const names = ['calico-ipam-control-plane-192-168-18-64-26', 'calico-ipam-worker-192-168-131-128-26', 'calico-ipam-worker2-192-168-112-128-26'].map(affinityFromName);
    const r = judge('affinity-details', only({ affinityNames: present(names, 'ba.txt:1') }));
    expect(ran(r)).toEqual(['affinity-cidrs']);
    expect(r.rules!.find((x) => x.id === 'state-confirmed')).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('BlockAffinities') });
    expect(judge('block-affinities', only({ affinityNames: present(names, 'ba.txt:1') })).status).toBe('pass');
  });

  it('a tigerastatus table with a blank AVAILABLE cell is "not available"', () => {
    const rows = [{ name: 'apiserver', available: 'True', progressing: 'False', degraded: 'False' }, { name: 'calico', progressing: 'True', degraded: 'False' }];
    const r = judge('tigerastatus', only({ tigeraRows: present(rows, 'ts.txt:1') }));
    expect(r.status).toBe('fail');
    expect(r.evidence['problems']).toEqual(['calico: Available=missing', 'calico: still Progressing — the operator is still rolling it out']);
  });

  it('a nodes table: status, roles and version judged', () => {
    const rows = [
      { name: 'calico-ipam-control-plane', status: 'Ready', roles: ['control-plane'], version: 'v1.28.0', internalIP: '172.18.0.3' },
      { name: 'calico-ipam-worker', status: 'NotReady', roles: [], version: 'v1.28.0', internalIP: '172.18.0.2' },
      { name: 'calico-ipam-worker2', status: 'Ready', roles: [], version: 'v1.28.0', internalIP: '172.18.0.4' },
    ];
    const r = judge('nodes', only({ nodeRows: present(rows, 'nodes.txt:1') }));
    expect(r.evidence['problems']).toEqual(['calico-ipam-worker: NotReady']);
  });

  it('a pods -o wide table: an IP outside the pool is a hostNetwork pod — unless the nodes\' InternalIPs say it is no node\'s', () => {
    const pods = [
      { namespace: 'kube-system', name: 'coredns-1', node: 'calico-ipam-control-plane', ip: '192.168.18.66' },
      { namespace: 'kube-system', name: 'kube-proxy-a', node: 'calico-ipam-worker', ip: '172.18.0.2' },
      { namespace: 'kube-system', name: 'kube-proxy-b', node: 'calico-ipam-worker2', ip: '172.18.0.2' },
      { namespace: 'default', name: 'odd', node: 'calico-ipam-worker2', ip: '10.1.2.3' },
    ];
    const r1 = judge('pod-ips', only({ podRows: present(pods, 'pods.txt:1') }));
    expect(r1.status).toBe('pass'); // two hostNetwork pods on one node IP are not duplicates
    const nodes = [{ name: 'calico-ipam-worker', status: 'Ready', roles: [], internalIP: '172.18.0.2' }];
    const r2 = judge('pod-ips', only({ podRows: present(pods, 'pods.txt:1'), nodeRows: present(nodes, 'nodes.txt:1') }));
    expect(r2.evidence['problems']).toEqual(['pod default/odd: 10.1.2.3 is outside the pool 192.168.0.0/16 and is no node\'s InternalIP (so not a hostNetwork pod)']);
  });

  it('pods table + affinities: a pod IP in another node\'s block is a borrowed-IP warning', () => {
    const pods = [{ namespace: 'default', name: 'b', node: 'calico-ipam-worker2', ip: '192.168.18.69' }];
    const names = ['calico-ipam-control-plane-192-168-18-64-26', 'calico-ipam-worker2-192-168-112-128-26'].map(affinityFromName);
    const r = judge('pod-ips', only({ podRows: present(pods, 'pods.txt:1'), affinityNames: present(names, 'ba.txt:1') }));
    expect(r.status).toBe('warn');
    expect(r.summary).toBe('pod default/b on calico-ipam-worker2: 192.168.18.69 is borrowed from block 192.168.18.64/26 (affine to calico-ipam-control-plane)');
  });

  it('calicoctl ipam check text without --show-problem-ips: a failing rule says the IPs are not listed and how to get them', () => {
    const text = { problems: 1, leaked: 1, complete: true, problemIpsListed: 'no' as const, leakedIps: [], noAllocationIps: [], orphanHandles: [] };
    const r = judge('ipam-check', only({ ipamCheckText: present(text, 'check.txt:3') }));
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('1 IP allocated in IPAM but not in use — the IPs are not listed in this output: run `calicoctl ipam check --show-problem-ips` to see them');
  });
});

const showWith = (rows: string): ReturnType<typeof parseIpamShow> =>
  parseIpamShow(`+----------+------+-----------+------------+----------+\n| GROUPING | CIDR | IPS TOTAL | IPS IN USE | IPS FREE |\n+----------+------+-----------+------------+----------+\n${rows}+----------+------+-----------+------------+----------+\n`);

describe('mutations fail from the smallest input that shows them', () => {
  it('pending affinity ← BlockAffinities alone', () => {
    const h = healthyInputs();
    const list = (h.blockAffinities.ok ? h.blockAffinities.value : []).map((a, i) => (i === 1 ? { ...a, spec: { ...a.spec, state: 'pending' } } : a));
    const r = judge('affinity-details', only({ blockAffinities: present(list, 'ba.yaml') }));
    expect(failed(r)).toEqual(['state-confirmed']);
    expect(r.summary).toMatch(/^calico-ipam-worker-192-168-131-128-26: state pending — /);
  });

  it.each([
    ['block outside the pool', 'calico-ipam-worker-10-10-0-0-26', 'calico-ipam-worker-10-10-0-0-26: 10.10.0.0/26 is outside the pool 192.168.0.0/16'],
    ['wrong prefix', 'calico-ipam-worker-192-168-7-0-24', "calico-ipam-worker-192-168-7-0-24: /24 block, the pool's blockSize is 26"],
  ])('%s ← a blockaffinities table alone', (_what, name, message) => {
    const names = ['calico-ipam-control-plane-192-168-18-64-26', name].map(affinityFromName);
    const r = judge('affinity-details', only({ affinityNames: present(names, 'ba.txt:1') }));
    expect(failed(r)).toEqual(['affinity-cidrs']);
    expect(r.evidence['problems']).toEqual([message]);
  });

  it('overlap ← a blockaffinities table alone', () => {
    const names = ['calico-ipam-control-plane-192-168-18-64-26', 'calico-ipam-worker-192-168-18-96-27'].map(affinityFromName);
    const r = judge('affinity-details', only({ affinityNames: present(names, 'ba.txt:1') }));
    expect(r.evidence['problems']).toContain('affinities calico-ipam-control-plane-192-168-18-64-26 (192.168.18.64/26) and calico-ipam-worker-192-168-18-96-27 (192.168.18.96/27) overlap');
  });

  it('block outside the pool and overlap ← calicoctl ipam show --show-blocks alone (membership by containment, not position)', () => {
    // calicoctl prints a block of no pool after the last pool's rows, with no pool row of its own.
    const show = showWith('| IP Pool  | 192.168.0.0/16 | 65536 | 5 (0%) | 65531 (100%) |\n| Block    | 192.168.18.64/26 | 64 | 4 (6%) | 60 (94%) |\n| Block    | 192.168.18.96/27 | 32 | 1 (3%) | 31 (97%) |\n| Block    | 10.10.0.0/26 | 64 | 1 (2%) | 63 (98%) |\n');
    const r = judge('affinity-details', only({ ipamShow: present(show, 'show.txt:1') }));
    expect(failed(r)).toEqual(['show-blocks-in-pool']);
    expect(r.evidence['problems']).toEqual([
      'calicoctl ipam show lists block 10.10.0.0/26: 10.10.0.0/26 is outside the pool 192.168.0.0/16',
      "calicoctl ipam show lists block 192.168.18.96/27: /27 block, the pool's blockSize is 26",
      'calicoctl ipam show lists blocks 192.168.18.64/26 and 192.168.18.96/27, which overlap',
    ]);
    // The pool line sums only the blocks inside it: 4 + 1, not the outside one.
    expect(failed(judge('ipam-pool', only({ ipamShow: present(show, 'show.txt:1') })))).toEqual([]);
  });

  it('ipam show pool line: wrong total or free ← the pool line alone; %.5g counts compare at that precision', () => {
    const bad = showWith('| IP Pool  | 192.168.0.0/16 | 65535 | 12 (0%) | 65520 (100%) |\n');
    expect(judge('ipam-pool', only({ ipamShow: present(bad, 's') })).evidence['problems']).toEqual([
      'calicoctl ipam show: total 65535, expected 2^(32−16) = 65536',
      'calicoctl ipam show: 65520 free, expected 65536 − 12 = 65524',
    ]);
    const big = showWith('| IP Pool  | 10.0.0.0/12 | 1.0486e+06 | 12 (0%) | 1.0486e+06 (100%) |\n');
    const lab12 = { ...lessonLab, pool: { ...lessonLab.pool, cidr: '10.0.0.0/12' }, serviceSubnet: '10.96.0.0/16' };
    const r = runChecks([check('ipam-pool')], lab12, only({ ipamShow: present(big, 's') }))[0]!;
    expect(r.rules!.find((x) => x.id === 'show-pool-line')!.status).toBe('pass');
  });

  it('duplicated pod IP ← a pods table alone', () => {
    const pods = [
      { namespace: 'default', name: 'a', node: 'calico-ipam-worker', ip: '192.168.131.130' },
      { namespace: 'default', name: 'b', node: 'calico-ipam-worker2', ip: '192.168.131.130' },
    ];
    const r = judge('pod-ips', only({ podRows: present(pods, 'pods.txt:1') }));
    expect(failed(r)).toEqual(['unique']);
    expect(r.summary).toBe('192.168.131.130 is used by pod default/a and pod default/b');
  });

  it.each([
    ['Degraded', { available: 'False', progressing: 'False', degraded: 'True', message: 'Pod calico-system/calico-node-x failed to pull' }, ['required-available', 'required-settled']],
    ['Progressing', { available: 'True', progressing: 'True', degraded: 'False' }, ['required-settled']],
  ])('%s TigeraStatus ← the tigerastatus table alone', (_what, cells, rules) => {
    const rows = [{ name: 'apiserver', available: 'True', progressing: 'False', degraded: 'False' }, { name: 'calico', ...cells }];
    expect(failed(judge('tigerastatus', only({ tigeraRows: present(rows, 'ts.txt:1') })))).toEqual(rules);
  });

  it('node network overlapping the pool ← one node\'s ip route alone; Calico\'s own routes in the pool are expected', () => {
    const calicoOwn = [
      { dst: 'default', dev: 'eth0', proto: 'kernel' },
      { dst: '192.168.18.64/26', type: 'blackhole', proto: '80' },
      { dst: '192.168.18.65', dev: 'cali1234abcd', scope: 'link' },
      { dst: '192.168.131.128/26', dev: 'eth0', proto: '80' },
      { dst: '192.168.112.128/26', dev: 'vxlan.calico' },
    ];
    const ok = judge('cidr-hygiene', only({ nodeRoutes: present({ 'calico-ipam-worker': [...calicoOwn, { dst: '172.18.0.0/16', dev: 'eth0', proto: 'kernel', scope: 'link' }] }, 'routes.txt:4') }));
    expect(ok.status).toBe('pass');
    const bad = judge('cidr-hygiene', only({ nodeRoutes: present({ 'calico-ipam-worker': [...calicoOwn, { dst: '192.168.0.0/20', dev: 'eth0', proto: 'kernel', scope: 'link' }] }, 'routes.txt:4') }));
    expect(failed(bad)).toEqual(['node-routes']);
    expect(bad.summary).toBe('calico-ipam-worker: route 192.168.0.0/20 dev eth0 overlaps the pod pool 192.168.0.0/16 — the node network collides with it');
  });
});

describe('outcomes the exit status rests on', () => {
  it('a check is skip only when none of its rules ran; absence never counts as a pass', () => {
    const r = judge('node-blocks', only({}));
    expect(r.status).toBe('skip');
    expect(r.rules!.map((x) => x.status)).toEqual(['not-evaluated', 'not-evaluated']);
    expect(r.reason).toContain('IPAMBlocks (kubectl get ipamblocks.crd.projectcalico.org): not given');
  });

  it('an input whose read failed fails the rules needing it (naming the error); a derived view fails the same', () => {
    const r = judge('nodes', only({ nodes: absent('the API at https://127.0.0.1:6443: connect ECONNREFUSED', { failed: true }) }));
    expect(r.status).toBe('fail');
    expect(r.rules!.every((x) => x.status === 'fail')).toBe(true);
    expect(r.summary).toContain('connect ECONNREFUSED');
  });

  it('a not-applicable input makes its rules not applicable, not failed; --strict (live) fails them', () => {
    const inputs = { ...healthyInputs(), ipamCheck: absent<never>('calicoctl v3.30.0 is not pinned for darwin-arm64', { notApplicable: true }) };
    const r = runChecks([check('ipam-check')], lessonLab, inputs);
    expect(r[0]!.rules!.map((x) => x.status)).toEqual(['not-applicable', 'pass']);
    expect(r[0]!.status).toBe('pass');
    const strict = applyStrict(r, { notApplicable: true });
    expect(strict[0]!.status).toBe('fail');
    expect(applyStrict(r, { notApplicable: false })[0]!.status).toBe('pass');
  });

  it('--strict turns not-evaluated rules into failures', () => {
    const r = applyStrict(runChecks([check('affinity-details')], lessonLab, alone('ipamBlocks')), { notApplicable: false });
    expect(r[0]!.status).toBe('fail');
    expect(r[0]!.rules!.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['state-confirmed', 'not-deleted', 'affinity-cidrs', 'block-affine-same-node', 'show-blocks-in-pool']);
  });

  it('the human summary line counts checks and rules', () => {
    const results = runChecks(CHECKS, lessonLab, { ...healthyInputs(), ipamShow: absent<never>('not given'), kindSubnets: absent<never>('x', { notApplicable: true }) });
    // 39 rules; no ipamShow: the 4 show rules + node-routes not evaluated; no kind network here: 2 not applicable.
    expect(summaryLine(results)).toBe('10 passed, 0 warnings, 0 failed, 0 skipped · 32 of 39 rules evaluated (5 not: inputs absent, 2 not applicable)');
  });

  it('a failure comparing two reads is re-read once; a second read that agrees passes', async () => {
    const h = healthyInputs();
    const show = h.ipamShow.ok ? h.ipamShow.value : undefined;
    const moved = { ...h, ipamShow: present({ ...show!, rows: show!.rows.map((r) => (r.grouping === 'IP Pool' ? { ...r, inUse: 13, free: 65523 } : r.cidr === '192.168.18.64/26' ? { ...r, inUse: 6, free: 58 } : r)) }, 'calicoctl ipam show --show-blocks') };
    const asked: string[][] = [];
    const out = await runChecksWithReread([check('ipam-pool')], lessonLab, moved, async (names) => {
      asked.push([...names].sort());
      return { ipamShow: h.ipamShow };
    });
    expect(asked).toEqual([['ipamBlocks', 'ipamShow']]);
    expect(out.results[0]!.status).toBe('pass');
    expect(out.results[0]!.rules!.find((x) => x.id === 'show-matches-blocks')).toMatchObject({ status: 'pass', reread: true });
    // A failure inside one read (the show output disagreeing with itself) is not re-read.
    const still = await runChecksWithReread([check('ipam-pool')], lessonLab, only({ ipamShow: moved.ipamShow }), async () => {
      throw new Error('must not re-read');
    });
    expect(still.results[0]!.status).toBe('pass');
  });

  it('derived views never overwrite what was read', () => {
    const rows = [{ name: 'calico', available: 'False' }];
    const all = completeInputs({ ...healthyInputs(), tigeraRows: present(rows, 'table') });
    expect(all.tigeraRows).toEqual(present(rows, 'table'));
  });

  it('outputs naming no node of the lab: say which lab was assumed and suggest --topology', () => {
    const names = ['kind-control-plane-192-168-1-0-26', 'kind-worker-192-168-2-0-26'].map(affinityFromName);
    expect(labMismatch(lessonLab, only({ affinityNames: present(names, 'x') }), false)).toBe(
      'the outputs name nodes (kind-control-plane, kind-worker) that are not nodes of the lab calico-ipam (calico-ipam-control-plane, calico-ipam-worker, calico-ipam-worker2), which verify assumed: pass --topology <file> of the lab the outputs come from',
    );
    expect(labMismatch(lessonLab, healthyInputs(), false)).toBeUndefined();
  });

  it('the healthy show fixture feeds the pool line and the block sums alone', () => {
    const r = judge('ipam-pool', only({ ipamShow: present(parseIpamShow(fixture('calicoctl-ipam-show-blocks.txt')), 'f') }));
    expect(r.summary).toBe('default-ipv4-ippool 192.168.0.0/16: 65536 total, 12 in use (0%), 65524 free');
  });
});

describe('lab verify --help', () => {
  it('documents --strict and the exit status', async () => {
    const { helpText } = await import('../../../src/cli/help.js');
    const text = helpText('verify');
    expect(text).toContain('--strict');
    expect(text).toContain('Exit status:');
    expect(text).toMatch(/3 {2}live: docker or containerlab missing, or no container of the lab/);
  });
});

describe('calicoctl ipam check -o report: leakedHandles are HandleInfo objects (audit F-5)', () => {
  it('a leaked handle {ID, UID, Revision} is printed by its ID', async () => {
    const { parseIpamCheckReport } = await import('../../../src/calico/parse.js');
    const raw = JSON.parse(fixture('calicoctl-ipam-check-report.json')) as Record<string, unknown>;
    // calico v3.30 check.go: LeakedHandles []HandleInfo; HandleInfo{ID string; UID *types.UID; Revision string}, no JSON tags.
    const report = parseIpamCheckReport({ ...raw, leakedHandles: [{ ID: 'k8s-pod-network.5e1f0c', UID: null, Revision: '4711' }] });
    expect(report.leakedHandles).toEqual(['k8s-pod-network.5e1f0c']);
    const r = judge('ipam-check', only({ ipamCheck: present(report, 'report.json') }));
    expect(r.summary).toBe('1 handle with no matching IPs: k8s-pod-network.5e1f0c');
  });
});
