/**
 * A booted simulated world for workload tests: containerlab deploys lesson 01's topology, and the real
 * kubectl talks to the simulated API over HTTPS (kind's kubeconfig). `installCalico()` applies the
 * world's operator manifests and the lesson's custom resources and waits for TigeraStatus calico.
 */
import { execa } from 'execa';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operatorCrdsYaml } from '../../src/sim/calico/crds.js';
import { tigeraOperatorYaml } from '../../src/sim/calico/manifests.js';
import { RELEASES } from '../../src/sim/calico/releases.js';
import type { FaultId } from '../../src/sim/context.js';
import { startWorld, type World } from '../../src/sim/world.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const hasKubectl = await execa('kubectl', ['version', '--client'], { reject: false }).then((r) => r.exitCode === 0).catch(() => false);

export interface WorkloadWorld {
  world: World;
  env: Record<string, string>;
  /** kubectl in the world; throws with its stderr when it fails. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** `kubectl get … -o json`, parsed. */
  getJson<T = { items: Record<string, any>[] }>(args: string[]): Promise<T>;
  installCalico(): Promise<void>;
  /** Polls `probe` every 50 ms until it returns a value other than undefined, or fails after `ms` real ms naming `what`. */
  until<T>(what: string, probe: () => Promise<T | undefined>, ms?: number): Promise<T>;
  close(): Promise<void>;
}

export async function bootWorkloadWorld(faults: FaultId[] = []): Promise<WorkloadWorld> {
  const world = await startWorld({ timeScale: 0.002, faults });
  try {
    // a copy of lesson 01's folder: containerlab writes clab-calico-ipam/ beside the topology file
    const lesson = join(world.dir, '01-calico-ipam');
    cpSync(join(root, 'topology', '01-calico-ipam'), lesson, { recursive: true });
    const deploy = await execa('containerlab', ['deploy', '-t', join(lesson, 'calico-ipam.clab.yaml')], { env: { ...world.env, CLAB_VERSION_CHECK: 'disable' }, reject: false, cwd: mkdtempSync(join(tmpdir(), 'clab-')) });
    if (deploy.exitCode !== 0) throw new Error(`containerlab deploy failed: ${deploy.stderr}`);
    const kc = await execa('kind', ['get', 'kubeconfig', '--name', 'calico-ipam'], { env: world.env });
    const kubeconfig = join(world.dir, 'kubeconfig');
    writeFileSync(kubeconfig, kc.stdout);
    const env = { ...world.env, KUBECONFIG: kubeconfig };
    const kubectl = async (args: string[], input?: string): Promise<string> => {
      const r = await execa('kubectl', args, { env, reject: false, ...(input !== undefined ? { input } : {}) });
      if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
      return r.stdout;
    };
    const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    return {
      world,
      env,
      kubectl,
      getJson: async (args) => JSON.parse(await kubectl(['get', ...args, '-o', 'json'])),
      until,
      async installCalico() {
        const crds = join(world.dir, 'operator-crds.yaml');
        const operator = join(world.dir, 'tigera-operator.yaml');
        writeFileSync(crds, operatorCrdsYaml('v3.30.0'));
        writeFileSync(operator, tigeraOperatorYaml(RELEASES['v3.30.0']!));
        await kubectl(['create', '-f', crds]);
        await kubectl(['wait', '--for=condition=Established', 'crd/installations.operator.tigera.io', '--timeout=30s']);
        await kubectl(['apply', '--server-side', '-f', operator]);
        await kubectl(['apply', '--server-side', '-f', join(lesson, 'calico-cni-config', 'custom-resources.yaml')]);
        await kubectl(['wait', '--for=condition=Available', 'tigerastatus/calico', '--timeout=60s']);
      },
      close: () => world.stop(),
    };
  } catch (error) {
    await world.stop();
    throw error;
  }
}
