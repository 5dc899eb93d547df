/**
 * The world as the kubelet's CNI caller, with Calico's own code deciding every address:
 * - when the calico-node pod of a node runs, `calico-node -startup` (the real binary, the pod's env,
 *   the calico-node ServiceAccount's token) registers the node with Calico and writes
 *   ClusterInformation, then the tunnel address allocator gives the node its VXLAN address;
 * - for each pod on the pod network of a ready node, the real `calico-ipam` plugin is called with
 *   CNI_COMMAND=ADD and the network config the operator rendered (install-cni's
 *   CNI_NETWORK_CONFIG), and the pod is annotated with the address it returned; DEL when the pod goes.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Binary, Program } from './components.js';
import type { ControlPlane } from './controlplane.js';
import { containerEnv, podToken, type Container, type PodLike } from './podenv.js';
import { tokenKubeconfig } from './pki.js';
import { INTERNAL_IP_ANNOTATION, POD_IP_ANNOTATION } from './kwok.js';
import type { Obj } from './kube.js';

export interface CniCall {
  command: 'ADD' | 'DEL';
  pod: string;
  node: string;
  containerId: string;
  exitCode: number;
  ip?: string;
  output: string;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string>, input: string | undefined, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end(input ?? '');
  });
}

/**
 * calico-node as its pod runs it, with the hostPath volume /var/lib/calico: calico-node -startup
 * creates /var/lib/calico when it is missing (a fixed path in node/pkg/lifecycle/startup), so it runs
 * in a mount namespace of its own where a tmpfs covers /var/lib and the node's state dir is bound at
 * /var/lib/calico — the host's /var/lib is never written.
 */
function withCalicoVolume(nodeDir: string, file: string, args: string[]): [string, string[]] {
  const script = 'mount -t tmpfs lab-real-world /var/lib && mkdir /var/lib/calico && mount --bind "$0" /var/lib/calico && exec "$@"';
  return ['unshare', ['--mount', '--propagation', 'private', 'sh', '-ec', script, nodeDir, file, ...args]];
}

const running = (p: PodLike): boolean => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined;

export class Cni {
  readonly calls: CniCall[] = [];
  private readonly nodes = new Map<string, string>(); // node → calico-node pod uid whose startup succeeded
  private readonly failing = new Map<string, string>();
  private readonly added = new Map<string, { pod: PodLike; containerId: string; node: string }>(); // pod uid →
  private cniKubeconfig: string | undefined;
  private readonly logFile: string;
  private readonly pluginLog: string;

  constructor(
    private readonly cp: ControlPlane,
    private readonly bins: Map<Program, Binary>,
    private readonly stateDir: string,
    logDir: string,
  ) {
    mkdirSync(join(stateDir, 'cni'), { recursive: true });
    this.logFile = join(logDir, 'cni.log');
    this.pluginLog = join(logDir, 'calico-cni-plugin.log');
  }

  private log(line: string): void {
    appendFileSync(this.logFile, `${new Date().toISOString()} ${line}\n`);
  }

  nodeStarted(node: string, podUid: string): boolean {
    return this.nodes.get(node) === podUid;
  }

  problems(): Map<string, string> {
    return new Map(this.failing);
  }

  async reconcile(pods: PodLike[], nodes: Obj[]): Promise<void> {
    for (const p of pods) {
      if (p.metadata?.namespace !== 'calico-system' || p.metadata.labels?.['k8s-app'] !== 'calico-node' || !running(p)) continue;
      const node = p.spec?.nodeName ?? '';
      if (this.nodes.get(node) === p.metadata.uid) continue;
      const ip = nodes.find((n) => n.metadata?.name === node)?.metadata?.annotations?.[INTERNAL_IP_ANNOTATION] ?? '';
      if (await this.startNode(p, node, ip)) this.nodes.set(node, p.metadata.uid ?? '');
    }
    // nodes whose calico-node pod is gone lose their network
    for (const [node, uid] of this.nodes) if (!pods.some((p) => p.metadata?.uid === uid && running(p))) this.nodes.delete(node);

    const live = new Set(pods.filter((p) => p.metadata?.deletionTimestamp === undefined).map((p) => p.metadata?.uid));
    for (const [uid, a] of this.added) if (!live.has(uid)) await this.del(uid, a);
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node === undefined || p.spec?.hostNetwork === true || p.metadata?.deletionTimestamp !== undefined) continue;
      if (p.metadata?.annotations?.[POD_IP_ANNOTATION] !== undefined || this.added.has(p.metadata?.uid ?? '')) continue;
      if (!this.nodes.has(node)) continue;
      await this.add(p, node);
    }
  }

  private async calicoNodeEnv(pod: PodLike, node: string, ip: string): Promise<Record<string, string>> {
    const c = (pod.spec?.containers ?? []).find((x) => x.name === 'calico-node') ?? pod.spec?.containers?.[0];
    const env = c ? await containerEnv(this.cp.kube, pod, c) : {};
    const dir = join(this.stateDir, 'calico-node', node);
    mkdirSync(dir, { recursive: true });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, tokenKubeconfig(this.cp.server, this.cp.pki, await podToken(this.cp.kube, pod)));
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      ...env,
      NODENAME: node,
      // no interfaces to autodetect in the world's namespace: the node's kind address, as first-found would find it on eth0
      IP: ip === '' ? 'none' : `${ip}/16`,
      IP_AUTODETECTION_METHOD: '',
      KUBECONFIG: kubeconfig,
      CALICO_STARTUP_LOGLEVEL: 'info',
      CALICO_NODENAME_FILE: join(dir, 'nodename'),
    };
  }

  private async startNode(pod: PodLike, node: string, ip: string): Promise<boolean> {
    const bin = this.bins.get('calico-node');
    if (!bin) {
      this.failing.set(node, 'calico-node is not built: the node cannot start Calico');
      return false;
    }
    const env = await this.calicoNodeEnv(pod, node, ip);
    const nodeDir = join(this.stateDir, 'calico-node', node);
    const startup = await run(...withCalicoVolume(nodeDir, bin.path, ['-startup']), env, undefined, 60_000);
    this.log(`calico-node -startup ${node}: exit ${startup.code}\n${startup.stderr}${startup.stdout}`);
    if (startup.code !== 0) {
      this.failing.set(node, `calico-node -startup exit ${startup.code}`);
      return false;
    }
    const tunnel = await run(...withCalicoVolume(nodeDir, bin.path, ['-allocate-tunnel-addrs', '-allocate-tunnel-addrs-run-once']), env, undefined, 60_000);
    this.log(`calico-node -allocate-tunnel-addrs-run-once ${node}: exit ${tunnel.code}\n${tunnel.stderr}${tunnel.stdout}`);
    if (tunnel.code !== 0) {
      this.failing.set(node, `calico-node -allocate-tunnel-addrs-run-once exit ${tunnel.code}`);
      return false;
    }
    this.failing.delete(node);
    return true;
  }

  /** The plugin config kubelet would read from /etc/cni/net.d: the operator's install-cni template, filled in. */
  private async netConfig(node: string): Promise<Record<string, unknown> | undefined> {
    const ds = await this.cp.kube.find<{ spec?: { template?: { spec?: { initContainers?: Container[] } } } }>('/apis/apps/v1/namespaces/calico-system/daemonsets/calico-node');
    const installCni = ds?.spec?.template?.spec?.initContainers?.find((c) => c.name === 'install-cni');
    if (!installCni) return undefined;
    const template = (await containerEnv(this.cp.kube, { metadata: { name: 'install-cni', namespace: 'calico-system' } }, installCni))['CNI_NETWORK_CONFIG'];
    if (template === undefined) return undefined;
    if (this.cniKubeconfig === undefined) {
      // install-cni writes a kubeconfig with the calico-cni-plugin ServiceAccount's token
      const token = await this.cp.kube.req<{ status?: { token?: string } }>('POST', '/api/v1/namespaces/calico-system/serviceaccounts/calico-cni-plugin/token', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 86_400 },
      });
      this.cniKubeconfig = join(this.stateDir, 'cni', 'calico-kubeconfig');
      writeFileSync(this.cniKubeconfig, tokenKubeconfig(this.cp.server, this.cp.pki, token.status?.token ?? ''));
    }
    const filled = template.replaceAll('__KUBECONFIG_FILEPATH__', this.cniKubeconfig).replaceAll('__CNI_MTU__', '1450');
    const conflist = JSON.parse(filled) as { name?: string; cniVersion?: string; plugins?: Record<string, unknown>[] };
    const plugin = conflist.plugins?.find((p) => p['type'] === 'calico') ?? conflist.plugins?.[0];
    if (!plugin) return undefined;
    // the plugin's own log goes to the artifacts, not to the host's /var/log/calico/cni
    // the nodename file calico-node -startup wrote for this node (kubelet's host has it in /var/lib/calico/nodename)
    return {
      cniVersion: conflist.cniVersion ?? '0.3.1',
      name: conflist.name ?? 'k8s-pod-network',
      ...plugin,
      nodename: node,
      nodename_file: join(this.stateDir, 'calico-node', node, 'nodename'),
      log_file_path: this.pluginLog,
    };
  }

  private cniEnv(command: 'ADD' | 'DEL', pod: PodLike, containerId: string, bin: Binary): Record<string, string> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      CNI_COMMAND: command,
      CNI_CONTAINERID: containerId,
      CNI_NETNS: `/var/run/netns/cni-${containerId.slice(0, 8)}`,
      CNI_IFNAME: 'eth0',
      CNI_PATH: dirname(bin.path),
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${ns};K8S_POD_NAME=${name};K8S_POD_INFRA_CONTAINER_ID=${containerId};K8S_POD_UID=${pod.metadata?.uid ?? ''}`,
    };
  }

  private async add(pod: PodLike, node: string): Promise<void> {
    const bin = this.bins.get('calico-ipam');
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (!bin) {
      this.failing.set(key, 'calico-ipam is not built');
      return;
    }
    const conf = await this.netConfig(node);
    if (!conf) return;
    const containerId = (pod.metadata?.uid ?? '').replaceAll('-', '').padEnd(64, '0').slice(0, 64);
    const r = await run(bin.path, [], this.cniEnv('ADD', pod, containerId, bin), JSON.stringify(conf), 60_000);
    let ip: string | undefined;
    try {
      const result = JSON.parse(r.stdout) as { ips?: { address?: string }[] };
      ip = result.ips?.[0]?.address?.split('/')[0];
    } catch {
      ip = undefined;
    }
    this.calls.push({ command: 'ADD', pod: key, node, containerId, exitCode: r.code, ...(ip ? { ip } : {}), output: (r.stdout + r.stderr).slice(-2000) });
    this.log(`ADD ${key} on ${node}: exit ${r.code} ip=${ip ?? '-'}\n${r.stderr}`);
    if (r.code !== 0 || ip === undefined) {
      this.failing.set(key, `calico-ipam ADD exit ${r.code}`);
      return;
    }
    this.failing.delete(key);
    this.added.set(pod.metadata?.uid ?? '', { pod, containerId, node });
    await this.cp.kube.mergePatch(`/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`, { metadata: { annotations: { [POD_IP_ANNOTATION]: ip } } });
  }

  private async del(uid: string, a: { pod: PodLike; containerId: string; node: string }): Promise<void> {
    const bin = this.bins.get('calico-ipam');
    const conf = await this.netConfig(a.node);
    if (!bin || !conf) return;
    const r = await run(bin.path, [], this.cniEnv('DEL', a.pod, a.containerId, bin), JSON.stringify(conf), 60_000);
    const key = `${a.pod.metadata?.namespace}/${a.pod.metadata?.name}`;
    this.calls.push({ command: 'DEL', pod: key, node: a.node, containerId: a.containerId, exitCode: r.code, output: (r.stdout + r.stderr).slice(-2000) });
    this.log(`DEL ${key} on ${a.node}: exit ${r.code}\n${r.stderr}`);
    if (r.code === 0) this.added.delete(uid);
  }

  /** IPs this caller holds through the real IPAM (pod → ip), for tests. */
  held(): Map<string, string> {
    const out = new Map<string, string>();
    for (const a of this.added.values()) {
      const ip = this.calls.find((c) => c.command === 'ADD' && c.containerId === a.containerId)?.ip;
      if (ip) out.set(`${a.pod.metadata?.namespace}/${a.pod.metadata?.name}`, ip);
    }
    return out;
  }

  /**
   * Oracle for the simulated block walk (conformance report): the block real Calico IPAM gives `host`
   * when it first claims one. A Node named `host` exists for the ADD (IPAM reads it for the pools'
   * node selectors); the config is `via`'s with `nodename: host`. Afterwards the address is released
   * (DEL) and the probe's block, affinity and Node are deleted, so the cluster is as before.
   */
  async probeFirstBlock(host: string, via: string): Promise<{ cidr?: string; output: string }> {
    const bin = this.bins.get('calico-ipam');
    const conf = await this.netConfig(via);
    if (!bin || !conf) return { output: 'calico-ipam is not built or the operator has not rendered the CNI config' };
    const probe: PodLike = { metadata: { name: `probe-${host}`, namespace: 'default', uid: 'probe000-0000-0000-0000-000000000000' } };
    const containerId = 'beef'.repeat(16);
    const hostConf = JSON.stringify({ ...conf, nodename: host });
    await this.cp.kube.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: host, labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': host } } });
    const add = await run(bin.path, [], this.cniEnv('ADD', probe, containerId, bin), hostConf, 60_000);
    this.log(`ADD (first-block probe) for ${host}: exit ${add.code}\n${add.stdout}${add.stderr}`);
    const affinities = await this.cp.kube.list('/apis/crd.projectcalico.org/v1/blockaffinities');
    const mine = affinities.filter((a) => (a as { spec?: { node?: string } }).spec?.node === host);
    const cidr = (mine[0] as { spec?: { cidr?: string } } | undefined)?.spec?.cidr;
    const del = await run(bin.path, [], this.cniEnv('DEL', probe, containerId, bin), hostConf, 60_000);
    this.log(`DEL (first-block probe) for ${host}: exit ${del.code}\n${del.stderr}`);
    for (const a of mine) {
      await this.cp.kube.remove(`/apis/crd.projectcalico.org/v1/blockaffinities/${a.metadata?.name}`);
      const c = (a as { spec?: { cidr?: string } }).spec?.cidr;
      if (c) await this.cp.kube.remove(`/apis/crd.projectcalico.org/v1/ipamblocks/${c.replace('/', '-').replaceAll('.', '-')}`);
    }
    await this.cp.kube.remove(`/api/v1/nodes/${host}`);
    return { ...(cidr === undefined ? {} : { cidr }), output: `${add.stdout}${add.stderr}`.slice(-1000) };
  }

  /** Fault: ADD an address for a container no pod owns — a leak only `calicoctl ipam check` can see. */
  async leak(node: string): Promise<string | undefined> {
    const bin = this.bins.get('calico-ipam');
    const conf = await this.netConfig(node);
    if (!bin || !conf) return undefined;
    const ghost: PodLike = { metadata: { name: 'leaked-by-test', namespace: 'default', uid: 'leak0000-0000-0000-0000-000000000000' } };
    const containerId = 'feed'.repeat(16);
    const r = await run(bin.path, [], this.cniEnv('ADD', ghost, containerId, bin), JSON.stringify(conf), 60_000);
    this.log(`ADD (leak) on ${node}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    try {
      return (JSON.parse(r.stdout) as { ips?: { address?: string }[] }).ips?.[0]?.address?.split('/')[0];
    } catch {
      return undefined;
    }
  }
}
