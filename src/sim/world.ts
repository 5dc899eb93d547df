/**
 * The simulated lab world: a temp dir with fake executables on PATH (containerlab, clab, kind, docker,
 * calicoctl, sudo → a control server in this process), a Kubernetes API server (src/sim/apiserver), the
 * kind boot controller, Calico (src/sim/calico), a download server and a pins file. `world.env` is all a
 * command needs to run "in" the world; the product reads only PATH, LAB_PINS and XDG_CACHE_HOME from it.
 */
import { setMaxListeners } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Recorder, SimClock, type ConditionMark, type FaultId, type HostState, type SimClusterSpec, type SimContext, type ToolHandler } from './context.js';
import { ObjectStore, type ResourceRef } from './store.js';
import { CLIENT_SCRIPT, shimScript } from './dispatch/client.js';
import { startDispatcher, type Dispatcher } from './dispatch/server.js';
import type { SimRuntime } from './dispatch/runtime.js';
import { clusterSpec, KindClusters, parseKindConfig } from './cluster/kind.js';
import { startDownloads, type Downloads } from './downloads.js';
import { apiFaultOnUp, adminRightsOnUp, parseFaults } from './faults.js';
import { containerlab } from './tools/containerlab.js';
import { kind } from './tools/kind.js';
import { docker } from './tools/docker.js';
import { sudo } from './tools/sudo.js';
import { startApiServer, type ApiServer } from './apiserver/index.js';
import { calicoctl, startCalico } from './calico/index.js';
import { startWorkloads } from './workloads/index.js';

export interface WorldOptions {
  /** Real ms per simulated ms (default 0.1 for the demo; tests use ~0.01). Fault `slow` multiplies it by 3. */
  timeScale?: number;
  faults?: FaultId[];
  /** State dir (created if absent, removed by stop()). Default: a new temp dir. */
  dir?: string;
  /**
   * Topology whose cluster fault `leftover-cluster` pre-creates (default: the lesson shipped in
   * `topology/01-calico-ipam/calico-ipam.clab.yaml`). Only read when that fault is active.
   */
  topology?: string;
  /**
   * kind's worker join completes only once this condition is recorded (or after `capMs` real ms), so
   * a test can show an order of events (e.g. Calico installed before the last worker joined) without
   * racing the host's load. Default: the join takes its scaled time and nothing else.
   */
  holdWorkerJoinUntil?: { condition: string; capMs: number };
}

export interface World {
  dir: string;
  /** HOME of the world's env (the invoking user's): kind writes `<homeDir>/.kube/config` unless told otherwise. */
  homeDir: string;
  /** root's HOME, as the simulated sudo sets it. */
  rootHome: string;
  env: Record<string, string>;
  store: ObjectStore;
  host: HostState;
  recorder: Recorder;
  clock: SimClock;
  api?: ApiServer;
  faults: ReadonlySet<FaultId>;
  /** The download server (artifacts + pins). */
  downloads: Downloads;
  /** Every fake-tool invocation received (tool, argv, cwd, exit code). */
  invocations: Dispatcher['history'];
  registerTool(name: string, handler: ToolHandler): void;
  criticalPath(): { realMs: number; simMs: number; chain: string[] };
  conditions(): ConditionMark[];
  stop(): Promise<void>;
}

export const TOOL_NAMES = ['containerlab', 'clab', 'kind', 'docker', 'calicoctl', 'sudo'] as const;

const DEFAULT_TOPOLOGY = fileURLToPath(new URL('../../topology/01-calico-ipam/calico-ipam.clab.yaml', import.meta.url));

function topologyCluster(topologyFile: string): SimClusterSpec | undefined {
  const doc = parseYaml(readFileSync(topologyFile, 'utf8')) as { topology?: { nodes?: Record<string, { kind?: string; image?: string; 'startup-config'?: string }> } };
  for (const [name, def] of Object.entries(doc.topology?.nodes ?? {})) {
    if (def.kind !== 'k8s-kind') continue;
    const sc = def['startup-config'];
    const cfgPath = sc === undefined ? undefined : join(join(topologyFile, '..'), sc);
    const config = parseKindConfig(cfgPath && existsSync(cfgPath) ? readFileSync(cfgPath, 'utf8') : undefined);
    return clusterSpec(name, config, def.image ?? 'kindest/node:v1.35.0');
  }
  return undefined;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const faultList = parseFaults(options.faults ?? []);
  const faults: ReadonlySet<FaultId> = new Set(faultList);
  const scale = (options.timeScale ?? 0.1) * (faults.has('slow') ? 3 : 1);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'lab-sim-'));
  mkdirSync(dir, { recursive: true });
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(join(dir, 'cache'), { recursive: true });
  // The world's own HOME and root's HOME: kind writes <HOME>/.kube/config, never the real user's.
  const homeDir = join(dir, 'home');
  const rootHome = join(dir, 'root');
  mkdirSync(homeDir, { recursive: true });
  mkdirSync(rootHome, { recursive: true });

  const controller = new AbortController();
  // every controller loop, timer and tool invocation of the world listens on it
  setMaxListeners(1000, controller.signal);
  const clock = new SimClock(scale);
  const recorder = new Recorder(clock);
  const store = new ObjectStore();
  const ctx: SimContext = { store, clock, faults, recorder, signal: controller.signal };
  const host: HostState = { containers: new Map(), networks: new Map(), images: new Set(), nodeImages: new Map(), nodePulls: [] };

  // Every resource that ever held an object, so deleting a cluster can empty its "etcd".
  const seenRefs = new Map<string, ResourceRef>();
  const unwatch = store.watch(undefined, (e) => seenRefs.set(`${e.ref.group}/${e.ref.resource}`, e.ref));

  const cleanups: (() => Promise<void> | void)[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    controller.abort(new Error('the simulated world stopped'));
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // keep stopping the rest
      }
    }
    unwatch();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const api = await startApiServer({ store, faults, ...(faults.has('calico-crd-errors') ? { failingListGroups: ['crd.projectcalico.org/v1'] } : {}) });
    api.setMode('down');
    cleanups.push(() => api.close());

    const dispatcher = await startDispatcher(controller.signal);
    cleanups.push(() => dispatcher.close());
    const downloads = await startDownloads({ dir, corrupt: faults.has('checksum-mismatch') });
    cleanups.push(() => downloads.close());

    const spentFaults = new Set<string>();
    let cluster: { controller: AbortController; calico?: { stop(): void }; workloads?: { stop(): void } } | undefined;
    const endCluster = (): void => {
      if (!cluster) return;
      cluster.controller.abort();
      cluster.calico?.stop();
      cluster.workloads?.stop();
      api.setAdmission(undefined);
      cluster = undefined;
    };
    cleanups.push(endCluster);
    const hold = options.holdWorkerJoinUntil;
    const clusters = new KindClusters(ctx, host, {
      apiPort: () => api.port,
      ...(hold ? { beforeWorkersJoin: async (signal: AbortSignal) => void (await recorder.waitFor(hold.condition, hold.capMs, signal)) } : {}),
      onApiUp: (spec) => {
        endCluster();
        const clusterController = new AbortController();
        setMaxListeners(1000, clusterController.signal);
        controller.signal.addEventListener('abort', () => clusterController.abort(), { once: true });
        cluster = { controller: clusterController };
        api.setMode(apiFaultOnUp(faults, api, clock, clusterController.signal, spentFaults));
        adminRightsOnUp(faults, api, clock, clusterController.signal, spentFaults);
        cluster.calico = startCalico({ ...ctx, signal: clusterController.signal }, host, spec, api);
        const workloads = startWorkloads({ ...ctx, signal: clusterController.signal }, host, spec);
        cluster.workloads = workloads;
        api.setAdmission((type, obj) => workloads.admit(type, obj));
      },
      onDeleted: () => {
        endCluster();
        api.setMode('down');
        for (const ref of seenRefs.values()) store.drop(ref);
      },
    });
    const runtime: SimRuntime = { ctx, host, clusters, dispatcher, binDir, rootHome, api, spentFaults };

    dispatcher.registerTool('containerlab', containerlab(runtime));
    dispatcher.registerTool('clab', containerlab(runtime));
    dispatcher.registerTool('kind', kind(runtime));
    dispatcher.registerTool('docker', docker(runtime));
    dispatcher.registerTool('sudo', sudo(runtime));
    dispatcher.registerTool('calicoctl', calicoctl);

    const clientPath = join(binDir, 'lab-sim-client.cjs');
    writeFileSync(clientPath, CLIENT_SCRIPT);
    for (const name of TOOL_NAMES) {
      const p = join(binDir, name);
      writeFileSync(p, shimScript(name === 'clab' ? 'clab' : name));
      chmodSync(p, 0o755);
    }

    if (faults.has('leftover-cluster')) {
      const spec = topologyCluster(options.topology ?? DEFAULT_TOPOLOGY);
      if (spec) {
        host.images.add(spec.image);
        await clusters.create(spec, { log: () => undefined, signal: controller.signal, instant: true });
      }
    }

    const env: Record<string, string> = {
      ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
      PATH: `${binDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      LAB_PINS: downloads.pinsFile,
      XDG_CACHE_HOME: join(dir, 'cache'),
      HOME: homeDir,
      LAB_SIM_URL: dispatcher.url,
      LAB_SIM_NODE: process.execPath,
      LAB_SIM_CLIENT: clientPath,
    };

    return {
      dir,
      homeDir,
      rootHome,
      env,
      store,
      host,
      recorder,
      clock,
      api,
      faults,
      downloads,
      invocations: dispatcher.history,
      registerTool: (name, handler) => dispatcher.registerTool(name, handler),
      criticalPath: () => recorder.criticalPath(),
      conditions: () => recorder.conditions(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
