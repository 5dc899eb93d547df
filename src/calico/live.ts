/**
 * The real sources for `gatherInputs`: the lab's kubeconfig and API client, containerlab, docker,
 * the pinned calicoctl from the download cache, and the host's routes. Used by `lab verify` and
 * `lab snapshot`; everything else in `src/calico` is pure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCalicoctl } from '../artifacts/index.js';
import type { ObserveSources } from '../exercises/gather.js';
import { KubeClient } from '../kube/client.js';
import { nodeRoutes, podNetwork, productDockerExec } from '../observe/index.js';
import type { Lab } from '../lab/model.js';
import { runCalicoctl } from '../tools/calicoctl.js';
import { containerlabInspect } from '../tools/containerlab.js';
import { kindNetworkSubnets } from '../tools/docker.js';
import { run, tail } from '../tools/exec.js';
import type { Logger } from '../ui/log.js';
import { PrerequisiteError } from '../errors.js';
import { NotApplicableHere, type GatherSources, type ListClient } from './gather.js';

export interface LiveOptions {
  offline: boolean;
  signal: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Per tool call, ms. */
  timeout?: number;
}

export interface LiveSources extends GatherSources {
  /** Exec into pods (the API's exec subresource) and kind nodes (docker exec), for the exercises' samples. */
  observe: ObserveSources | { unavailable: string };
  /** Number of Kubernetes API requests made (for the "one list per resource type" budget). */
  requestCount(): number;
  close(): void;
}

/** The `server:` of the kubeconfig's first cluster (for messages), or the path when it cannot be read. */
function serverOf(kubeconfig: string): string {
  try {
    const m = /server:\s*(\S+)/.exec(readFileSync(kubeconfig, 'utf8'));
    return m?.[1] ?? kubeconfig;
  } catch {
    return kubeconfig;
  }
}

export async function liveSources(lab: Lab, o: LiveOptions): Promise<LiveSources> {
  let client: KubeClient | undefined;
  let made: Promise<KubeClient> | undefined;
  let kube: GatherSources['kube'];
  if (!existsSync(lab.kubeconfigPath)) {
    kube = { unavailable: `no kubeconfig at ${lab.kubeconfigPath} (run \`lab deploy\` first)` };
  } else {
    // Made in the background: loading the API client overlaps the tool calls gather starts at once.
    made = KubeClient.fromFile(lab.kubeconfigPath, { signal: o.signal, log: o.log }).then(
      (c) => (client = c),
      (error: unknown) => {
        throw new Error(`cannot read the kubeconfig ${lab.kubeconfigPath}: ${(error as Error).message}`);
      },
    );
    made.catch(() => undefined);
    const pending = made;
    const server = serverOf(lab.kubeconfigPath);
    // Every failure names the API address: "the API at https://127.0.0.1:6443: GET …: connect ECONNREFUSED".
    const lazy: ListClient = {
      list: async <T>(apiVersion: string, plural: string) => {
        const c = await pending;
        try {
          return await c.list<T>(apiVersion, plural);
        } catch (error) {
          throw new Error(`the API at ${c.server.origin || server}: ${(error as Error).message}`, { cause: error });
        }
      },
    };
    kube = lazy;
  }
  const tool = { signal: o.signal, log: o.log, env: o.env, ...(o.timeout !== undefined ? { timeout: o.timeout } : {}) };
  let binary: Promise<string> | undefined;
  const calicoctl = async (args: string[]): Promise<string> => {
    binary ??= ensureCalicoctl(lab, { offline: o.offline, signal: o.signal, log: o.log, env: o.env }).catch((error: unknown) => {
      // No build pinned for this OS: calicoctl cannot run here (not applicable); a failed download is a failure.
      if (error instanceof PrerequisiteError && /is not pinned for/.test(error.message)) throw new NotApplicableHere(error.message);
      throw error;
    });
    const bin = await binary;
    let r = await runCalicoctl(bin, args, { ...tool, kubeconfig: lab.kubeconfigPath });
    if (r.exitCode !== 0 && /Version mismatch/i.test(r.stderr + r.stdout)) {
      // Read-only commands: a patch-level difference between the pinned client and the cluster is harmless.
      r = await runCalicoctl(bin, [...args, '--allow-version-mismatch'], { ...tool, kubeconfig: lab.kubeconfigPath });
    }
    if (r.exitCode !== 0) throw new Error(`calicoctl ${args.slice(0, 2).join(' ')} failed (exit ${r.exitCode}): ${tail(r.stderr || r.stdout, 3).join(' / ')}`);
    return r.stdout;
  };
  return {
    kube,
    containers: () => containerlabInspect(lab.topologyFile, { ...tool, labName: lab.name }),
    kindSubnets: () => kindNetworkSubnets(tool),
    ipamShowText: () => calicoctl(['ipam', 'show', '--show-blocks']),
    ipamCheckText: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'lab-ipam-check-'));
      try {
        const file = join(dir, 'report.json');
        await calicoctl(['ipam', 'check', '-o', file]);
        return await readFile(file, 'utf8');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    hostRoutesText: async () => {
      try {
        const r = await run('ip', ['-j', 'route'], { ...tool, timeout: 5_000 });
        if (r.exitCode === 0 && r.stdout.trim().startsWith('[')) return r.stdout;
      } catch {
        // no `ip` (macOS, minimal images): fall back to /proc
      }
      try {
        return await readFile('/proc/net/route', 'utf8');
      } catch {
        throw new NotApplicableHere('this host has no route table verify can read (no `ip -j route`, no /proc/net/route)');
      }
    },
    observe: made === undefined && 'unavailable' in kube
      ? { unavailable: kube.unavailable }
      : {
          pod: async (ref, x) => podNetwork(await made!, ref, { ...x, ...(x.signal ? {} : { signal: o.signal }) }),
          node: (name, x) => nodeRoutes(productDockerExec, name, { ...x, ...(x.signal ? {} : { signal: o.signal }) }),
        },
    requestCount: () => client?.requestCount ?? 0,
    close: () => {
      client?.close();
      made?.then((c) => c.close(), () => undefined);
    },
  };
}
