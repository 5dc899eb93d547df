/**
 * The API client on the deploy path, against a tiny HTTP API on 127.0.0.1:
 * - abort listeners: one per client, not one per request or per poll (the MaxListenersExceededWarning
 *   `lab deploy` printed: 32 CRDs applied at once, /readyz polled every 200 ms);
 * - discovery right after a CRD is Established: retried with backoff (audit F-8);
 * - admin rights a moment after /readyz: 403 is "not yet" for a bounded time, then the 403's own
 *   message (audit F-1).
 */
import http from 'node:http';
import { getEventListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiError, KubeClient } from '../../../src/kube/client.js';
import { RightsError, pollUntil, waitForAdminRights } from '../../../src/kube/wait.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
let server: http.Server | undefined;

async function api(handler: Handler, signal?: AbortSignal): Promise<KubeClient> {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return KubeClient.fromString(
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'http://127.0.0.1:${port}', insecure-skip-tls-verify: true}\n  name: c\ncontexts:\n- context: {cluster: c, user: u}\n  name: x\ncurrent-context: x\nusers:\n- name: u\n  user: {token: abc}\n`,
    signal ? { signal } : {},
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
const listeners = (s: AbortSignal): number => getEventListeners(s, 'abort').length;

// kube-apiserver's RBAC message for an apply before kubeadm bound admin.conf's user (format of
// plugin/pkg/auth/authorizer/rbac: `<resource> "<name>" is forbidden: User "<u>" cannot <verb> …`)
const forbidden = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'customresourcedefinitions.apiextensions.k8s.io is forbidden: User "kubernetes-admin" cannot list resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope',
  reason: 'Forbidden',
  details: { group: 'apiextensions.k8s.io', kind: 'customresourcedefinitions' },
  code: 403,
};

describe('abort listeners', () => {
  it('many concurrent and sequential requests add one listener to the command signal, and close() removes it', async () => {
    const controller = new AbortController();
    let peak = 0;
    const client = await api((_req, _b, res) => {
      peak = Math.max(peak, listeners(controller.signal));
      json(res, 200, { kind: 'Status', status: 'Success' });
    }, controller.signal);
    await Promise.all(Array.from({ length: 40 }, () => client.request('GET', '/readyz')));
    for (let i = 0; i < 30; i++) await client.request('GET', '/readyz', { noRetry: true });
    expect(peak).toBeLessThanOrEqual(1);
    expect(listeners(controller.signal)).toBe(1);
    client.close();
    expect(listeners(controller.signal)).toBe(0);
  });

  it('a request in flight still stops when the signal aborts', async () => {
    const controller = new AbortController();
    const client = await api(() => undefined, controller.signal); // never answers
    const pending = client.request('GET', '/readyz', { noRetry: true });
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(pending).rejects.toThrow('stop');
    client.close();
  });

  it('pollUntil leaves no listener behind after many polls', async () => {
    const controller = new AbortController();
    let n = 0;
    await pollUntil(async () => ++n >= 25, { signal: controller.signal, deadline: Date.now() + 30_000, what: 'x', intervalMs: 1 });
    expect(n).toBe(25);
    expect(listeners(controller.signal)).toBe(0);
  });
});

describe('discovery after Established (F-8)', () => {
  const installation = { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' } };
  it('apply re-reads discovery with backoff until the kind is served', async () => {
    let discoveries = 0;
    const client = await api((req, _b, res) => {
      if (req.url === '/apis/operator.tigera.io/v1') {
        discoveries += 1;
        // served from the 4th read on (the old code gave up after the 2nd)
        return json(res, 200, { kind: 'APIResourceList', resources: discoveries >= 4 ? [{ name: 'installations', kind: 'Installation', namespaced: false }] : [] });
      }
      json(res, 200, installation);
    });
    expect(await client.apply(installation, { deadline: Date.now() + 20_000 })).toEqual(installation);
    expect(discoveries).toBe(4);
  });
  it('a kind that never appears fails at the deadline with a 404', async () => {
    const client = await api((_req, _b, res) => json(res, 200, { kind: 'APIResourceList', resources: [] }));
    const e = await client.apply(installation, { deadline: Date.now() + 400 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KubeApiError);
    expect((e as KubeApiError).status).toBe(404);
  });
});

describe('admin rights after /readyz (F-1)', () => {
  it('403 counts as "not yet" while the rights are coming', async () => {
    let n = 0;
    const client = await api((req, _b, res) => {
      expect(req.url).toBe('/apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=1');
      n += 1;
      if (n <= 3) return json(res, 403, forbidden);
      json(res, 200, { kind: 'CustomResourceDefinitionList', items: [], metadata: {} });
    });
    await waitForAdminRights(client, { deadline: Date.now() + 20_000, what: 'admin rights', intervalMs: 5 });
    expect(n).toBe(4);
  });
  it('a kubeconfig without rights fails after the grace with the 403\'s own message, not at the deadline', async () => {
    const client = await api((_req, _b, res) => json(res, 403, forbidden));
    const deadline = Date.now() + 15 * 60_000;
    const e = await waitForAdminRights(client, { deadline, what: 'admin rights', graceMs: 100, intervalMs: 5 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RightsError);
    expect((e as RightsError).message).toContain(forbidden.message);
    expect(Date.now()).toBeLessThan(deadline);
  });
  it('other errors are not swallowed', async () => {
    const client = await api((_req, _b, res) => json(res, 400, { kind: 'Status', message: 'bad request', code: 400 }));
    await expect(waitForAdminRights(client, { deadline: Date.now() + 5_000, what: 'x', graceMs: 1_000 })).rejects.toThrow(/bad request/);
  });
});
