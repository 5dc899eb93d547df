/**
 * Watch streams: newline-delimited JSON watch events over a chunked HTTP response, like the real
 * server: initial ADDED events (no resourceVersion or "0"), replay after a resourceVersion (410 Expired
 * as an ERROR event when too old), bookmarks, timeoutSeconds, selectors, objects entering/leaving a
 * selector reported as ADDED/DELETED.
 */
import type { ServerResponse } from 'node:http';
import { matches, StoreError, type ListOptions, type ObjectStore, type StoreEvent, type StoredObject } from '../store.js';
import type { ResourceType } from './registry.js';
import { expired } from './status.js';

export interface WatchParams {
  type: ResourceType;
  list: ListOptions;
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  /** 'flaky' mode: end the stream after this many ms. */
  cutAfterMs?: number;
  bookmarkIntervalMs?: number;
}

const objKey = (o: StoredObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class WatchStream {
  private unsubscribe: (() => void) | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private ended = false;
  private readonly known = new Set<string>();
  private selective = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly store: ObjectStore,
    private readonly params: WatchParams,
    /** gives the object as served (apiVersion/kind of the requested version, aggregated view) */
    private readonly present: (obj: StoredObject) => StoredObject,
    private readonly onEnd: (w: WatchStream) => void,
    /** encodes objects of ADDED/MODIFIED/DELETED events (e.g. as a one-row Table for `kubectl get -w`) */
    private readonly encode: (obj: StoredObject) => unknown = (o) => o,
  ) {}

  start(): void {
    const { res, params, store } = this;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    res.on('close', () => this.end());
    const selective = (params.list.labels?.length ?? 0) > 0 || (params.list.fields?.length ?? 0) > 0;
    this.selective = selective;
    const rv = params.resourceVersion;
    const fromNow = rv === undefined || rv === '' || rv === '0';
    try {
      if (fromNow || params.sendInitialEvents === true) {
        const { items, resourceVersion } = store.list(params.type.storage, { ...(params.list.namespace ? { namespace: params.list.namespace } : {}) });
        for (const raw of items) {
          const obj = this.present(raw);
          if (!matches(obj, params.list)) continue;
          this.known.add(objKey(obj));
          this.send('ADDED', obj);
        }
        this.unsubscribe = store.watch(params.type.storage, (e) => this.onEvent(e));
        if (params.sendInitialEvents === true && params.allowBookmarks) {
          this.send('BOOKMARK', this.bookmark(resourceVersion, { 'k8s.io/initial-events-end': 'true' }));
        }
      } else {
        const since = Number(rv);
        if (!Number.isInteger(since) || since < 0) {
          this.send('ERROR', { ...expired(`invalid resource version: ${rv}`), code: 400, reason: 'BadRequest' });
          this.end();
          return;
        }
        if (selective) {
          // Objects matching now are assumed known to the client (it listed them at `since`).
          for (const raw of store.list(params.type.storage, params.list.namespace ? { namespace: params.list.namespace } : {}).items) {
            const obj = this.present(raw);
            if (matches(obj, params.list) && Number(raw.metadata.resourceVersion) <= since) this.known.add(objKey(obj));
          }
        }
        this.unsubscribe = store.watch(params.type.storage, (e) => this.onEvent(e), since);
      }
    } catch (err) {
      if (err instanceof StoreError && err.reason === 'Gone') {
        this.send('ERROR', expired(err.message));
        this.end();
        return;
      }
      throw err;
    }
    if (params.timeoutSeconds !== undefined && params.timeoutSeconds > 0) this.timers.push(setTimeout(() => this.end(), params.timeoutSeconds * 1000));
    if (params.cutAfterMs !== undefined) this.timers.push(setTimeout(() => this.end(), params.cutAfterMs));
    if (params.allowBookmarks) {
      const t = setInterval(() => this.send('BOOKMARK', this.bookmark(store.resourceVersion)), params.bookmarkIntervalMs ?? 30_000);
      this.timers.push(t);
    }
  }

  /** End the stream after `ms` (faults). */
  cutAfter(ms: number): void {
    if (!this.ended) this.timers.push(setTimeout(() => this.end(), ms));
  }

  private bookmark(rv: number, annotations?: Record<string, string>): StoredObject {
    const t = this.params.type;
    return {
      kind: t.kind,
      apiVersion: t.group === '' ? t.version : `${t.group}/${t.version}`,
      metadata: { resourceVersion: String(rv), ...(annotations ? { annotations } : {}) } as StoredObject['metadata'],
    };
  }

  private onEvent(e: StoreEvent): void {
    if (this.ended) return;
    const obj = this.present(e.object);
    const ns = this.params.list.namespace;
    if (ns !== undefined && ns !== '' && obj.metadata.namespace !== ns) return;
    if (!this.selective) {
      this.send(e.type, obj);
      return;
    }
    const k = objKey(obj);
    const ok = matches(obj, this.params.list);
    if (e.type === 'ADDED') {
      if (!ok) return;
      this.known.add(k);
      this.send('ADDED', obj);
    } else if (e.type === 'MODIFIED') {
      if (ok) {
        const wasKnown = this.known.has(k);
        this.known.add(k);
        this.send(wasKnown ? 'MODIFIED' : 'ADDED', obj);
      } else if (this.known.delete(k)) this.send('DELETED', obj);
    } else {
      const wasKnown = this.known.delete(k);
      if (ok || wasKnown) this.send('DELETED', obj);
    }
  }

  private send(type: string, object: unknown): void {
    if (this.ended || this.res.writableEnded || this.res.destroyed) return;
    const out = type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' ? this.encode(object as StoredObject) : object;
    this.res.write(JSON.stringify({ type, object: out }) + '\n');
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end();
    this.onEnd(this);
  }
}
