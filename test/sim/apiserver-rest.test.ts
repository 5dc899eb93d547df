/** REST semantics of the simulated API server beyond the client-node / kubectl suites. */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore, type StoredObject } from '../../src/sim/store.js';
import { startApiServer, type ApiServer } from '../../src/sim/apiserver/index.js';
import { parseLabelSelector } from '../../src/sim/apiserver/selectors.js';
import { jsonPatch, mergePatch } from '../../src/sim/apiserver/patch.js';

interface Reply {
  status: number;
  text: string;
  json: any;
}

let store: ObjectStore;
let api: ApiServer;

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      `${api.url}${path}`,
      {
        method,
        ca: api.caPem,
        cert: api.clientCertPem,
        key: api.clientKeyPem,
        agent: false,
        headers: { Accept: 'application/json', ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Open a watch and collect its event lines until `stop()`. */
function openWatch(path: string, headers: Record<string, string> = {}): { events: { type: string; object: any }[]; stop: () => void; ended: () => boolean } {
  const events: { type: string; object: any }[] = [];
  let buf = '';
  let ended = false;
  const req = request(`${api.url}${path}`, { ca: api.caPem, cert: api.clientCertPem, key: api.clientKeyPem, agent: false, headers }, (res) => {
    res.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)) as { type: string; object: unknown });
        buf = buf.slice(i + 1);
      }
    });
    res.on('error', () => undefined);
    res.on('end', () => {
      ended = true;
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { events, stop: () => req.destroy(), ended: () => ended };
}

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  store = new ObjectStore();
  store.create({ group: '', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  api = await startApiServer({ store, establishDelayMs: 30 });
});
afterAll(async () => {
  await api.close();
});

describe('discovery', () => {
  it('serves /version, /api, /apis, group and resource lists like kube-apiserver', async () => {
    expect((await call('GET', '/version')).json).toMatchObject({ major: '1', minor: '28', gitVersion: 'v1.28.0', platform: 'linux/amd64' });
    expect((await call('GET', '/api')).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = (await call('GET', '/apis')).json as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
    expect(apis.kind).toBe('APIGroupList');
    const apps = apis.groups.find((g) => g.name === 'apps');
    expect(apps?.preferredVersion).toEqual({ groupVersion: 'apps/v1', version: 'v1' });
    for (const g of ['rbac.authorization.k8s.io', 'apiextensions.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'events.k8s.io', 'policy', 'scheduling.k8s.io', 'admissionregistration.k8s.io']) {
      expect(apis.groups.map((x) => x.name)).toContain(g);
    }
    const core = (await call('GET', '/api/v1')).json as { kind: string; groupVersion: string; resources: Record<string, unknown>[] };
    expect(core.kind).toBe('APIResourceList');
    expect(core.groupVersion).toBe('v1');
    expect(core.resources.find((r) => r['name'] === 'nodes')).toMatchObject({ singularName: 'node', namespaced: false, kind: 'Node', shortNames: ['no'] });
    expect(core.resources.find((r) => r['name'] === 'pods/status')).toMatchObject({ kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    expect(core.resources.find((r) => r['name'] === 'pods')?.['verbs']).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    const appsV1 = (await call('GET', '/apis/apps/v1')).json as { groupVersion: string; resources: { name: string; shortNames?: string[] }[] };
    expect(appsV1.groupVersion).toBe('apps/v1');
    expect(appsV1.resources.find((r) => r.name === 'daemonsets')?.shortNames).toEqual(['ds']);
    expect((await call('GET', '/apis/apps')).json).toMatchObject({ kind: 'APIGroup', name: 'apps' });
    expect((await call('GET', '/apis/nope.example.com')).status).toBe(404);
    expect((await call('GET', '/apis/apps/v2')).status).toBe(404);
  });
});

describe('writes', () => {
  it('merge, strategic-merge and JSON patches', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' }, data: { a: '1', b: '2' } });
    const m = await call('PATCH', '/api/v1/namespaces/default/configmaps/p', { data: { a: null, c: '3' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(m.status).toBe(200);
    expect(m.json.data).toEqual({ b: '2', c: '3' });
    // like the real server: no metadata.generation on a ConfigMap (a Deployment has one, below)
    expect(m.json.metadata.generation).toBeUndefined();
    expect((await call('GET', '/api/v1/namespaces/default/configmaps')).json.items[0].metadata.generation).toBeUndefined();
    const s = await call('PATCH', '/api/v1/namespaces/default/configmaps/p', { metadata: { labels: { x: 'y' } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(s.json.metadata.labels).toEqual({ x: 'y' });
    const j = await call('PATCH', '/api/v1/namespaces/default/configmaps/p', [{ op: 'replace', path: '/data/b', value: '20' }, { op: 'remove', path: '/data/c' }], {
      'Content-Type': 'application/json-patch+json',
    });
    expect(j.json.data).toEqual({ b: '20' });
    const bad = await call('PATCH', '/api/v1/namespaces/default/configmaps/p', [{ op: 'remove', path: '/data/zzz' }], { 'Content-Type': 'application/json-patch+json' });
    expect(bad.status).toBe(422);
    expect((await call('PATCH', '/api/v1/namespaces/default/configmaps/missing', { data: {} }, { 'Content-Type': 'application/merge-patch+json' })).status).toBe(404);
  });

  it('keeps status on main-resource writes, changes only status through /status, bumps generation on spec changes', async () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 1 } };
    const c = await call('POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    expect(c.status).toBe(201);
    expect(c.json.metadata.generation).toBe(1);
    const st = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/d/status', { ...c.json, spec: { replicas: 5 }, status: { readyReplicas: 1 } });
    expect(st.status).toBe(200);
    expect(st.json.status).toEqual({ readyReplicas: 1 });
    expect(st.json.spec).toEqual({ replicas: 1 });
    expect(st.json.metadata.generation).toBe(1);
    const up = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/d', { ...st.json, spec: { replicas: 2 }, status: { readyReplicas: 9 } });
    expect(up.json.status).toEqual({ readyReplicas: 1 });
    expect(up.json.spec).toEqual({ replicas: 2 });
    expect(up.json.metadata.generation).toBe(2);
    expect(up.json.metadata.uid).toBe(c.json.metadata.uid);
    const nameMismatch = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/d', { ...up.json, metadata: { ...up.json.metadata, name: 'other' } });
    expect(nameMismatch.status).toBe(400);
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments/nope/status')).status).toBe(404);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/p/status')).status).toBe(404);
  });

  it('generateName, namespace mismatch, deletecollection and namespace deletion', async () => {
    const g = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'tok-' } });
    expect(g.status).toBe(201);
    expect(g.json.metadata.name).toMatch(/^tok-[a-z0-9]{5}$/);
    const mism = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'other' } });
    expect(mism.status).toBe(400);
    const wrongKind = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 's' } });
    expect(wrongKind.status).toBe(400);

    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
    for (const n of ['a', 'b']) {
      await call('POST', '/api/v1/namespaces/tmp/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, labels: { del: n === 'a' ? 'yes' : 'no' } } });
    }
    const dc = await call('DELETE', '/api/v1/namespaces/tmp/configmaps?labelSelector=del%3Dyes');
    expect(dc.json.items.map((i: StoredObject) => i.metadata.name)).toEqual(['a']);
    expect(store.list({ group: '', resource: 'configmaps' }, { namespace: 'tmp' }).items.map((i) => i.metadata.name)).toEqual(['b']);
    const dn = await call('DELETE', '/api/v1/namespaces/tmp');
    expect(dn.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/tmp')).status).toBe(404);
    expect(store.list({ group: '', resource: 'configmaps' }, { namespace: 'tmp' }).items).toEqual([]);
  });

  it('treats a server-side apply that changes nothing as a no-op (same resourceVersion, no event)', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noop', namespace: 'default' }, data: { a: '1' } };
    const path = '/api/v1/namespaces/default/configmaps/noop?fieldManager=lab&force=true';
    const first = await call('PATCH', path, cm, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(first.status).toBe(201);
    const again = await call('PATCH', path, cm, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(again.status).toBe(200);
    expect(again.json.metadata.resourceVersion).toBe(first.json.metadata.resourceVersion);
    const changed = await call('PATCH', path, { ...cm, data: { a: '2' } }, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(Number(changed.json.metadata.resourceVersion)).toBeGreaterThan(Number(first.json.metadata.resourceVersion));
  });

  it('accepts request bodies of several MiB', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { big } });
    expect(r.status).toBe(201);
    expect(store.get({ group: '', resource: 'configmaps' }, 'default', 'big')?.['data']).toEqual({ big });
  });
});

describe('watch details', () => {
  it('reports objects leaving and entering a label selector as DELETED / ADDED', async () => {
    const cms = { group: '', resource: 'configmaps' };
    store.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1', namespace: 'default', labels: { app: 'on' } } });
    const w = openWatch('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Don');
    await until('initial ADDED', () => w.events.length >= 1);
    store.mutate(cms, 'default', 'w1', (o) => {
      o.metadata.labels = { app: 'off' };
    });
    store.mutate(cms, 'default', 'w1', (o) => {
      o.metadata.labels = { app: 'on' };
    });
    store.mutate(cms, 'default', 'w1', (o) => {
      o['data'] = { k: 'v' };
    });
    await until('4 events', () => w.events.length >= 4);
    w.stop();
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w1', 'DELETED w1', 'ADDED w1', 'MODIFIED w1']);
  });

  it('sends one-row Tables in watch events when kubectl asks for Tables, and bookmarks when allowed', async () => {
    const w = openWatch('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=' + String(store.resourceVersion), {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    await new Promise((r) => setTimeout(r, 100));
    store.create({ group: '', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tbl', namespace: 'default' }, data: { a: 'b' } });
    await until('event', () => w.events.length >= 1);
    w.stop();
    expect(w.events[0]?.type).toBe('ADDED');
    expect(w.events[0]?.object.kind).toBe('Table');
    expect(w.events[0]?.object.rows[0].cells.slice(0, 2)).toEqual(['tbl', 1]);
  });

  it('watches CRD objects from the store; close() ends open streams', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', shortNames: ['wd'] },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    const created = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.status).toBe(201);
    expect(created.json.status).toBeUndefined();
    await until('widgets served', () => api.registry.lookup('example.com', 'v1', 'widgets') !== undefined);
    const w = openWatch('/apis/example.com/v1/namespaces/default/widgets?watch=true');
    await new Promise((r) => setTimeout(r, 50));
    const obj = await call('POST', '/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3, extra: { 'x-kubernetes-any': true } } });
    expect(obj.status).toBe(201);
    expect(obj.json.metadata.namespace).toBe('default');
    await until('ADDED widget', () => w.events.length >= 1);
    expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'Widget', spec: { size: 3, extra: { 'x-kubernetes-any': true } } } });
    const list = await call('GET', '/apis/example.com/v1/widgets');
    expect(list.json.kind).toBe('WidgetList');
    w.stop();
  });
});

describe('pods/log and shutdown', () => {
  it('answers pods/log with an empty text log for an existing pod, 404 otherwise', async () => {
    store.create({ group: '', resource: 'pods' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lp', namespace: 'default' }, spec: { containers: [] } });
    const ok = await call('GET', '/api/v1/namespaces/default/pods/lp/log');
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    expect((await call('GET', '/api/v1/namespaces/default/pods/nope/log')).status).toBe(404);
  });

  it('close() ends watch streams and leaves no timers or sockets behind', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const s2 = new ObjectStore();
    const a2 = await startApiServer({ store: s2, establishDelayMs: 300 });
    const saved = api;
    api = a2;
    try {
      const w = openWatch('/api/v1/namespaces?watch=true&allowWatchBookmarks=true&timeoutSeconds=600');
      await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gadgets.example.com' },
        spec: { group: 'example.com', names: { kind: 'Gadget', plural: 'gadgets' }, scope: 'Cluster', versions: [{ name: 'v1', served: true, storage: true }] },
      });
      await new Promise((r) => setTimeout(r, 50));
      const during = timers(); // + bookmark interval, watch timeout, CRD establish timer
      expect(during).toBeGreaterThan(before);
      await a2.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(timers()).toBeLessThanOrEqual(before);
      expect(w.ended()).toBe(true);
      // the pending Established timer was cancelled, not just forgotten
      await new Promise((r) => setTimeout(r, 400));
      expect(s2.get({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }, undefined, 'gadgets.example.com')?.['status']).toBeUndefined();
      w.stop();
      const err = (await call('GET', '/version').catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(err.code).toBe('ECONNREFUSED');
    } finally {
      api = saved;
    }
  });
});

describe('pure helpers', () => {
  it('parses label selectors', () => {
    expect(parseLabelSelector('a=b,c!=d,e,!f,g in (h, i),j notin (k)')).toEqual([
      { key: 'a', op: '=', values: ['b'] },
      { key: 'c', op: '!=', values: ['d'] },
      { key: 'e', op: 'exists', values: [] },
      { key: 'f', op: '!exists', values: [] },
      { key: 'g', op: 'in', values: ['h', 'i'] },
      { key: 'j', op: 'notin', values: ['k'] },
    ]);
  });

  it('implements RFC 7386 merge patch and RFC 6902 JSON patch', () => {
    expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({ a: 'z', c: { d: 'e' } });
    expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    expect(jsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'add', path: '/a/0', value: 0 }, { op: 'copy', from: '/a', path: '/b' }])).toEqual({ a: [0, 1, 2, 3], b: [0, 1, 2, 3] });
    expect(jsonPatch({ 'a/b': { '~c': 1 } }, [{ op: 'move', from: '/a~1b/~0c', path: '/d' }])).toEqual({ 'a/b': {}, d: 1 });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow();
  });
});
