/**
 * The real-world tier: `lab` against the real control plane, the real tigera-operator and Calico's
 * own IPAM (src/real/). One world for the file, steps in order: deploy → status → verify → faults →
 * destroy. Runs only under `npm run test:real` (inside its network namespace); otherwise it skips and
 * says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, realSkipReason, REQUIRED, startRealTestWorld, type RealTestWorld } from '../helpers/real-world.js';
import type { Obj } from '../../src/real/kube.js';
import { collectConformance, watchRealConditions, probeFirstBlocks, writeConformance, type Collected } from '../helpers/real-conformance.js';

const skip = realSkipReason([...REQUIRED, 'tigera-operator', 'calico-node', 'calico-ipam', 'kube-controllers']);
if (skip) {
  describe('real world', () => {
    it.skip(skip, () => undefined);
  });
  process.stderr.write(`test/real/lab.test.ts: ${skip}\n`);
} else {
  describe('real world: lab against the real control plane, operator and IPAM', () => {
    let t: RealTestWorld;
    let watch: ReturnType<typeof watchRealConditions> | undefined;
    let conformance: Collected | undefined;
    const transcript: string[] = [];
    const lab = async (args: string[], timeoutMs?: number): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
      const r = await t.runLab(args, timeoutMs === undefined ? {} : { timeoutMs });
      transcript.push(`$ lab ${args.join(' ')}\n# exit ${r.exitCode}\n${r.stdout}${r.stderr}`);
      return r;
    };
    const kube = () => {
      const cp = t.world.controlPlane();
      if (!cp) throw new Error('no control plane: containerlab deploy did not create the cluster');
      return cp.kube;
    };

    beforeAll(async () => {
      t = await startRealTestWorld('lab');
      watch = watchRealConditions(() => t.world.kube());
    });
    afterAll(async () => {
      await watch?.stop();
      writeFileSync(join(artifactsDir(), 'lab', 'transcript.txt'), transcript.join('\n\n'));
      await t?.close();
    });

    it('lab deploy converges on TigeraStatus written by the real operator', async () => {
      let r = await lab(['deploy', '--topology', t.topology, '--timeout', '12m']);
      if (r.exitCode !== 0 && /does not serve Installation/.test(r.stderr)) {
        // Known product defect found by the real world (reported): discovery of a just-Established CRD can
        // lag on a real API server while the operator (-manage-crds) updates the CRDs; lab gives up after
        // one discovery refresh. `lab deploy` picks up from there.
        writeFileSync(join(artifactsDir(), 'summary.txt'), 'product defect seen: custom resources applied before discovery served Installation (deploy re-run once)\n', { flag: 'a' });
        r = await lab(['deploy', '--topology', t.topology, '--timeout', '12m']);
      }
      expect(r.exitCode, r.stderr).toBe(0);
      const k = kube();
      const calico = await k.get<Obj & { status?: { conditions?: { type: string; status: string }[] }; metadata: { managedFields?: { manager?: string; subresource?: string }[] } }>('/apis/operator.tigera.io/v1/tigerastatuses/calico');
      expect(calico.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
      // written by the operator, not by the world or the product
      const writers = (calico.metadata.managedFields ?? []).filter((f) => f.subresource === 'status').map((f) => f.manager);
      expect(writers).toContain('operator');
      const ds = await k.get<{ status?: { desiredNumberScheduled?: number; numberAvailable?: number } }>('/apis/apps/v1/namespaces/calico-system/daemonsets/calico-node');
      expect(ds.status?.desiredNumberScheduled).toBe(3);
      const pods = await k.list('/api/v1/namespaces/calico-system/pods?labelSelector=k8s-app%3Dcalico-node');
      expect(pods.filter((p) => (p as { status?: { phase?: string } }).status?.phase === 'Running')).toHaveLength(3);
      await watch?.stop();
      conformance = await collectConformance(t, watch?.log.steps ?? [], watch?.stats);
      const report = writeConformance(conformance, artifactsDir());
      process.stderr.write(`conformance report: ${report.md} (${report.total} differences, ${report.open} open; first-block probes follow)\n`);
    });

    it('lab status reads the real cluster', async () => {
      const r = await lab(['status', '--topology', t.topology, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as { nodes?: { name: string; ready: boolean }[] };
      expect(s.nodes?.map((n) => n.name).sort()).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    });

    it('lab verify passes on IPAM objects made by Calico and real calicoctl output', async () => {
      const k = kube();
      const blocks = await k.list('/apis/crd.projectcalico.org/v1/ipamblocks');
      const affinities = await k.list('/apis/crd.projectcalico.org/v1/blockaffinities');
      expect(blocks.length).toBeGreaterThanOrEqual(3);
      expect(new Set(affinities.map((a) => (a as { spec?: { node?: string } }).spec?.node))).toEqual(new Set(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']));
      const r = await lab(['verify', '--topology', t.topology]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    });

    it('an IP leaked through the real IPAM makes lab verify fail', async () => {
      const ip = await t.world.cni()?.leak('calico-ipam-worker');
      expect(ip).toMatch(/^192\.168\./);
      const r = await lab(['verify', '--topology', t.topology]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout + r.stderr).toContain(ip as string);
    });

    it('a deleted block affinity makes lab verify fail', async () => {
      const k = kube();
      const affinities = await k.list('/apis/crd.projectcalico.org/v1/blockaffinities');
      const victim = affinities.find((a) => (a as { spec?: { node?: string } }).spec?.node === 'calico-ipam-worker2');
      expect(victim).toBeDefined();
      await k.remove(`/apis/crd.projectcalico.org/v1/blockaffinities/${victim?.metadata?.name}`);
      const r = await lab(['verify', '--topology', t.topology]);
      expect(r.exitCode).toBe(1);
    });

    it('real Calico IPAM gives node names nobody listed the first block the simulated walk picks', async () => {
      // Last before the cluster goes: a probe adds a Node (the DaemonSets may start pods on it).
      expect(conformance, 'the deploy test collected the conformance facts').toBeDefined();
      const probes = await probeFirstBlocks(t);
      (conformance as Collected).extra.probes = probes;
      const report = writeConformance(conformance as Collected, artifactsDir());
      process.stderr.write(`conformance report: ${report.md} (${report.total} differences, ${report.open} open)\n`);
      for (const p of probes) expect(p.real, `real calico-ipam claimed a block for ${p.host}`).toMatch(/^192\.168\.\d+\.\d+\/26$/);
      expect(probes.filter((p) => p.sim !== p.real)).toEqual([]);
    });

    it('with the operator stopped, lab deploy times out (exit 4)', async () => {
      const d = await lab(['destroy', '--topology', t.topology]);
      expect(d.exitCode, d.stderr).toBe(0);
      t.world.held.add('tigera-operator');
      const r = await lab(['deploy', '--topology', t.topology, '--timeout', '3m']);
      t.world.held.delete('tigera-operator');
      expect(r.exitCode, r.stderr).toBe(4);
      expect(t.world.procs.get('tigera-operator')?.running() ?? false).toBe(false);
    });

    it('lab destroy removes the cluster and the real control plane', async () => {
      const r = await lab(['destroy', '--topology', t.topology]);
      expect(r.exitCode, r.stderr).toBe(0);
      await t.world.settled();
      expect(t.world.controlPlane()).toBeUndefined();
      expect(t.world.procs.list().filter((p) => p.running()).map((p) => p.name)).toEqual([]);
    });
  });
}
