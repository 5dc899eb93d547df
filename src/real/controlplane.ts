/**
 * The real control plane of one kind cluster, as kubeadm would run it but as plain processes in the
 * world's network namespace: Debian etcd, then kube-apiserver (HTTPS, client certificates, RBAC,
 * service account tokens), kube-controller-manager and kube-scheduler, all on 127.0.0.1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { certKubeconfig, generateRealPki, type RealPki } from './pki.js';
import { Kube } from './kube.js';
import { Procs, waitFor } from './procs.js';
import type { Binary, Program } from './components.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ControlPlaneSpec {
  clusterName: string;
  podSubnet: string;
  serviceSubnet: string;
  /** The 1st address of the service subnet (the `kubernetes` Service). */
  serviceIp: string;
  apiPort: number;
  /** The control-plane node's address (the `kubernetes` endpoints; loopback is refused there). */
  advertiseAddress: string;
}

/** PKI and kubeconfigs, made before the control plane starts (kind hands out the kubeconfig first). */
export interface Prepared {
  server: string;
  pki: RealPki;
  kubeconfigs: { admin: string; world: string };
  adminKubeconfigText: string;
}

export function prepareControlPlane(clusterName: string, serviceIp: string, apiPort: number, stateDir: string): Prepared {
  mkdirSync(stateDir, { recursive: true });
  const pki = generateRealPki(join(stateDir, 'pki'), serviceIp);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigs = { admin: join(stateDir, 'admin.kubeconfig'), world: join(stateDir, 'world.kubeconfig') };
  const adminKubeconfigText = certKubeconfig(clusterName, server, pki, 'admin');
  writeFileSync(kubeconfigs.admin, adminKubeconfigText);
  writeFileSync(kubeconfigs.world, certKubeconfig(clusterName, server, pki, 'world'));
  return { server, pki, kubeconfigs, adminKubeconfigText };
}

export interface ControlPlane {
  spec: ControlPlaneSpec;
  server: string;
  pki: RealPki;
  kube: Kube;
  /** Kubeconfig files: `admin` (what kind hands out) and `world` (system:masters, the world's controllers). */
  kubeconfigs: { admin: string; world: string };
  adminKubeconfigText: string;
  stop(): Promise<void>;
}

export async function startControlPlane(spec: ControlPlaneSpec, prepared: Prepared, bins: Map<Program, Binary>, procs: Procs, stateDir: string, signal: AbortSignal): Promise<ControlPlane> {
  const bin = (p: Program): string => {
    const b = bins.get(p);
    if (!b) throw new Error(`real world: ${p} is not built (run scripts/real/build.mjs)`);
    return b.path;
  };
  const { server, pki, kubeconfigs, adminKubeconfigText } = prepared;

  const etcdClient = await freePort();
  const etcdPeer = await freePort();
  const etcd = procs.start('etcd', bin('etcd'), [
    '--name', 'lab-real',
    '--data-dir', join(stateDir, 'etcd'),
    '--listen-client-urls', `http://127.0.0.1:${etcdClient}`,
    '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-cluster', `lab-real=http://127.0.0.1:${etcdPeer}`,
    '--listen-metrics-urls', '',
  ], { graceMs: 2_000 });
  await waitFor('etcd /health', async () => {
    const r = await fetch(`http://127.0.0.1:${etcdClient}/health`, { signal: AbortSignal.timeout(2_000) });
    return r.ok ? true : undefined;
  }, { timeoutMs: 30_000, proc: etcd, procs, signal });

  const apiserver = procs.start('kube-apiserver', bin('kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1',
    `--advertise-address=${spec.advertiseAddress}`,
    `--secure-port=${spec.apiPort}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-cluster-ip-range=${spec.serviceSubnet}`,
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=1',
  ], { graceMs: 2_000 });
  const kube = new Kube(server, pki);
  await waitFor('kube-apiserver /readyz', async () => ((await kube.req<string>('GET', '/readyz', undefined, { timeoutMs: 2_000 }).then(() => true, (e: unknown) => {
    // /readyz answers text: JSON.parse fails on "ok" but the status was 200
    if (e instanceof SyntaxError) return true;
    throw e;
  })) ? true : undefined), { timeoutMs: 90_000, proc: apiserver, procs, signal, intervalMs: 500 });

  procs.start('kube-controller-manager', bin('kube-controller-manager'), [
    `--kubeconfig=${kubeconfigs.world}`,
    `--authentication-kubeconfig=${kubeconfigs.world}`,
    `--authorization-kubeconfig=${kubeconfigs.world}`,
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--leader-elect=false',
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--allocate-node-cidrs=true',
    `--cluster-cidr=${spec.podSubnet}`,
    `--service-cluster-ip-range=${spec.serviceSubnet}`,
    `--cluster-name=${spec.clusterName}`,
    `--root-ca-file=${pki.caCert}`,
    `--service-account-private-key-file=${pki.saKey}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    '--use-service-account-credentials=true',
    '--v=1',
  ]);
  procs.start('kube-scheduler', bin('kube-scheduler'), [
    `--kubeconfig=${kubeconfigs.world}`,
    `--authentication-kubeconfig=${kubeconfigs.world}`,
    `--authorization-kubeconfig=${kubeconfigs.world}`,
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--leader-elect=false',
    '--v=1',
  ]);
  // kube-controller-manager's token controller: the default ServiceAccount shows up in kube-system
  await waitFor('kube-controller-manager (ServiceAccount kube-system/default)', () => kube.find('/api/v1/namespaces/kube-system/serviceaccounts/default').then((o) => (o ? true : undefined)), {
    timeoutMs: 60_000,
    proc: procs.get('kube-controller-manager'),
    procs,
    signal,
    intervalMs: 500,
  });

  return {
    spec,
    server,
    pki,
    kube,
    kubeconfigs,
    adminKubeconfigText,
    stop: async () => {
      kube.close();
      for (const name of ['kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) await procs.stop(name);
    },
  };
}
