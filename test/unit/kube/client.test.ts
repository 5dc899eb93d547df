/**
 * KubeClient against a tiny HTTP API: retries (5xx/429/connection refused) within the deadline, no
 * retry on 4xx, server-side apply request shape (raw document, apply-patch content type, field
 * manager, force), discovery, and watchUntil's re-list after a closed stream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiError, KubeClient } from '../../../src/kube/client.js';
import { DeadlineError, nodesReady, watchUntil } from '../../../src/kube/wait.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
let server: http.Server | undefined;

async function api(handler: Handler): Promise<KubeClient> {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return KubeClient.fromString(
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'http://127.0.0.1:${port}', insecure-skip-tls-verify: true}\n  name: c\ncontexts:\n- context: {cluster: c, user: u}\n  name: x\ncurrent-context: x\nusers:\n- name: u\n  user: {token: abc}\n`,
  );
}

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('KubeClient', () => {
  it('retries 5xx and 429, then succeeds', async () => {
    let n = 0;
    const client = await api((_req, _b, res) => {
      n += 1;
      if (n === 1) return json(res, 503, { kind: 'Status', message: 'unavailable' });
      if (n === 2) return json(res, 429, { kind: 'Status', message: 'slow down' });
      json(res, 200, { items: [{ metadata: { name: 'a' } }], metadata: { resourceVersion: '7' } });
    });
    const l = await client.list('v1', 'nodes');
    expect(l).toEqual({ items: [{ metadata: { name: 'a' } }], resourceVersion: '7' });
    expect(n).toBe(3);
    expect(client.requestCount).toBe(3);
    client.close();
  });
  it('does not retry 4xx; get → undefined on 404', async () => {
    let n = 0;
    const client = await api((req, _b, res) => {
      n += 1;
      if (req.url?.includes('missing')) return json(res, 404, { kind: 'Status', reason: 'NotFound', message: 'nodes "missing" not found' });
      json(res, 403, { kind: 'Status', reason: 'Forbidden', message: 'forbidden' });
    });
    expect(await client.get('v1', 'nodes', 'missing')).toBeUndefined();
    const e = (await client.list('v1', 'nodes').catch((x: unknown) => x)) as KubeApiError;
    expect(e).toBeInstanceOf(KubeApiError);
    expect(e.status).toBe(403);
    expect(n).toBe(2);
    client.close();
  });
  it('sends the bearer token from the kubeconfig', async () => {
    let auth: string | undefined;
    const client = await api((req, _b, res) => {
      auth = req.headers.authorization;
      json(res, 200, { items: [], metadata: { resourceVersion: '1' } });
    });
    await client.list('v1', 'nodes');
    expect(auth).toBe('Bearer abc');
    client.close();
  });
  it('connection refused is retried until the deadline, then fails', async () => {
    const client = await KubeClient.fromString("apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'http://127.0.0.1:1', insecure-skip-tls-verify: true}\n  name: c\ncontexts:\n- context: {cluster: c, user: u}\n  name: x\ncurrent-context: x\nusers:\n- name: u\n  user: {}\n");
    const t0 = Date.now();
    const e = (await client.request('GET', '/readyz', { deadline: Date.now() + 600 }).catch((x: unknown) => x)) as KubeApiError;
    expect(e.code).toBe('ECONNREFUSED');
    expect(client.requestCount).toBeGreaterThan(2);
    expect(Date.now() - t0).toBeLessThan(2_000);
    client.close();
  });
  it('server-side apply: discovery → PATCH of the raw document, apply-patch+yaml, fieldManager=lab, force=true', async () => {
    const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'installations.operator.tigera.io' }, spec: { versions: [{ schema: { openAPIV3Schema: { 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-int-or-string': true } } }] } };
    const client = await api((req, body, res) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      if (req.url === '/apis/apiextensions.k8s.io/v1') return json(res, 200, { resources: [{ name: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false }, { name: 'customresourcedefinitions/status', kind: 'CustomResourceDefinition', namespaced: false }] });
      json(res, 200, JSON.parse(body));
    });
    await client.apply(crd);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /apis/apiextensions.k8s.io/v1', 'PATCH /apis/apiextensions.k8s.io/v1/customresourcedefinitions/installations.operator.tigera.io?fieldManager=lab&force=true']);
    expect(seen[1]!.type).toBe('application/apply-patch+yaml');
    expect(JSON.parse(seen[1]!.body)).toStrictEqual(crd);
    client.close();
  });
  it('namespaced objects go to their namespace (default when absent)', async () => {
    const urls: string[] = [];
    const client = await api((req, body, res) => {
      urls.push(`${req.method} ${req.url}`);
      if (req.url === '/apis/apps/v1') return json(res, 200, { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] });
      json(res, 200, JSON.parse(body || '{}'));
    });
    await client.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'op', namespace: 'tigera-operator' } });
    await client.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } });
    expect(urls.slice(1)).toEqual([
      'PATCH /apis/apps/v1/namespaces/tigera-operator/deployments/op?fieldManager=lab&force=true',
      'PATCH /apis/apps/v1/namespaces/default/deployments/d?fieldManager=lab&force=true',
    ]);
    client.close();
  });
});

describe('watchUntil', () => {
  const node = (name: string, ready: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready }] } });

  it('notices readiness from a watch event (no polling) and re-lists after a closed stream', async () => {
    let lists = 0;
    let watches = 0;
    const client = await api((req, _b, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.searchParams.get('watch') === 'true') {
        watches += 1;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        if (watches === 1) {
          // first stream: one event, then the server closes it
          res.end(`${JSON.stringify({ type: 'MODIFIED', object: node('a', 'False') })}\n`);
          return;
        }
        setTimeout(() => res.write(`${JSON.stringify({ type: 'MODIFIED', object: node('a', 'True') })}\n`), 50);
        return;
      }
      lists += 1;
      json(res, 200, { items: [node('a', 'False')], metadata: { resourceVersion: String(lists) } });
    });
    const t0 = Date.now();
    const done = await watchUntil(client, 'v1', 'nodes', {}, (items) => nodesReady(items, ['a']), { deadline: Date.now() + 5_000, what: 'nodes' });
    expect(done).toEqual(['a']);
    expect(lists).toBe(2);
    expect(watches).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1_500);
    client.close();
  });

  it('deadline → DeadlineError carrying the last state', async () => {
    const client = await api((req, _b, res) => {
      if (req.url?.includes('watch=true')) {
        res.writeHead(200);
        return;
      }
      json(res, 200, { items: [node('a', 'False')], metadata: { resourceVersion: '1' } });
    });
    const e = (await watchUntil(client, 'v1', 'nodes', {}, (items) => nodesReady(items, ['a']), { deadline: Date.now() + 300, what: 'nodes Ready' }).catch((x: unknown) => x)) as DeadlineError;
    expect(e).toBeInstanceOf(DeadlineError);
    expect(e.lastState).toBe('0/1 nodes Ready; NotReady: a');
    client.close();
  });

  it('a 404 collection (CRD not served yet) counts as "no objects", then appears', async () => {
    let n = 0;
    const client = await api((req, _b, res) => {
      n += 1;
      if (n <= 2) return json(res, 404, { kind: 'Status', reason: 'NotFound' });
      if (req.url?.includes('watch=true')) return res.writeHead(200);
      json(res, 200, { items: [node('a', 'True')], metadata: { resourceVersion: '1' } });
    });
    expect(await watchUntil(client, 'v1', 'nodes', {}, (items) => nodesReady(items, ['a']), { deadline: Date.now() + 5_000, what: 'x' })).toEqual(['a']);
    client.close();
  });

  it('abort signal stops the wait with its reason', async () => {
    const client = await api((req, _b, res) => {
      if (req.url?.includes('watch=true')) return res.writeHead(200);
      json(res, 200, { items: [], metadata: { resourceVersion: '1' } });
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 100);
    await expect(watchUntil(client, 'v1', 'nodes', {}, (items) => nodesReady(items, ['a']), { deadline: Date.now() + 5_000, what: 'x', signal: ac.signal })).rejects.toThrow('stop');
    client.close();
  });
});
