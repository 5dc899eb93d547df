/** The workload controllers' rules on their own: tolerations, selectors, ClusterIP allocation, DaemonSet eligibility. */
import { describe, expect, test } from 'vitest';
import { ObjectStore, type StoredObject } from '../../src/sim/store.js';
import { daemonSetNodes, type NodeView } from '../../src/sim/workloads/controllers.js';
import { selectorMatches, tolerates, untolerated } from '../../src/sim/workloads/match.js';
import { admitService } from '../../src/sim/workloads/services.js';

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

describe('tolerations', () => {
  test.each([
    [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }, true],
    [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ key: 'node-role.kubernetes.io/master', operator: 'Exists' }, false],
    [{ key: 'node-role.kubernetes.io/control-plane', value: 'x' }, false],
    [{ key: 'node-role.kubernetes.io/control-plane', value: '' }, true],
    [{ effect: 'NoSchedule' }, false],
  ])('%j tolerates the control-plane taint: %s', (toleration, want) => {
    expect(tolerates(toleration, CP_TAINT)).toBe(want);
  });

  test('PreferNoSchedule taints never block', () => {
    expect(untolerated([{ key: 'a', effect: 'PreferNoSchedule' }, CP_TAINT], [])).toEqual([CP_TAINT]);
  });
});

test('label selectors: matchLabels and matchExpressions; a nil selector matches nothing', () => {
  const labels = { app: 'web', tier: 'front' };
  expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
  expect(selectorMatches({ matchLabels: { app: 'db' } }, labels)).toBe(false);
  expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true);
  expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
  expect(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  expect(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'Exists' }] }, labels)).toBe(false);
  expect(selectorMatches({}, labels)).toBe(true);
  expect(selectorMatches(undefined, labels)).toBe(false);
});

test('a DaemonSet runs where its nodeSelector matches and it tolerates the lasting taints (not the not-ready one)', () => {
  const nodes: NodeView[] = [
    { name: 'cp', labels: { role: 'cp' }, taints: [CP_TAINT, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
    { name: 'w1', labels: { role: 'w', disk: 'ssd' }, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
    { name: 'w2', labels: { role: 'w' }, taints: [] },
  ];
  const ds = (spec: Record<string, unknown>): StoredObject => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'x' }, spec: { template: { spec } } });
  expect(daemonSetNodes(ds({}), nodes).map((n) => n.name)).toEqual(['w1', 'w2']);
  expect(daemonSetNodes(ds({ tolerations: [{ key: CP_TAINT.key, operator: 'Exists', effect: 'NoSchedule' }] }), nodes).map((n) => n.name)).toEqual(['cp', 'w1', 'w2']);
  expect(daemonSetNodes(ds({ nodeSelector: { disk: 'ssd' } }), nodes).map((n) => n.name)).toEqual(['w1']);
});

test('ClusterIPs come from the service CIDR, never its network, .1, .10 or broadcast address, and never twice', () => {
  const store = new ObjectStore();
  const got: string[] = [];
  // a /28 has 16 addresses: 12 can be handed out
  for (let i = 0; i < 12; i += 1) {
    const svc: StoredObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'x' }, spec: { ports: [{ port: 80 }] } };
    admitService(store, '10.96.0.0/28', svc);
    const ip = (svc.spec as { clusterIP?: string }).clusterIP;
    expect(ip, `service ${i}`).toBeDefined();
    got.push(ip!);
    store.create({ group: '', resource: 'services' }, svc);
  }
  expect(new Set(got).size).toBe(12);
  for (const reserved of ['10.96.0.0', '10.96.0.1', '10.96.0.10', '10.96.0.15']) expect(got).not.toContain(reserved);
  expect(got.every((ip) => /^10\.96\.0\.\d+$/.test(ip))).toBe(true);
  const headless: StoredObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'h', namespace: 'x' }, spec: { clusterIP: 'None', ports: [{ port: 80, targetPort: 'http' }] } };
  admitService(store, '10.96.0.0/28', headless);
  expect(headless.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], type: 'ClusterIP', ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }] });
});
