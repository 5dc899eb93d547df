/**
 * The conformance report of a real-world run (issue 11 §4): for the same lab, what the simulated
 * world and the real one show — TigeraStatus condition sequences and messages, the field shapes of
 * IPPool / IPAMBlock / BlockAffinity / IPAMHandle / Node / Pod, the first block of each node, the
 * `calicoctl ipam show` tables — and every difference, each listed as accepted (with the reason) or
 * open. Written as conformance.json + conformance.md in the run's artifacts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kube, Obj } from '../../src/real/kube.js';
import type { ObjectStore, StoredObject } from '../../src/sim/store.js';
import { startTestWorld } from './world.js';
import type { RealTestWorld } from './real-world.js';

export interface ConditionStep {
  name: string;
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** Records each TigeraStatus condition change (name/type → status, reason, message), in order. */
export class ConditionLog {
  readonly steps: ConditionStep[] = [];
  private readonly last = new Map<string, string>();

  observe(items: { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }[]): void {
    for (const item of items) {
      for (const c of item.status?.conditions ?? []) {
        const key = `${item.metadata?.name}/${c.type}`;
        const value = `${c.status}|${c.reason ?? ''}|${c.message ?? ''}`;
        if (this.last.get(key) === value) continue;
        this.last.set(key, value);
        this.steps.push({ name: item.metadata?.name ?? '', type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '' });
      }
    }
  }
}

/** Poll a real API's TigeraStatus list every second until stopped. */
export function pollRealConditions(kube: () => Kube | undefined): { log: ConditionLog; stop(): void } {
  const log = new ConditionLog();
  const timer = setInterval(() => {
    const k = kube();
    if (!k) return;
    k.list('/apis/operator.tigera.io/v1/tigerastatuses').then((items) => log.observe(items as never), () => undefined);
  }, 1_000);
  return { log, stop: () => clearInterval(timer) };
}

/** Field paths and JSON types of an object (arrays as `[]`; values of maps with free keys as `*`). */
export function shape(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  const set = (p: string, type: string): void => {
    const had = out.get(p);
    out.set(p, had === undefined || had === type ? type : [...new Set([...had.split('|'), type])].sort().join('|'));
  };
  const freeKeys = /(^|\.)(labels|annotations|data|capacity|allocatable|nodeSelector|matchLabels|sequenceNumberForAllocation|block)$/;
  if (Array.isArray(value)) {
    set(path, 'array');
    for (const v of value) shape(v, `${path}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    set(path, 'object');
    for (const [k, v] of Object.entries(value)) {
      if (k === 'managedFields') continue; // server bookkeeping, not the object's shape
      shape(v, `${path}${path === '' ? '' : '.'}${freeKeys.test(path) ? '*' : k}`, out);
    }
  } else set(path, value === null ? 'null' : typeof value);
  out.delete('');
  return out;
}

function unionShape(objs: unknown[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objs) shape(o, '', out);
  return out;
}

const KINDS: { kind: string; path: string; sim: { group: string; resource: string } }[] = [
  { kind: 'IPPool', path: '/apis/crd.projectcalico.org/v1/ippools', sim: { group: 'crd.projectcalico.org', resource: 'ippools' } },
  { kind: 'IPAMBlock', path: '/apis/crd.projectcalico.org/v1/ipamblocks', sim: { group: 'crd.projectcalico.org', resource: 'ipamblocks' } },
  { kind: 'BlockAffinity', path: '/apis/crd.projectcalico.org/v1/blockaffinities', sim: { group: 'crd.projectcalico.org', resource: 'blockaffinities' } },
  { kind: 'IPAMHandle', path: '/apis/crd.projectcalico.org/v1/ipamhandles', sim: { group: 'crd.projectcalico.org', resource: 'ipamhandles' } },
  { kind: 'Node', path: '/api/v1/nodes', sim: { group: '', resource: 'nodes' } },
  { kind: 'Pod', path: '/api/v1/pods', sim: { group: '', resource: 'pods' } },
];

/** Differences we know and accept, with the reason (anything else is listed as open). */
const ACCEPTED: { match: RegExp; reason: string }[] = [
  { match: /^Node .*status\.nodeInfo\.(bootID|machineID|systemUUID)/, reason: 'kwok stages of the real world do not invent per-node IDs; the simulated kind node has them' },
  { match: /^Node .*status\.images/, reason: 'no container runtime in the real world: no image list' },
  { match: /^Pod .*status\.containerStatuses\[\]\.(imageID|containerID|lastState)/, reason: 'no container runtime in the real world (kwok reports containers without IDs)' },
  { match: /^Pod .*status\.qosClass/, reason: 'set by the real API server from requests; the simulated pods set it by hand' },
  { match: /^Pod .*spec\.(volumes|containers\[\]\.volumeMounts|containers\[\]\.(terminationMessage|resources)|enableServiceLinks|securityContext|terminationGracePeriodSeconds|dnsPolicy|preemptionPolicy|priority$)/, reason: 'defaults and projected token volumes added by the real API server admission; the simulated API server does not default pods' },
  { match: /^TigeraStatus /, reason: 'the simulated operator compresses the reconcile loop; its messages follow the real operator but its intermediate steps are fewer' },
];

interface Facts {
  conditions: ConditionStep[];
  finalConditions: Record<string, ConditionStep[]>;
  shapes: Record<string, Record<string, string>>;
  firstBlocks: Record<string, string[]>;
  ipamShow: string;
}

function affinityMap(affinities: { spec?: { node?: string; cidr?: string } }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of affinities) (out[a.spec?.node ?? '?'] ??= []).push(a.spec?.cidr ?? '?');
  for (const v of Object.values(out)) v.sort();
  return out;
}

function finalOf(items: Obj[]): Record<string, ConditionStep[]> {
  const out: Record<string, ConditionStep[]> = {};
  for (const i of items as { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }[]) {
    out[i.metadata?.name ?? ''] = (i.status?.conditions ?? []).map((c) => ({ name: i.metadata?.name ?? '', type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '' }));
  }
  return out;
}

async function realFacts(t: RealTestWorld, conditions: ConditionStep[]): Promise<Facts> {
  const kube = t.world.controlPlane()?.kube;
  if (!kube) throw new Error('conformance: the real cluster is not up');
  const shapes: Facts['shapes'] = {};
  for (const k of KINDS) shapes[k.kind] = Object.fromEntries(unionShape(await kube.list(k.path)));
  const calicoctl = t.world.bins.get('calicoctl')?.path ?? 'calicoctl';
  const show = await t.run(calicoctl, ['ipam', 'show', '--show-blocks'], { env: { KUBECONFIG: t.world.controlPlane()?.kubeconfigs.admin ?? '', DATASTORE_TYPE: 'kubernetes' } });
  return {
    conditions,
    finalConditions: finalOf(await kube.list('/apis/operator.tigera.io/v1/tigerastatuses')),
    shapes,
    firstBlocks: affinityMap((await kube.list('/apis/crd.projectcalico.org/v1/blockaffinities')) as never),
    ipamShow: show.stdout + show.stderr,
  };
}

async function simFacts(): Promise<Facts> {
  const s = await startTestWorld();
  try {
    const store: ObjectStore = s.world.store;
    const log = new ConditionLog();
    const ts = { group: 'operator.tigera.io', resource: 'tigerastatuses' };
    const unwatch = store.watch(ts, () => log.observe(store.list(ts).items as never));
    const r = await s.runLab(['deploy', '--topology', s.topology]);
    unwatch();
    if (r.exitCode !== 0) throw new Error(`conformance: lab deploy in the simulated world exited ${r.exitCode}: ${r.stderr.slice(-500)}`);
    const shapes: Facts['shapes'] = {};
    for (const k of KINDS) shapes[k.kind] = Object.fromEntries(unionShape(store.list(k.sim).items));
    const show = await s.run('calicoctl', ['ipam', 'show', '--show-blocks']);
    return {
      conditions: log.steps,
      finalConditions: finalOf(store.list(ts).items as StoredObject[] as Obj[]),
      shapes,
      firstBlocks: affinityMap(store.list({ group: 'crd.projectcalico.org', resource: 'blockaffinities' }).items as never),
      ipamShow: show.stdout + show.stderr,
    };
  } finally {
    await s.close();
  }
}

export interface Difference {
  what: string;
  sim: string;
  real: string;
  verdict: string;
}

export function differences(sim: Facts, real: Facts): Difference[] {
  const out: Difference[] = [];
  const judge = (what: string): string => ACCEPTED.find((a) => a.match.test(what))?.reason ?? '';
  const add = (what: string, s: string, r: string): void => {
    const reason = judge(what);
    out.push({ what, sim: s, real: r, verdict: reason === '' ? 'open' : `accepted: ${reason}` });
  };
  for (const k of KINDS) {
    const a = sim.shapes[k.kind] ?? {};
    const b = real.shapes[k.kind] ?? {};
    for (const p of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[p] !== b[p]) add(`${k.kind} ${p}`, a[p] ?? '(absent)', b[p] ?? '(absent)');
  }
  for (const node of new Set([...Object.keys(sim.firstBlocks), ...Object.keys(real.firstBlocks)])) {
    const s = (sim.firstBlocks[node] ?? []).join(' ');
    const r = (real.firstBlocks[node] ?? []).join(' ');
    if (s !== r) add(`first block of ${node}`, s || '(none)', r || '(none)');
  }
  for (const name of new Set([...Object.keys(sim.finalConditions), ...Object.keys(real.finalConditions)])) {
    const fmt = (cs: ConditionStep[] | undefined): string => (cs ?? []).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('; ');
    const s = fmt(sim.finalConditions[name]);
    const r = fmt(real.finalConditions[name]);
    if (s !== r) add(`TigeraStatus ${name} final conditions`, s || '(absent)', r || '(absent)');
  }
  return out;
}

function markdown(sim: Facts, real: Facts, diffs: Difference[]): string {
  const seq = (f: Facts): string => f.conditions.map((c) => `| ${c.name} | ${c.type} | ${c.status} | ${c.reason} | ${c.message.replaceAll('|', '\\|').slice(0, 160)} |`).join('\n');
  const blocks = (f: Facts): string => Object.entries(f.firstBlocks).map(([n, b]) => `| ${n} | ${b.join(' ')} |`).join('\n');
  return [
    '# Conformance: the simulated world against the real one',
    '',
    `Written ${new Date().toISOString()} by \`npm run test:real\`. Same lab: topology/01-calico-ipam/calico-ipam.clab.yaml.`,
    '',
    `## Differences (${diffs.length}; ${diffs.filter((d) => d.verdict === 'open').length} open)`,
    '',
    '| what | simulated | real | verdict |',
    '| --- | --- | --- | --- |',
    ...diffs.map((d) => `| ${d.what} | ${d.sim.replaceAll('|', '\\|').slice(0, 200)} | ${d.real.replaceAll('|', '\\|').slice(0, 200)} | ${d.verdict} |`),
    '',
    '## TigeraStatus condition sequence — simulated',
    '',
    '| name | type | status | reason | message |',
    '| --- | --- | --- | --- | --- |',
    seq(sim),
    '',
    '## TigeraStatus condition sequence — real (polled every second)',
    '',
    '| name | type | status | reason | message |',
    '| --- | --- | --- | --- | --- |',
    seq(real),
    '',
    '## First blocks per node (BlockAffinity) — simulated | real',
    '',
    '| node | blocks |',
    '| --- | --- |',
    blocks(sim),
    '',
    '| node | blocks |',
    '| --- | --- |',
    blocks(real),
    '',
    '## `calicoctl ipam show --show-blocks` — simulated',
    '',
    '```',
    sim.ipamShow.trimEnd(),
    '```',
    '',
    '## `calicoctl ipam show --show-blocks` — real',
    '',
    '```',
    real.ipamShow.trimEnd(),
    '```',
    '',
  ].join('\n');
}

/** Collect both worlds' facts and write conformance.json + conformance.md into `dir`. */
export async function writeConformance(t: RealTestWorld, dir: string, conditions: ConditionStep[]): Promise<string> {
  const real = await realFacts(t, conditions);
  const sim = await simFacts();
  const diffs = differences(sim, real);
  writeFileSync(join(dir, 'conformance.json'), `${JSON.stringify({ sim, real, differences: diffs }, null, 2)}\n`);
  const md = join(dir, 'conformance.md');
  writeFileSync(md, markdown(sim, real, diffs));
  return md;
}
