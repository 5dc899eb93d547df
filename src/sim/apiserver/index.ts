/**
 * The simulated kube-apiserver: HTTPS on 127.0.0.1 (random port) with a kind-like CA and admin client
 * certificate, serving the object store. See handler.ts for the API itself.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ObjectStore, StoredObject } from '../store.js';
import { generatePki, type Pki } from '../pki.js';
import { registerBuiltins } from './builtins.js';
import { CrdController } from './crds.js';
import { Handler, sendStatus } from './handler.js';
import { kindKubeconfig } from './kubeconfig.js';
import { Registry, type ResourceType } from './registry.js';
import { forbiddenWithoutAdmin } from './rights.js';
import { INTERNAL_ERROR, SERVICE_UNAVAILABLE } from './status.js';
import { WatchStream, type WatchParams } from './watch.js';
import type { FaultId } from '../context.js';
import { handleExecUpgrade, rejectUpgrade } from '../exec/ws.js';

export { Registry } from './registry.js';
export type { AggregatedGroup, AggregatedResource, PrinterColumn, ResourceType } from './registry.js';
export { kindKubeconfig } from './kubeconfig.js';
export { CRD_REF, NAMESPACE_REF } from './builtins.js';

export type ApiServerMode = 'up' | 'down' | 'flaky';
/** Mutates a new object before it is stored (may throw the handler's errors). */
export type Admission = (type: ResourceType, obj: StoredObject) => void;

export interface ApiServerOptions {
  store: ObjectStore;
  /** ms before a new CRD becomes Established (default 300) */
  establishDelayMs?: number;
  /** `/version` gitVersion (default v1.28.0) */
  gitVersion?: string;
  /** Share of non-watch requests failing in 'flaky' mode (default 0.4). */
  flakyRate?: number;
  /** Random source for 'flaky' mode (default Math.random). */
  random?: () => number;
  /** Reuse certificates (e.g. the same cluster's API coming back); generated when absent. */
  pki?: Pki;
  /** Group/versions whose LIST requests answer 500 (fault calico-crd-errors: `crd.projectcalico.org/v1`). */
  failingListGroups?: readonly string[];
  /** The world's faults (the exec answers read pod-mtu-mismatch / missing-pod-route). */
  faults?: ReadonlySet<FaultId>;
}

export interface ApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  port: number;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** kubeconfig exactly in kind's format (names kind-<cluster>, base64 *-data, trailing blank line) */
  kubeconfig(clusterName: string): string;
  /** resource types served; CRDs add to it */
  registry: Registry;
  /** 'up' serves; 'down' refuses connections; 'flaky' answers ~40% of requests with 500/503 and cuts watches after 0.5–2 s */
  setMode(mode: ApiServerMode): void;
  /**
   * false: admin.conf's user is not cluster-admin yet (kubeadm ≥ 1.29 before its ClusterRoleBinding):
   * every request but health, discovery and self-reviews gets RBAC's 403 (rights.ts). Default true.
   */
  setAdminRights(granted: boolean): void;
  /** The mutating admission of new objects (the cluster's defaults, e.g. a Service's ClusterIP); undefined: none. */
  setAdmission(fn: Admission | undefined): void;
  /** Called once, the next time /readyz answers 200. */
  onNextReady(callback: () => void): void;
  /** Requests answered 403 because admin rights were withheld. */
  refusedCount(): number;
  mode(): ApiServerMode;
  /** Requests served since start (or since resetRequestCount). */
  requestCount(): number;
  /** The same, by "METHOD path-without-query". */
  requestCounts(): Map<string, number>;
  resetRequestCount(): void;
  close(): Promise<void>;
}

/** `/apis/<group>/<version>/<plural>` (a collection, all namespaces or one) of a listed group/version. */
function isFailingList(pathname: string, groups: readonly string[]): boolean {
  return groups.some((gv) => new RegExp(`^/apis/${gv.replace(/\./g, '\\.')}/(namespaces/[^/]+/)?[^/]+/?$`).test(pathname));
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { store } = options;
  const pki = options.pki ?? (await generatePki());
  const registry = new Registry();
  registerBuiltins(registry);
  const crds = new CrdController(store, registry, options.establishDelayMs ?? 300);
  const random = options.random ?? Math.random;
  const flakyRate = options.flakyRate ?? 0.4;

  let mode: ApiServerMode = 'up';
  let closed = false;
  const counts = new Map<string, number>();
  let total = 0;
  const watches = new Set<WatchStream>();
  let adminRights = true;
  let refused = 0;
  let readyCallbacks: (() => void)[] = [];
  let admission: Admission | undefined;

  const handler = new Handler({
    store,
    registry,
    admit: (type, obj) => admission?.(type, obj),
    gitVersion: options.gitVersion ?? 'v1.28.0',
    startWatch(res: ServerResponse, params: Omit<WatchParams, 'cutAfterMs'>, present: (o: StoredObject) => StoredObject, encode?: (o: StoredObject) => unknown): WatchStream {
      const full: WatchParams = mode === 'flaky' ? { ...params, cutAfterMs: 500 + Math.floor(random() * 1500) } : params;
      const w = new WatchStream(res, store, full, present, (x) => watches.delete(x), encode);
      watches.add(w);
      w.start();
      return w;
    },
  });

  const server: Server = createServer({
    key: pki.serverKeyPem,
    cert: pki.serverCertPem,
    ca: pki.caPem,
    requestCert: true,
    rejectUnauthorized: false,
    keepAlive: true,
  });
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const key = `${req.method ?? 'GET'} ${url.pathname}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total += 1;
    const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' || /^\/apis?\/(?:[^/]+\/)?[^/]+\/watch\//.test(url.pathname);
    if (!isWatch && req.method === 'GET' && isFailingList(url.pathname, options.failingListGroups ?? [])) {
      req.resume();
      sendStatus(res, INTERNAL_ERROR());
      return;
    }
    if (mode === 'flaky' && !isWatch && random() < flakyRate) {
      req.resume();
      sendStatus(res, random() < 0.5 ? SERVICE_UNAVAILABLE() : INTERNAL_ERROR());
      return;
    }
    if (!adminRights) {
      const forbidden = forbiddenWithoutAdmin(req.method ?? 'GET', url);
      if (forbidden) {
        refused += 1;
        req.resume();
        sendStatus(res, forbidden);
        return;
      }
    }
    if (url.pathname === '/readyz' && readyCallbacks.length > 0) {
      const callbacks = readyCallbacks;
      readyCallbacks = [];
      res.once('finish', () => {
        if (res.statusCode === 200) for (const c of callbacks) c();
        else readyCallbacks.push(...callbacks);
      });
    }
    void handler.handle(req, res, url);
  });
  // pods/<name>/exec over WebSocket (src/sim/exec/ws.ts), behind the same RBAC gate as requests
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const key = `${req.method ?? 'GET'} ${url.pathname}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total += 1;
    socket.on('error', () => undefined);
    const forbidden = adminRights ? undefined : forbiddenWithoutAdmin(req.method ?? 'GET', url);
    if (forbidden) {
      refused += 1;
      rejectUpgrade(socket, forbidden);
      return;
    }
    handleExecUpgrade({ store, faults: options.faults ?? new Set() }, req, socket, head, url);
  });
  server.on('tlsClientError', () => {
    /* clients that give up mid-handshake (mode changes) */
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    crds.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;

  // Re-listening after 'down' can fail if another process took the port meanwhile: retry, never crash.
  let relisten: NodeJS.Timeout | undefined;
  const listenAgain = (): void => {
    relisten = undefined;
    if (closed || mode === 'down' || server.listening) return;
    server.listen(port, '127.0.0.1');
  };
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' && !closed && mode !== 'down' && relisten === undefined) relisten = setTimeout(listenAgain, 200);
  });

  const endWatches = (): void => {
    for (const w of [...watches]) w.end();
  };

  const stopListening = (): void => {
    endWatches();
    if (server.listening) server.close();
    server.closeAllConnections();
  };

  return {
    url,
    port,
    caPem: pki.caPem,
    clientCertPem: pki.clientCertPem,
    clientKeyPem: pki.clientKeyPem,
    registry,
    kubeconfig: (clusterName) => kindKubeconfig({ clusterName, server: url, caPem: pki.caPem, clientCertPem: pki.clientCertPem, clientKeyPem: pki.clientKeyPem }),
    setMode(next) {
      if (closed || next === mode) return;
      const prev = mode;
      mode = next;
      if (next === 'down') stopListening();
      else if (prev === 'down') listenAgain();
      else if (next === 'flaky') {
        // existing watches get cut too
        for (const w of [...watches]) w.cutAfter(500 + Math.floor(random() * 1500));
      }
    },
    setAdminRights(granted) {
      adminRights = granted;
    },
    setAdmission(fn) {
      admission = fn;
    },
    onNextReady(callback) {
      readyCallbacks.push(callback);
    },
    refusedCount: () => refused,
    mode: () => mode,
    requestCount: () => total,
    requestCounts: () => new Map(counts),
    resetRequestCount() {
      counts.clear();
      total = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (relisten) clearTimeout(relisten);
      crds.close();
      endWatches();
      await new Promise<void>((resolve) => {
        if (!server.listening) {
          server.closeAllConnections();
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
