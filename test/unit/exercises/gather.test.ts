/** Sampling over the Pods list and the execs, with injected fakes (no cluster). */
import { describe, expect, it } from 'vitest';
import { absent, emptyInputs, present, type VerifyInputs } from '../../../src/calico/inputs.js';
import type { PodObject } from '../../../src/calico/types.js';
import { gatherSamples, matchesSelector, type ObserveSources } from '../../../src/exercises/gather.js';
import { exerciseSamples } from '../../../src/exercises/index.js';
import type { Sample } from '../../../src/exercises/types.js';
import { nodeNet, podNet, spec } from './world.js';

function p(name: string, node: string, ip: string, phase = 'Running', labels?: Record<string, string>): PodObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) }, spec: { nodeName: node }, status: { phase, podIP: ip } };
}

function fakes(fail: Set<string> = new Set()): ObserveSources & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pod: async (ref) => {
      calls.push(`pod ${ref.namespace}/${ref.name}`);
      if (fail.has(ref.name)) throw new Error(`pod ${ref.namespace}/${ref.name}: \`ip route\` exited 127`);
      return podNet();
    },
    node: async (name) => {
      calls.push(`node ${name}`);
      return nodeNet();
    },
  };
}

const withPods = (pods: PodObject[], key: 'pods' | 'workloadPods' = 'pods'): VerifyInputs => ({ ...emptyInputs('x'), [key]: present(pods, 'v1') }) as VerifyInputs;
const pod = (name: string): Sample => ({ kind: 'pod', pod: { namespace: 'default', name } });
const nodeOf = (name: string): Sample => ({ kind: 'node-of-pod', pod: { namespace: 'default', name } });

describe('gatherSamples', () => {
  it('execs into each sampled pod and each sampled node once, keyed by ns/name and node', async () => {
    const f = fakes();
    const got = await gatherSamples([pod('a'), nodeOf('a'), nodeOf('b'), pod('a')], withPods([p('a', 'w1', '192.168.8.69'), p('b', 'w1', '192.168.8.70')]), f);
    expect(f.calls.sort()).toEqual(['node w1', 'pod default/a']);
    expect(got.podSamples).toMatchObject({ ok: true, value: { 'default/a': { name: 'a', node: 'w1', podIP: '192.168.8.69' }, 'default/b': { name: 'b', node: 'w1' } } });
    expect(got.podNetworks.ok && Object.keys(got.podNetworks.value)).toEqual(['default/a']);
    expect(got.podNetworks.ok && got.podNetworks.value['default/a']!.node).toBe('w1');
    expect(got.nodeNetworks.ok && Object.keys(got.nodeNetworks.value)).toEqual(['w1']);
  });

  it('records a pod that does not exist or is not Running, and execs nothing for it', async () => {
    const f = fakes();
    const got = await gatherSamples([pod('gone'), pod('slow')], withPods([p('slow', 'w1', '192.168.8.71', 'Pending')]), f);
    expect(f.calls).toEqual([]);
    expect(got.podSamples.ok && got.podSamples.value).toEqual({
      'default/gone': { missing: 'no pod gone in default (kubectl -n default get pod gone)' },
      'default/slow': { missing: 'no Running pod matches slow in default (slow Pending)' },
    });
    expect(got.podNetworks).toEqual({ ok: false, reason: 'no sampled pod to exec into' });
  });

  it('makes the input failed when an exec fails, naming the pod and the command', async () => {
    const got = await gatherSamples([pod('a'), pod('b')], withPods([p('a', 'w1', '192.168.8.69'), p('b', 'w2', '192.168.8.70')]), fakes(new Set(['b'])));
    expect(got.podNetworks).toEqual({ ok: false, failed: true, reason: 'default/b: pod default/b: `ip route` exited 127' });
  });

  it('resolves a label selector to the first Running pod by name (Y\'s workloadPods, with labels)', async () => {
    const pods = [p('web-c', 'w2', '192.168.8.3', 'Running', { app: 'web' }), p('web-a', 'w1', '192.168.8.1', 'Pending', { app: 'web' }), p('web-b', 'w1', '192.168.8.2', 'Running', { app: 'web' }), p('db', 'w1', '192.168.8.4', 'Running', { app: 'db' })];
    const sel: Sample = { kind: 'pod', pod: { namespace: 'default', labelSelector: 'app=web' } };
    const got = await gatherSamples([sel], withPods(pods, 'workloadPods'), fakes());
    expect(got.podSamples.ok && got.podSamples.value['default?app=web']).toEqual({ namespace: 'default', name: 'web-b', node: 'w1', podIP: '192.168.8.2' });
    const none = await gatherSamples([{ kind: 'pod', pod: { namespace: 'default', labelSelector: 'app=multitool' } }], withPods(pods, 'workloadPods'), fakes());
    expect(none.podSamples.ok && none.podSamples.value['default?app=multitool']).toEqual({ missing: 'no Running pod matches app=multitool in default' });
    const noLabels = await gatherSamples([sel], withPods(pods), fakes());
    expect(noLabels.podSamples.ok && noLabels.podSamples.value['default?app=web']).toEqual({ missing: 'lab cannot resolve app=web in default: the Pods it read carry no labels' });
  });

  it('without a Pods list or exec, the inputs are absent (failed when reading failed)', async () => {
    const failed = { ...emptyInputs('x'), pods: absent('the API at https://127.0.0.1:6443: ECONNREFUSED', { failed: true }) } as VerifyInputs;
    const got = await gatherSamples([pod('a')], failed, fakes());
    expect(got.podNetworks).toEqual({ ok: false, failed: true, reason: 'needs the Pods list: the API at https://127.0.0.1:6443: ECONNREFUSED' });
    const noExec = await gatherSamples([pod('a')], withPods([p('a', 'w1', '192.168.8.69')]), { unavailable: 'no kubeconfig' });
    expect(noExec.podNetworks).toEqual({ ok: false, failed: true, reason: 'no kubeconfig' });
    expect(noExec.nodeNetworks.ok).toBe(false);
    const nothing = await gatherSamples([], failed, fakes());
    expect(nothing.podSamples).toEqual({ ok: false, reason: 'no exercise of this lesson needs it' });
  });
});

describe('label selectors and samples of a lesson', () => {
  it('matches equality, inequality, existence and negated existence', () => {
    const l = { app: 'web', tier: 'front' };
    expect(matchesSelector(l, 'app=web')).toBe(true);
    expect(matchesSelector(l, 'app==web,tier=front')).toBe(true);
    expect(matchesSelector(l, 'app=web,tier!=front')).toBe(false);
    expect(matchesSelector(l, 'tier')).toBe(true);
    expect(matchesSelector(l, '!tier')).toBe(false);
    expect(matchesSelector(undefined, 'app=web')).toBe(false);
  });
  it('collects each exercise sample once, only for the selected exercises', () => {
    const lesson = { exercises: [spec('pod-interface', { pod: 'multitool' }, 'a'), spec('pod-routes', { pod: 'multitool' }, 'b'), spec('node-pod-route', { pod: 'other' }, 'c')] };
    expect(exerciseSamples(lesson)).toEqual([pod('multitool'), nodeOf('multitool'), nodeOf('other')]);
    expect(exerciseSamples(lesson, new Set(['b']))).toEqual([pod('multitool')]);
  });
});
