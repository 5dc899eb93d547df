/**
 * The harness's own watch on a real cluster: list + watch of the collections a deploy changes, each
 * event stamped with performance.now() the moment it arrives, and the conditions derived from them.
 * TigeraStatus's lastTransitionTime and managedFields times are whole seconds; these stamps are not.
 * `npm run bench --real` times its detection lags with it, and the conformance report records the
 * real operator's TigeraStatus steps with it (a watch sees every write, a poll only some).
 *
 * Events and marks carry `listed: true` when they were first seen in a list (the object existed before
 * the watch looked), so their time is when the harness looked, not when it happened.
 */
import { setMaxListeners } from 'node:events';
import { KubeError, type Kube, type Obj, type WatchEvent } from './kube.js';

export interface Watched {
  group: string;
  resource: string;
  /** Collection path. */
  path: string;
}

export const API = {
  crds: { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions' },
  nodes: { group: '', resource: 'nodes', path: '/api/v1/nodes' },
  installations: { group: 'operator.tigera.io', resource: 'installations', path: '/apis/operator.tigera.io/v1/installations' },
  apiservers: { group: 'operator.tigera.io', resource: 'apiservers', path: '/apis/operator.tigera.io/v1/apiservers' },
  tigerastatuses: { group: 'operator.tigera.io', resource: 'tigerastatuses', path: '/apis/operator.tigera.io/v1/tigerastatuses' },
} as const satisfies Record<string, Watched>;

/** What a deploy changes, in the order the harness starts following them. */
export const DEPLOY_WATCH: Watched[] = [API.crds, API.nodes, API.installations, API.apiservers, API.tigerastatuses];

export interface Observed {
  at: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  group: string;
  resource: string;
  name: string;
  /** managedFields managers of the object (who has written it). */
  managers: string[];
  listed: boolean;
}

export interface Mark {
  name: string;
  at: number;
  listed: boolean;
}

type Conditioned = Obj & { status?: { conditions?: { type?: string; status?: string }[] } };

const conditionTrue = (obj: Obj, type: string): boolean => ((obj as Conditioned).status?.conditions ?? []).some((c) => c?.type === type && c?.status === 'True');

/** The condition a resource's objects turn true once (its mark prefix and condition type). */
const MARKED: Record<string, { prefix: string; type: string }> = {
  'apiextensions.k8s.io/customresourcedefinitions': { prefix: 'crd-established', type: 'Established' },
  '/nodes': { prefix: 'node-ready', type: 'Ready' },
  'operator.tigera.io/tigerastatuses': { prefix: 'tigerastatus-available', type: 'Available' },
};

/**
 * The marks one event adds: the first time a CRD is Established, a Node Ready or a TigeraStatus
 * Available (`<prefix>:<name>`). `seen` holds the marks already made and is updated.
 */
export function marksOf(w: Watched, type: Observed['type'], obj: Obj, at: number, listed: boolean, seen: Set<string>): Mark[] {
  const rule = MARKED[`${w.group}/${w.resource}`];
  if (!rule || type === 'DELETED' || !conditionTrue(obj, rule.type)) return [];
  const name = `${rule.prefix}:${obj.metadata?.name ?? ''}`;
  if (seen.has(name)) return [];
  seen.add(name);
  return [{ name, at, listed }];
}

export interface ClusterObserver {
  events: Observed[];
  marks: Mark[];
  /** Watch streams that ended and were resumed, lists redone after 410 Gone, errors seen. */
  stats: { resumed: number; relisted: number; errors: number; lastError: string };
  stop(): Promise<void>;
}

export interface ObserveOptions {
  resources?: Watched[];
  /** Called with each event's object (lists included) as it arrives. */
  onObject?: (w: Watched, type: Observed['type'], obj: Obj, listed: boolean) => void;
  /** How often to ask /readyz (and re-list a collection that is not served yet), ms. */
  intervalMs?: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Follow a cluster through `kube()` (undefined until the cluster exists): mark `api-up` at the first
 * answered /readyz, then list and watch each resource until stop(). A collection that is not served
 * yet (its CRD is not Established) is listed again every `intervalMs`.
 */
export function observeCluster(kube: () => Kube | undefined, options: ObserveOptions = {}): ClusterObserver {
  const resources = options.resources ?? DEPLOY_WATCH;
  const interval = options.intervalMs ?? 20;
  const controller = new AbortController();
  const signal = controller.signal;
  // one listener per open watch request and per pending sleep (removed when it ends)
  setMaxListeners(4 * resources.length + 8, signal);
  const events: Observed[] = [];
  const marks: Mark[] = [];
  const seen = new Set<string>();
  const stats = { resumed: 0, relisted: 0, errors: 0, lastError: '' };
  const failed = (e: unknown): void => {
    stats.errors += 1;
    stats.lastError = e instanceof Error ? e.message.slice(0, 200) : String(e);
  };

  const record = (w: Watched, type: Observed['type'], obj: Obj, listed: boolean): void => {
    const at = performance.now();
    const managers = ((obj.metadata as { managedFields?: { manager?: string }[] } | undefined)?.managedFields ?? []).map((f) => f.manager ?? '').filter((m) => m !== '');
    events.push({ at, type, group: w.group, resource: w.resource, name: obj.metadata?.name ?? '', managers, listed });
    marks.push(...marksOf(w, type, obj, at, listed, seen));
    options.onObject?.(w, type, obj, listed);
  };

  const apiUp = async (): Promise<Kube | undefined> => {
    while (!signal.aborted) {
      const k = kube();
      if (k) {
        const ok = await k.req('GET', '/readyz', undefined, { timeoutMs: 2_000 }).then(
          () => true,
          // /readyz answers the text "ok": a JSON parse error means the status was 200
          (e: unknown) => e instanceof SyntaxError,
        );
        if (ok) {
          marks.push({ name: 'api-up', at: performance.now(), listed: false });
          return k;
        }
      }
      await sleep(interval, signal);
    }
    return undefined;
  };

  const follow = async (k: Kube, w: Watched): Promise<void> => {
    const known = new Set<string>();
    while (!signal.aborted) {
      let rv: string;
      try {
        const list = await k.req<{ items?: Obj[]; metadata?: { resourceVersion?: string } }>('GET', w.path, undefined, { timeoutMs: 10_000 });
        for (const item of list.items ?? []) {
          const key = item.metadata?.uid ?? item.metadata?.name ?? '';
          record(w, known.has(key) ? 'MODIFIED' : 'ADDED', item, true);
          known.add(key);
        }
        rv = list.metadata?.resourceVersion ?? '0';
      } catch (e) {
        if (!(e instanceof KubeError && e.status === 404)) failed(e);
        await sleep(interval, signal);
        continue;
      }
      // watch from the list's version; resume from the last event's after the stream ends
      for (;;) {
        let gone = false;
        const opened = performance.now();
        try {
          await k.watch(w.path, rv, (e: WatchEvent) => {
            const v = e.object.metadata?.resourceVersion;
            if (e.type === 'BOOKMARK') {
              if (v) rv = v;
              return;
            }
            if (e.type === 'ERROR') {
              gone = (e.object as { code?: number }).code === 410;
              return;
            }
            if (v) rv = v;
            known.add(e.object.metadata?.uid ?? e.object.metadata?.name ?? '');
            record(w, e.type, e.object, false);
          }, signal);
        } catch (e) {
          if (e instanceof KubeError && e.status === 410) gone = true;
          else if (!signal.aborted) {
            failed(e);
            await sleep(interval, signal);
          }
        }
        if (signal.aborted) return;
        if (gone) {
          stats.relisted += 1;
          break;
        }
        stats.resumed += 1;
        // a stream the server ends at once is not asked for again at once
        if (performance.now() - opened < 1_000) await sleep(interval, signal);
      }
    }
  };

  const running = (async () => {
    const k = await apiUp();
    if (!k) return;
    await Promise.all(resources.map((w) => follow(k, w)));
  })();

  return {
    events,
    marks,
    stats,
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}
