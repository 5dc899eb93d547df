/**
 * A minimal Kubernetes API client for the baseline (what `kubectl` did in the old deploy.sh): takes the
 * kubeconfig `kind get kubeconfig` printed, authenticates with its client certificate, sends JSON.
 */
import http from 'node:http';
import https from 'node:https';
import { parse } from 'yaml';

const b64 = (s) => (s === undefined ? undefined : Buffer.from(s, 'base64'));

export function kubeClient(kubeconfigText) {
  const kc = parse(kubeconfigText);
  const contextName = kc['current-context'];
  const context = (kc.contexts ?? []).find((c) => c.name === contextName)?.context ?? kc.contexts?.[0]?.context ?? {};
  const cluster = ((kc.clusters ?? []).find((c) => c.name === context.cluster) ?? kc.clusters?.[0])?.cluster;
  const user = ((kc.users ?? []).find((u) => u.name === context.user) ?? kc.users?.[0])?.user ?? {};
  if (!cluster?.server) throw new Error('kubeconfig has no cluster server');
  const server = new URL(cluster.server);
  const secure = server.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        ca: b64(cluster['certificate-authority-data']),
        cert: b64(user['client-certificate-data']),
        key: b64(user['client-key-data']),
        rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
      })
    : new http.Agent({ keepAlive: true });
  const headers = user.token ? { authorization: `Bearer ${user.token}` } : {};

  /** One request; resolves { status, body } (body parsed as JSON when it is JSON). Network errors reject. */
  function request(method, path, body, contentType = 'application/json', timeoutMs = 30_000) {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        new URL(path, server),
        {
          method,
          agent,
          headers: { accept: 'application/json', ...headers, ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  const discovery = new Map();
  /** { plural, namespaced } of a kind, from the API's discovery documents (like kubectl's RESTMapper). */
  async function resourceFor(apiVersion, kind) {
    const gvPath = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list = discovery.get(gvPath);
    if (!list) {
      const res = await request('GET', gvPath);
      if (res.status !== 200) return undefined; // group/version not served (yet)
      list = res.body.resources ?? [];
      discovery.set(gvPath, list);
    }
    const r = list.find((x) => x.kind === kind && !x.name.includes('/'));
    if (!r) discovery.delete(gvPath); // maybe served later: ask again next time
    return r ? { plural: r.name, namespaced: r.namespaced, gvPath } : undefined;
  }

  /** `kubectl create -f` of one document: POST to its collection. 404 when its kind is not served. */
  async function create(doc) {
    const r = await resourceFor(doc.apiVersion, doc.kind);
    if (!r) return { status: 404, body: { message: `no matches for kind "${doc.kind}" in version "${doc.apiVersion}"` } };
    const ns = r.namespaced ? `/namespaces/${doc.metadata?.namespace ?? 'default'}` : '';
    return request('POST', `${r.gvPath}${ns}/${r.plural}`, doc);
  }

  function close() {
    agent.destroy();
  }

  return { server: server.href, request, create, close };
}
