/**
 * The real lab world (beside src/sim/world.ts, same boundaries): fake containerlab/clab/kind/docker/sudo
 * on PATH talking to a control server in this process, a pins file via $LAB_PINS pointing at the REAL
 * Calico manifests and the locally built calicoctl, and — when `containerlab deploy` creates the kind
 * cluster — the REAL control plane, kwok, the real tigera-operator and Calico's own IPAM code.
 * It runs only inside its own network namespace (src/real/netns.ts). The product cannot tell it from
 * the simulated world: it sees PATH, LAB_PINS and XDG_CACHE_HOME.
 */
import { setMaxListeners } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, SimClock, type HostState, type SimContext } from '../sim/context.js';
import { ObjectStore } from '../sim/store.js';
import { CLIENT_SCRIPT, shimScript } from '../sim/dispatch/client.js';
import { startDispatcher, type Dispatcher } from '../sim/dispatch/server.js';
import type { ApiServerLike, SimRuntime } from '../sim/dispatch/runtime.js';
import { containerlab } from '../sim/tools/containerlab.js';
import { kind } from '../sim/tools/kind.js';
import { docker } from '../sim/tools/docker.js';
import { sudo } from '../sim/tools/sudo.js';
import { findAll, type Binary, type Program } from './components.js';
import { freePort, type ControlPlane } from './controlplane.js';
import { RealClusters } from './clusters.js';
import { startRealDownloads, type RealDownloads } from './downloads.js';
import { Kubelet, type RunnablePod } from './kubelet.js';
import { Cni } from './cni.js';
import { Procs } from './procs.js';
import { assertInWorldNetns } from './netns.js';
import { fakeBanner } from './fake.js';
import type { Kube } from './kube.js';

export const REAL_TOOL_NAMES = ['containerlab', 'clab', 'kind', 'docker', 'sudo'] as const;

export interface RealWorldOptions {
  /** Where component logs go (kept after stop: test artifacts). */
  logDir: string;
  /** Directory of the real manifests (../shared/reference/calico/manifests/<version>). */
  manifestsDir: string;
  calicoVersion?: string;
  dir?: string;
  log?: (line: string) => void;
}

export interface RealWorld {
  dir: string;
  netns: string;
  env: Record<string, string>;
  bins: Map<Program, Binary>;
  missing: Program[];
  procs: Procs;
  downloads: RealDownloads;
  invocations: Dispatcher['history'];
  /** The running cluster's control plane (after `containerlab deploy`). */
  controlPlane(): ControlPlane | undefined;
  /** A world client of the cluster being created, usable from the moment its API answers (src/real/observer.ts). */
  kube(): Kube | undefined;
  kubelet(): Kubelet | undefined;
  /** Pods whose real process the world keeps stopped (fault: "stop the operator"). */
  held: Set<RunnablePod['id']>;
  cni(): Cni | undefined;
  /** Resolves when a cluster deletion in progress has stopped every process of it. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRealWorld(options: RealWorldOptions): Promise<RealWorld> {
  const netns = assertInWorldNetns();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  log(fakeBanner());
  const { found: bins, missing } = findAll();
  const calicoctl = bins.get('calicoctl');
  if (!calicoctl) throw new Error('real world: calicoctl is not built (scripts/real/build.mjs --only calicoctl)');

  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'lab-real-'));
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(join(dir, 'cache'), { recursive: true });
  const controller = new AbortController();
  setMaxListeners(1000, controller.signal);
  const clock = new SimClock(0.01);
  const ctx: SimContext = { store: new ObjectStore(), clock, faults: new Set(), recorder: new Recorder(clock), signal: controller.signal };
  const host: HostState = { containers: new Map(), networks: new Map(), images: new Set(), nodeImages: new Map(), nodePulls: [] };
  const procs = new Procs(options.logDir);

  const cleanups: (() => Promise<void> | void)[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    controller.abort(new Error('the real world stopped'));
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // keep stopping the rest
      }
    }
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const dispatcher = await startDispatcher(controller.signal);
    cleanups.push(() => dispatcher.close());
    const downloads = await startRealDownloads({ dir, manifestsDir: options.manifestsDir, version: options.calicoVersion ?? 'v3.30.0', calicoctl: calicoctl.path });
    cleanups.push(() => downloads.close());

    const apiPort = await freePort();
    const held = new Set<RunnablePod['id']>();
    let kubelet: Kubelet | undefined;
    let cni: Cni | undefined;
    const clusters: RealClusters = new RealClusters(ctx, host, apiPort, bins, procs, join(dir, 'state'), controller.signal, {
      onUp: async (cp) => {
        cni = new Cni(cp, bins, join(dir, 'state'), options.logDir);
        kubelet = new Kubelet({ cp, bins, procs, stateDir: join(dir, 'state'), signal: controller.signal, cni, held, log });
        kubelet.start();
      },
      onDown: async () => {
        const k = kubelet;
        kubelet = undefined;
        cni = undefined;
        await k?.stop();
        for (const id of ['tigera-operator', 'calico-kube-controllers']) await procs.stop(id);
      },
    });
    cleanups.push(async () => {
      await clusters.settled();
      await kubelet?.stop();
    });
    const api: ApiServerLike = {
      url: `https://127.0.0.1:${apiPort}`,
      port: apiPort,
      kubeconfig: () => clusters.kubeconfig() ?? '',
      setMode: () => undefined,
      // the real API server's RBAC decides admin rights (the sim's admin-rights-late fault is not modelled here)
      setAdminRights: () => undefined,
      onNextReady: () => undefined,
      requestCount: () => 0,
      resetRequestCount: () => undefined,
      close: async () => undefined,
    };
    // The world's own HOME and root's (the fake sudo sets it): kind writes <HOME>/.kube/config, never the real user's.
    const homeDir = join(dir, 'home');
    const rootHome = join(dir, 'root');
    mkdirSync(homeDir, { recursive: true });
    mkdirSync(rootHome, { recursive: true });
    const runtime: SimRuntime = { ctx, host, clusters, dispatcher, binDir, rootHome, api, spentFaults: new Set() };
    dispatcher.registerTool('containerlab', containerlab(runtime));
    dispatcher.registerTool('clab', containerlab(runtime));
    dispatcher.registerTool('kind', kind(runtime));
    dispatcher.registerTool('docker', docker(runtime));
    dispatcher.registerTool('sudo', sudo(runtime));

    const clientPath = join(binDir, 'lab-sim-client.cjs');
    writeFileSync(clientPath, CLIENT_SCRIPT);
    for (const name of REAL_TOOL_NAMES) {
      const p = join(binDir, name);
      writeFileSync(p, shimScript(name));
      chmodSync(p, 0o755);
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
      CLAB_VERSION_CHECK: 'disable',
    };
    return {
      dir,
      netns,
      env,
      bins,
      missing,
      procs,
      downloads,
      invocations: dispatcher.history,
      controlPlane: () => clusters.current,
      kube: () => clusters.apiClient(),
      kubelet: () => kubelet,
      held,
      cni: () => cni,
      settled: () => clusters.settled(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
