/** The workloads steps' pure parts: apply order and errors (file:line), validate, watch groups, status. */
import { describe, expect, it } from 'vitest';
import type { KubeObject, ManifestDocument, WorkloadWait } from '../../../src/lab/model.js';
import { KubeApiError } from '../../../src/kube/client.js';
import { InputError, StepFailedError } from '../../../src/errors.js';
import { applyOrder, applyWorkloads } from '../../../src/deploy/steps/workloads.js';
import { validateWorkloads } from '../../../src/deploy/steps/validate.js';
import { watchGroups, workloadStates } from '../../../src/deploy/steps/wait-workloads.js';
import { workloadStatus } from '../../../src/deploy/status.js';

const doc = (file: string, line: number, kind: string, name: string, namespace?: string, apiVersion = kind === 'Deployment' || kind === 'DaemonSet' ? 'apps/v1' : 'v1'): ManifestDocument => ({
  file,
  line,
  object: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } },
});

const tools = '/labs/02-pod-network/tools';
const docs = [doc(`${tools}/a.yaml`, 1, 'Deployment', 'web', 'lesson'), doc(`${tools}/a.yaml`, 20, 'Service', 'web', 'lesson'), doc(`${tools}/b.yaml`, 1, 'Namespace', 'lesson')];

describe('applying the workloads', () => {
  it('Namespaces first, then file and document order', () => {
    expect(applyOrder(docs).map((d) => `${d.object.kind}/${d.object.metadata.name}`)).toEqual(['Namespace/lesson', 'Deployment/web', 'Service/web']);
  });

  it('applies each document once, in that order, after re-reading discovery', async () => {
    const applied: string[] = [];
    let invalidated = 0;
    const client = { invalidateDiscovery: () => void (invalidated += 1), apply: async (o: KubeObject) => (applied.push(o.kind), o) };
    expect(await applyWorkloads(client, docs, { deadline: Date.now() + 1_000 })).toBe(3);
    expect(applied).toEqual(['Namespace', 'Deployment', 'Service']);
    expect(invalidated).toBe(1);
  });

  it('a kind the cluster does not serve names the lesson file:line and stops there', async () => {
    const bad = doc(`${tools}/c.yaml`, 7, 'Deploymnet', 'typo', 'lesson', 'apps/v1');
    const applied: string[] = [];
    const client = {
      invalidateDiscovery: () => undefined,
      apply: async (o: KubeObject) => {
        if (o.kind === 'Deploymnet') throw new KubeApiError(`the server does not serve ${o.kind} in ${o.apiVersion} (is its CRD installed and Established?)`, 404, undefined, 'NotFound');
        applied.push(o.kind);
        return o;
      },
    };
    const error = await applyWorkloads(client, [bad, docs[1]!], { deadline: Date.now() + 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailedError);
    expect((error as Error).message).toBe(`${tools}/c.yaml:7: the cluster does not serve kind Deploymnet in apps/v1 (Deploymnet lesson/typo)`);
    expect((error as StepFailedError).hint).toMatch(/c\.yaml:7/);
    expect(applied).toEqual([]);
  });

  it('a rejected object (422) names file:line and carries the API message', async () => {
    const client = { invalidateDiscovery: () => undefined, apply: async () => Promise.reject(new KubeApiError('PATCH /apis/apps/v1/namespaces/lesson/deployments/web: HTTP 422: Deployment.apps "web" is invalid: spec.selector: Required value', 422, undefined, 'Invalid')) };
    const error = (await applyWorkloads(client, [docs[0]!], { deadline: Date.now() + 1_000 }).catch((e: unknown) => e)) as StepFailedError;
    expect(error.message).toBe(`${tools}/a.yaml:1: server-side apply of Deployment lesson/web failed`);
    expect(error.details.join('\n')).toMatch(/spec\.selector: Required value/);
    expect(error.hint).toMatch(/a\.yaml:1/);
  });
});

describe('validate', () => {
  const lesson = { id: '02-pod-network', title: 't', summary: 's', notes: [], file: '/labs/02-pod-network/lesson.yaml' };
  it('accepts waits that name workload documents', () => {
    expect(() => validateWorkloads({ lesson, workloads: { manifests: docs, waitFor: [{ kind: 'Deployment', namespace: 'lesson', name: 'web' }], images: [] } })).not.toThrow();
    expect(() => validateWorkloads({ lesson, workloads: { manifests: [], waitFor: [], images: [] } })).not.toThrow();
  });
  it('a wait for something no file defines is an input error naming the lesson file', () => {
    const e = (() => {
      try {
        validateWorkloads({ lesson, workloads: { manifests: docs, waitFor: [{ kind: 'DaemonSet', namespace: 'lesson', name: 'web' }], images: [] } });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toBe('/labs/02-pod-network/lesson.yaml: waits for DaemonSet lesson/web, which no workload file defines');
  });
  it('the same object twice is an input error naming both places', () => {
    expect(() => validateWorkloads({ lesson, workloads: { manifests: [...docs, doc(`${tools}/d.yaml`, 3, 'Service', 'web', 'lesson')], waitFor: [], images: [] } })).toThrow(`${tools}/d.yaml:3: Service web is defined twice (first at ${tools}/a.yaml:20)`);
  });
});

describe('waiting and status', () => {
  const waits: WorkloadWait[] = [
    { kind: 'Deployment', namespace: 'lesson', name: 'web' },
    { kind: 'Deployment', namespace: 'lesson', name: 'api' },
    { kind: 'Pod', namespace: 'other', name: 'client' },
  ];
  it('one watch per kind and namespace', () => {
    expect(watchGroups(waits).map((g) => [g.kind, g.namespace, g.waits.map((w) => w.name)])).toEqual([
      ['Deployment', 'lesson', ['web', 'api']],
      ['Pod', 'other', ['client']],
    ]);
  });
  const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'lesson', generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 } } as KubeObject;
  it('the states reported: ready x/y, missing ones not ready', () => {
    expect(workloadStates(waits, new Map([['Deployment/lesson/web', web]]))).toEqual([
      { kind: 'Deployment', namespace: 'lesson', name: 'web', ready: true, readyCount: 2, desired: 2, exists: true },
      { kind: 'Deployment', namespace: 'lesson', name: 'api', ready: false, readyCount: 0, desired: 0, exists: false },
      { kind: 'Pod', namespace: 'other', name: 'client', ready: false, readyCount: 0, desired: 0, exists: false },
    ]);
  });
  it('lab status asks for each workload by its path; 404 = missing; other errors = could not look', async () => {
    const asked: string[] = [];
    const client = {
      requestJson: async <T>(_m: string, path: string): Promise<T> => {
        asked.push(path);
        if (path.endsWith('/web')) return web as T;
        if (path.endsWith('/api')) throw new KubeApiError('not found', 404, undefined, 'NotFound');
        throw new KubeApiError('GET: connect ECONNREFUSED', undefined, 'ECONNREFUSED', undefined);
      },
    };
    const r = await workloadStatus(client as never, waits, Date.now() + 1_000);
    expect(asked).toEqual(['/apis/apps/v1/namespaces/lesson/deployments/web', '/apis/apps/v1/namespaces/lesson/deployments/api', '/api/v1/namespaces/other/pods/client']);
    expect(r.workloads.map((w) => [w.name, w.ready, w.exists])).toEqual([
      ['web', true, true],
      ['api', false, false],
      ['client', false, false],
    ]);
    expect(r.problems).toEqual(["Deployment lesson/api does not exist (`lab deploy` applies the lesson's workloads)", 'Pod other/client: could not look (GET: connect ECONNREFUSED)']);
  });
});

describe('lab status text', () => {
  it('lists the workloads with ready x/y, missing, or unknown when the API is down', async () => {
    const { formatStatus } = await import('../../../src/deploy/status.js');
    const s = {
      lab: 'pod-network',
      lesson: { id: '02-pod-network', title: 'Calico Pod Networking', file: null },
      cluster: 'pod-network',
      topology: '/t.clab.yaml',
      state: 'degraded' as const,
      containers: [{ name: 'pod-network-control-plane', state: 'running', status: 'Up 2 minutes', image: 'kindest/node:v1.28.0' }],
      labDir: { path: '/clab-pod-network', exists: true },
      kubeconfig: { path: '/k', exists: true },
      api: { reachable: true, server: 'https://127.0.0.1:6443' },
      nodes: [],
      tigeraStatus: [],
      workloads: [
        { kind: 'Deployment', namespace: 'lesson', name: 'web', ready: false, readyCount: 1, desired: 2, exists: true },
        { kind: 'Pod', namespace: 'lesson', name: 'client', ready: false, readyCount: 0, desired: 0, exists: false },
      ],
      problems: ['Deployment lesson/web is not ready: 1/2 available, 2 updated'],
    };
    const text = formatStatus(s);
    expect(text).toMatch(/^ {2}workloads:\n {4}✖ Deployment lesson\/web\s+ready 1\/2\n {4}✖ Pod lesson\/client\s+missing$/m);
    const down = formatStatus({ ...s, api: { reachable: false, error: 'connect ECONNREFUSED' } });
    expect(down).toMatch(/^ {4}\? Deployment lesson\/web\s+unknown$/m);
    expect(formatStatus({ ...s, workloads: [] })).not.toMatch(/workloads/);
  });
});
