/**
 * A small Kubernetes API client over node:http(s): kind-style kubeconfigs (certificates, tokens) are
 * read directly (`config.ts`), any other kind with client-node's `KubeConfig.loadFromFile/loadFromString`
 * (never loadFromDefault) for TLS and auth; requests are raw
 * so manifests reach the server byte-faithfully (client-node 1.4's KubernetesObjectApi drops
 * `x-kubernetes-*` keys, issue #2962). Discovery finds each kind's plural and scope; apply is
 * server-side apply (field manager `lab`, force). Transient failures (connection refused/reset,
 * 5xx, 429) are retried with a short backoff within the call's deadline; other 4xx are not.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { InterruptedError } from '../errors.js';
import type { KubeObject } from '../lab/model.js';
import type { Logger } from '../ui/log.js';
import { staticKubeconfig, staticKubeconfigFile } from './config.js';

export type { KubeObject } from '../lab/model.js';

/** Default budget for one API call including its retries (ms). */
export const REQUEST_BUDGET_MS = 30_000;
/** How long apply waits for discovery to serve a kind (ms), within its deadline. */
export const DISCOVERY_WAIT_MS = 10_000;
/** Deadline of one HTTP attempt (ms); watches have none (they end with the wait's deadline). */
export const ATTEMPT_TIMEOUT_MS = 15_000;

let clientNode: Promise<typeof import('@kubernetes/client-node')> | undefined;

/**
 * client-node loads its whole generated API (~1,000 modules, about a second of start-up), so it is
 * imported only when a client is made. Commands call this early to load it while they wait on
 * something else (preflight, child processes).
 */
export function loadClientNode(): Promise<typeof import('@kubernetes/client-node')> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    /** Node error code for connection failures (ECONNREFUSED…). */
    readonly code: string | undefined,
    readonly reason: string | undefined,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  query?: Record<string, string | undefined>;
  /** Absolute deadline (Date.now() ms) for the call including retries. */
  deadline?: number;
  /** Do not retry (used by readiness probes that do their own loop). */
  noRetry?: boolean;
}

export interface ClientOptions {
  signal?: AbortSignal;
  log?: Logger;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ECONNABORTED']);

export function isTransient(error: unknown): boolean {
  if (!(error instanceof KubeApiError)) return false;
  if (error.status !== undefined) return error.status >= 500 || error.status === 429;
  return error.code !== undefined && (TRANSIENT_CODES.has(error.code) || error.code === 'ATTEMPT_TIMEOUT');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new InterruptedError('interrupted');
}

/** `/api/v1` or `/apis/<group>/<version>` for an apiVersion. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** Collection path for a resource: `<gv>/[namespaces/<ns>/]<plural>`. */
export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
  return `${groupVersionPath(apiVersion)}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${plural}`;
}

export class KubeClient {
  requestCount = 0;
  private readonly discovery = new Map<string, Promise<ApiResource[]>>();
  private readonly agent: http.Agent;
  private closed = false;
  /**
   * Requests in flight. The client's signal has ONE listener that destroys them all: a `signal` option
   * per request would add an abort listener per concurrent request (32 CRDs are applied at once) and
   * trip Node's MaxListenersExceededWarning.
   */
  private readonly inflight = new Set<http.ClientRequest>();
  private readonly onAbort = (): void => {
    for (const req of this.inflight) req.destroy(abortError(this.signal));
  };

  private constructor(
    readonly server: URL,
    private readonly tls: https.RequestOptions,
    private readonly signal: AbortSignal | undefined,
    private readonly log: Logger | undefined,
  ) {
    this.agent = server.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...(pickTls(tls) as https.AgentOptions) }) : new http.Agent({ keepAlive: true });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  static async fromFile(kubeconfigPath: string, o: ClientOptions = {}): Promise<KubeClient> {
    const simple = staticKubeconfigFile(kubeconfigPath);
    if (simple) return new KubeClient(simple.server, simple.tls, o.signal, o.log);
    const { KubeConfig } = await loadClientNode();
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    return KubeClient.fromKubeConfig(kc, o);
  }

  static async fromString(kubeconfig: string, o: ClientOptions = {}): Promise<KubeClient> {
    const simple = staticKubeconfig(kubeconfig, process.cwd());
    if (simple) return new KubeClient(simple.server, simple.tls, o.signal, o.log);
    const { KubeConfig } = await loadClientNode();
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig);
    return KubeClient.fromKubeConfig(kc, o);
  }

  static async fromKubeConfig(kc: KubeConfig, o: ClientOptions = {}): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    return new KubeClient(new URL(cluster.server), opts, o.signal, o.log);
  }

  /** The server and its TLS/auth options, for connections this client does not make itself (exec's WebSocket). */
  connection(): { server: URL; tls: https.RequestOptions } {
    return { server: this.server, tls: this.tls };
  }

  close(): void {
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.agent.destroy();
  }

  /** One HTTP request with retries of transient failures until `deadline`. Returns status and body text. */
  async request(method: string, path: string, o: RequestOptions = {}): Promise<{ status: number; body: string }> {
    const deadline = o.deadline ?? Date.now() + REQUEST_BUDGET_MS;
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        const t0 = Date.now();
        const res = await this.attempt(method, path, o, Math.min(ATTEMPT_TIMEOUT_MS, Math.max(1, deadline - Date.now())));
        this.log?.verbose(`  ${method} ${path} → ${res.status} (${Date.now() - t0} ms)`);
        if (res.status >= 500 || res.status === 429) throw statusError(method, path, res.status, res.body);
        return res;
      } catch (error) {
        if (this.signal?.aborted) throw abortError(this.signal);
        if (o.noRetry || !isTransient(error) || Date.now() + delay >= deadline) throw error;
        this.log?.verbose(`  ↻ ${method} ${path}: ${(error as Error).message} (attempt ${attempt}, retrying in ${delay} ms)`);
        await sleep(delay, this.signal);
        delay = Math.min(delay * 2, 1_000);
      }
    }
  }

  private attempt(method: string, path: string, o: RequestOptions, timeout: number): Promise<{ status: number; body: string }> {
    if (this.closed) return Promise.reject(new Error('KubeClient is closed'));
    if (this.signal?.aborted) return Promise.reject(abortError(this.signal));
    this.requestCount += 1;
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { Accept: 'application/json', ...(this.tls.headers as Record<string, string> | undefined) };
      if (o.body !== undefined) {
        headers['Content-Type'] = o.contentType ?? 'application/json';
        headers['Content-Length'] = Buffer.byteLength(o.body);
      }
      const req = this.transport().request(url, { method, headers, agent: this.agent, ...pickTls(this.tls) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settle();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => {
          settle();
          reject(this.signal?.aborted ? abortError(this.signal) : connectionError(method, path, e));
        });
      });
      this.inflight.add(req);
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeout} ms`), { code: 'ATTEMPT_TIMEOUT' })), timeout);
      const settle = (): void => {
        clearTimeout(timer);
        this.inflight.delete(req);
      };
      req.on('error', (e) => {
        settle();
        reject(this.signal?.aborted ? abortError(this.signal) : connectionError(method, path, e));
      });
      if (o.body !== undefined) req.write(o.body);
      req.end();
    });
  }

  private transport(): typeof http | typeof https {
    return this.server.protocol === 'https:' ? https : http;
  }

  /** GET/POST… returning parsed JSON; throws KubeApiError for status >= 400. */
  async requestJson<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, o);
    if (res.status >= 400) throw statusError(method, path, res.status, res.body);
    return JSON.parse(res.body) as T;
  }

  /** Resources served by a group version (cached; `invalidateDiscovery()` after CRDs change). */
  async resources(apiVersion: string): Promise<ApiResource[]> {
    let p = this.discovery.get(apiVersion);
    if (!p) {
      p = this.requestJson<{ resources?: ApiResource[] }>('GET', groupVersionPath(apiVersion)).then((l) => (l.resources ?? []).filter((r) => !r.name.includes('/')));
      this.discovery.set(apiVersion, p);
      p.catch(() => this.discovery.delete(apiVersion));
    }
    return p;
  }

  invalidateDiscovery(apiVersion?: string): void {
    if (apiVersion === undefined) this.discovery.clear();
    else this.discovery.delete(apiVersion);
  }

  /** The resource serving `kind` in `apiVersion`, or undefined when the server does not know it (yet). */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    try {
      return (await this.resources(apiVersion)).find((r) => r.kind === kind);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * The resource for a kind, re-reading discovery with a short backoff while the server does not
   * list it: a CRD can be Established a moment before its group version serves it (the discovery
   * controller reacts to the same event, asynchronously). Gives up at `deadline` or after
   * DISCOVERY_WAIT_MS, whichever is first, so a kind that does not exist fails soon.
   */
  async discover(apiVersion: string, kind: string, deadline: number): Promise<ApiResource | undefined> {
    const until = Math.min(deadline, Date.now() + DISCOVERY_WAIT_MS);
    let resource = await this.resourceFor(apiVersion, kind);
    let delay = 0; // the cached answer may be old: the first re-read is immediate
    while (!resource && Date.now() + delay < until) {
      if (delay > 0) await sleep(delay, this.signal);
      delay = delay === 0 ? 50 : Math.min(delay * 2, 1_000);
      this.invalidateDiscovery(apiVersion);
      resource = await this.resourceFor(apiVersion, kind);
    }
    return resource;
  }

  async list<T = KubeObject>(apiVersion: string, resource: string, o: ListOptions = {}): Promise<ListResult<T>> {
    const body = await this.requestJson<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', collectionPath(apiVersion, resource, o.namespace), {
      query: { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector },
    });
    return { items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? '' };
  }

  /** GET one object; undefined on 404. */
  async get<T = KubeObject>(apiVersion: string, resource: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return await this.requestJson<T>('GET', `${collectionPath(apiVersion, resource, namespace)}/${encodeURIComponent(name)}`);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Server-side apply of a raw document (field manager `lab`, force) to the path found by discovery.
   * The document is sent as JSON (valid YAML) with Content-Type application/apply-patch+yaml.
   */
  async apply(doc: KubeObject, o: { deadline?: number } = {}): Promise<KubeObject> {
    const resource = await this.discover(doc.apiVersion, doc.kind, o.deadline ?? Date.now() + REQUEST_BUDGET_MS);
    if (!resource) {
      throw new KubeApiError(`the server does not serve ${doc.kind} in ${doc.apiVersion} (is its CRD installed and Established?)`, 404, undefined, 'NotFound');
    }
    const namespace = resource.namespaced ? (doc.metadata.namespace ?? 'default') : undefined;
    const path = `${collectionPath(doc.apiVersion, resource.name, namespace)}/${encodeURIComponent(doc.metadata.name)}`;
    return this.requestJson<KubeObject>('PATCH', path, {
      body: JSON.stringify(doc),
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'lab', force: 'true' },
      ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
    });
  }

  /**
   * One watch stream from `resourceVersion`; calls `onEvent` per event and resolves when the server
   * closes the stream (the caller re-lists and re-watches). Rejects on HTTP errors (410 Gone included)
   * and connection failures. Stops (resolves) when `signal` aborts.
   */
  watch<T = KubeObject>(apiVersion: string, resource: string, o: ListOptions & { resourceVersion?: string; signal?: AbortSignal; timeoutSeconds?: number }, onEvent: (e: WatchEvent<T>) => void): Promise<void> {
    this.requestCount += 1;
    const url = new URL(collectionPath(apiVersion, resource, o.namespace), this.server);
    url.searchParams.set('watch', 'true');
    url.searchParams.set('allowWatchBookmarks', 'true');
    if (o.resourceVersion) url.searchParams.set('resourceVersion', o.resourceVersion);
    if (o.labelSelector) url.searchParams.set('labelSelector', o.labelSelector);
    if (o.fieldSelector) url.searchParams.set('fieldSelector', o.fieldSelector);
    if (o.timeoutSeconds) url.searchParams.set('timeoutSeconds', String(o.timeoutSeconds));
    const signals = [this.signal, o.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const headers = { Accept: 'application/json', ...(this.tls.headers as Record<string, string> | undefined) };
      const req = this.transport().request(url, { method: 'GET', headers, agent: this.agent, ...pickTls(this.tls) }, (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(statusError('WATCH', url.pathname, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
          res.on('error', () => reject(statusError('WATCH', url.pathname, res.statusCode ?? 0, '')));
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        let failed: Error | undefined;
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let i = buffer.indexOf('\n');
          while (i !== -1) {
            const line = buffer.slice(0, i).trim();
            buffer = buffer.slice(i + 1);
            i = buffer.indexOf('\n');
            if (line === '') continue;
            let event: WatchEvent<T>;
            try {
              event = JSON.parse(line) as WatchEvent<T>;
            } catch {
              continue;
            }
            if (event.type === 'ERROR') {
              const status = event.object as unknown as { code?: number; message?: string; reason?: string };
              failed = new KubeApiError(`watch ${url.pathname}: ${status.message ?? 'error'}`, status.code ?? 500, undefined, status.reason);
              req.destroy();
              return;
            }
            try {
              onEvent(event);
            } catch (error) {
              failed = error instanceof Error ? error : new Error(String(error));
              req.destroy();
              return;
            }
          }
        });
        const finish = (): void => {
          signal?.removeEventListener('abort', onAbort);
          if (failed) reject(failed);
          else resolve();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
      const onAbort = (): void => {
        req.destroy();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) resolve();
        else reject(connectionError('WATCH', url.pathname, e));
      });
      req.end();
    });
  }
}

function pickTls(o: https.RequestOptions): https.RequestOptions {
  const out: https.RequestOptions = {};
  if (o.ca !== undefined) out.ca = o.ca;
  if (o.cert !== undefined) out.cert = o.cert;
  if (o.key !== undefined) out.key = o.key;
  if (o.pfx !== undefined) out.pfx = o.pfx;
  if (o.passphrase !== undefined) out.passphrase = o.passphrase;
  if (o.rejectUnauthorized !== undefined) out.rejectUnauthorized = o.rejectUnauthorized;
  if (o.servername !== undefined) out.servername = o.servername;
  if (o.auth !== undefined) out.auth = o.auth;
  return out;
}

function connectionError(method: string, path: string, e: Error & { code?: string }): KubeApiError {
  return new KubeApiError(`${method} ${path}: ${e.message}`, undefined, e.code ?? 'ECONNRESET', undefined);
}

export function statusError(method: string, path: string, status: number, body: string): KubeApiError {
  let message = body.slice(0, 300);
  let reason: string | undefined;
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string };
    if (s.message) message = s.message;
    reason = s.reason;
  } catch {
    // not a Status object
  }
  return new KubeApiError(`${method} ${path}: HTTP ${status}${message ? `: ${message}` : ''}`, status, undefined, reason);
}
