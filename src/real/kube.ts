/**
 * The world's own API client (the role kubelet and kubeadm play): HTTPS with the `system:masters`
 * certificate, JSON in and out, a deadline on every request. Not the product's client on purpose:
 * the product under test must not be what builds the world it is tested against.
 */
import { readFileSync } from 'node:fs';
import { request, Agent } from 'node:https';
import type { RealPki } from './pki.js';

export class KubeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

export type Obj = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; deletionTimestamp?: string; ownerReferences?: unknown[] } };

export class Kube {
  private readonly agent: Agent;

  constructor(
    readonly server: string,
    pki: RealPki,
    private readonly token?: string,
  ) {
    this.agent = new Agent({
      ca: readFileSync(pki.caCert),
      ...(token === undefined ? { cert: readFileSync(pki.worldCert), key: readFileSync(pki.worldKey) } : {}),
      keepAlive: true,
      maxSockets: 8,
    });
  }

  req<T = Obj>(method: string, path: string, body?: unknown, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<T> {
    const url = new URL(path, this.server);
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const r = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(data !== undefined ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
            ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}),
          },
          timeout: opts.timeoutMs ?? 15_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve((text === '' ? {} : JSON.parse(text)) as T);
              } catch (e) {
                reject(e instanceof Error ? e : new Error(String(e)));
              }
            } else reject(new KubeError(`${method} ${path}: HTTP ${status}: ${text.slice(0, 300)}`, status, text));
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? 15_000} ms`)));
      r.on('error', reject);
      r.end(data);
    });
  }

  get<T = Obj>(path: string): Promise<T> {
    return this.req<T>('GET', path);
  }

  /** GET or undefined on 404. */
  async find<T = Obj>(path: string): Promise<T | undefined> {
    try {
      return await this.req<T>('GET', path);
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list(path: string): Promise<Obj[]> {
    return (await this.req<{ items?: Obj[] }>('GET', path)).items ?? [];
  }

  /** Create; an existing object (409) is left as it is. */
  async create(path: string, obj: Obj): Promise<Obj | undefined> {
    try {
      return await this.req('POST', path, obj);
    } catch (e) {
      if (e instanceof KubeError && e.status === 409) return undefined;
      throw e;
    }
  }

  /** Server-side apply as field manager `lab-real-world`. */
  apply(path: string, obj: Obj, subresource = ''): Promise<Obj> {
    return this.req('PATCH', `${path}${subresource}?fieldManager=lab-real-world&force=true`, obj, { contentType: 'application/apply-patch+yaml' });
  }

  mergePatch(path: string, patch: unknown): Promise<Obj> {
    return this.req('PATCH', path, patch, { contentType: 'application/merge-patch+json' });
  }

  async remove(path: string): Promise<void> {
    try {
      await this.req('DELETE', path);
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw e;
    }
  }

  /**
   * One watch stream of a collection from `resourceVersion` (`?watch=1`, bookmarks on): calls
   * `onEvent` for each event line as it arrives and resolves when the server ends the stream or
   * `signal` aborts it. A non-2xx answer rejects with a KubeError (410 Gone: list again).
   */
  watch(path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const url = new URL(path, this.server);
    url.searchParams.set('watch', '1');
    url.searchParams.set('allowWatchBookmarks', 'true');
    url.searchParams.set('resourceVersion', resourceVersion);
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return resolve();
      const r = request(url, { method: 'GET', agent: this.agent, signal, headers: { accept: 'application/json', ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}) } }, (res) => {
        const status = res.statusCode ?? 0;
        let buffered = '';
        res.setEncoding('utf8');
        if (status < 200 || status >= 300) {
          res.on('data', (d: string) => (buffered += d));
          res.on('end', () => reject(new KubeError(`WATCH ${path}: HTTP ${status}: ${buffered.slice(0, 300)}`, status, buffered)));
          return;
        }
        res.on('data', (d: string) => {
          buffered += d;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
          }
        });
        res.on('end', () => resolve());
        res.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      });
      r.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      r.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Obj;
}
