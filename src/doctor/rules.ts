/**
 * The doctor's rules: pure functions over gathered HostFacts and the Lab model. Each says pass / warn /
 * fail in one line, with a one-line fix when there is something to do. `fatal` rules are the ones
 * `lab deploy` runs as its preflight: a failure there means deploy cannot succeed.
 */
import { cidrOverlaps, parseCidr } from '../lab/cidr.js';
import type { Lab } from '../lab/model.js';
import type { FactKey, HostFacts, Probe } from './facts.js';
import { compareVersions, kindLibraryOf, MIN_CONTAINERLAB, nodeImageSupport, parseVersion, splitImage, THRESHOLDS } from './tables.js';

export type DoctorStatus = 'pass' | 'warn' | 'fail';

export interface DoctorResult {
  id: string;
  title: string;
  status: DoctorStatus;
  /** One line: what was found. */
  summary: string;
  /** One line (or a few commands joined by ` && `/`; `): what to do. Present for warn/fail. */
  fix?: string;
  /** Part of the preflight `lab deploy` runs. */
  fatal: boolean;
  /** Extra lines (e.g. the supported node images). */
  details?: string[];
}

type Verdict = Omit<DoctorResult, 'id' | 'title' | 'fatal'>;

export interface DoctorRule {
  id: string;
  title: string;
  fatal: boolean;
  needs: readonly FactKey[];
  check(facts: HostFacts, lab: Lab): Verdict;
}

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;

function notGathered(what: string): Verdict {
  return { status: 'warn', summary: `${what} was not checked`, fix: 'run `lab doctor` for the full check' };
}

function failedProbe(what: string, p: Extract<Probe<unknown>, { ok: false }>): string {
  return `${what}: ${p.error}`;
}

const DOCKER_DOWN_FIX = 'start Docker (`sudo systemctl start docker`) and check that `docker info` works';

function dockerDownFix(error: string): string {
  if (/not installed|not found on PATH/i.test(error)) return 'install Docker Engine: https://docs.docker.com/engine/install/';
  if (/permission denied/i.test(error)) return 'add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again) or run lab as root';
  return DOCKER_DOWN_FIX;
}

export const dockerRule: DoctorRule = {
  id: 'docker',
  title: 'Docker daemon',
  fatal: true,
  needs: ['docker'],
  check(facts) {
    const p = facts.docker;
    if (!p) return notGathered('Docker');
    if (!p.ok) return { status: 'fail', summary: `Docker is not reachable: ${p.error.replace(/^cannot reach the Docker daemon: /, '')}`, fix: dockerDownFix(p.error) };
    const d = p.value;
    const cgroup = `cgroup v${d.cgroupVersion ?? '?'}, ${d.cgroupDriver ?? 'unknown'} driver${d.rootless ? ', rootless' : ''}`;
    return { status: 'pass', summary: `Docker ${d.serverVersion} reachable (${cgroup})` };
  },
};

export const cgroupRule: DoctorRule = {
  id: 'docker-cgroup',
  title: 'cgroups',
  fatal: false,
  needs: ['docker'],
  check(facts) {
    const p = facts.docker;
    if (!p) return notGathered('cgroups');
    if (!p.ok) return { status: 'warn', summary: 'not checked: Docker is not reachable', fix: dockerDownFix(p.error) };
    const d = p.value;
    const what = `cgroup v${d.cgroupVersion ?? '?'} with the ${d.cgroupDriver ?? 'unknown'} driver`;
    if (d.cgroupDriver === 'none') {
      return { status: 'fail', summary: `${what}: containers get no resource control, kind nodes cannot run kubelet`, fix: 'run Docker on a host with cgroups enabled (cgroup v2 recommended)' };
    }
    if (d.cgroupVersion === '1') {
      if (d.rootless) {
        return { status: 'fail', summary: `rootless Docker on ${what}: kind needs cgroup v2 for rootless providers`, fix: 'boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and delegate controllers: https://kind.sigs.k8s.io/docs/user/rootless/' };
      }
      return { status: 'warn', summary: `${what}: works for this lab, but Kubernetes keeps cgroup v1 in maintenance mode only (since 1.31)`, fix: 'prefer a host with cgroup v2 (systemd.unified_cgroup_hierarchy=1)' };
    }
    return { status: 'pass', summary: what };
  },
};

export const containerlabRule: DoctorRule = {
  id: 'containerlab',
  title: 'containerlab',
  fatal: true,
  needs: ['containerlab'],
  check(facts) {
    const p = facts.containerlab;
    if (!p) return notGathered('containerlab');
    const install = `install containerlab ≥ ${MIN_CONTAINERLAB}: https://containerlab.dev/install/`;
    if (!p.ok) return { status: 'fail', summary: p.missing ? 'containerlab is not installed (not found on PATH)' : failedProbe('containerlab did not answer', p), fix: install };
    const version = parseVersion(p.value.version);
    if (!version) return { status: 'warn', summary: `containerlab at ${p.value.path}: version unknown (\`containerlab version\` printed none)`, fix: install };
    if (compareVersions(version, parseVersion(MIN_CONTAINERLAB)!) < 0) {
      return {
        status: 'fail',
        summary: `containerlab ${p.value.version} is older than ${MIN_CONTAINERLAB}: it exits 0 when a node fails to deploy, so failures go unnoticed`,
        fix: `upgrade: ${install.replace(/^install /, '')} (or \`sudo containerlab version upgrade\`)`,
      };
    }
    return { status: 'pass', summary: `containerlab ${p.value.version} (${p.value.path})` };
  },
};

export const nodeImageRule: DoctorRule = {
  id: 'kind-node-image',
  title: 'kind node image',
  fatal: false,
  needs: ['containerlab'],
  check(facts, lab) {
    const p = facts.containerlab;
    if (!p) return notGathered('the node image');
    if (!p.ok || p.value.version === undefined) return { status: 'warn', summary: `not checked: containerlab version unknown; the topology uses ${lab.nodeImage}`, fix: `install containerlab ≥ ${MIN_CONTAINERLAB}` };
    const kind = kindLibraryOf(p.value.version);
    if (kind === undefined) {
      return { status: 'warn', summary: `containerlab ${p.value.version} embeds a kind library this table does not know; the topology uses ${lab.nodeImage}`, fix: `upgrade containerlab to ≥ ${MIN_CONTAINERLAB}` };
    }
    const image = splitImage(lab.nodeImage);
    if (image.repository !== 'kindest/node') {
      return { status: 'warn', summary: `${lab.nodeImage} is not a kindest/node image: kind (${kind}, inside containerlab ${p.value.version}) supports only its own node images`, fix: 'use a kindest/node image built for that kind release' };
    }
    const support = nodeImageSupport(kind, lab.nodeImage);
    if (support.supported) {
      return { status: 'pass', summary: `${lab.nodeImage} was published with kind ${kind}, the library inside containerlab ${p.value.version}` };
    }
    const built = support.builtFor.length > 0 ? `was published with kind ${support.builtFor.join(', ')}` : 'is not in the table of images published with kind v0.20–v0.32';
    const details = support.supportedImages.length > 0 ? [`images published with kind ${kind}:`, ...support.supportedImages.map((i) => `  ${i}`)] : [];
    const why = support.digestMismatch ? `its digest differs from the one kind ${kind} published` : built;
    return {
      status: 'warn',
      summary: `${lab.nodeImage} ${why}; containerlab ${p.value.version} embeds kind ${kind}, which supports it only best-effort`,
      fix: support.supportedImages.length > 0 ? `if the cluster fails to start, set the topology's image to ${support.supportedImages[0]} (the lesson was written for ${lab.nodeImage})` : 'see the kind release notes for the images built for that release',
      details,
    };
  },
};

export const containerlabRootRule: DoctorRule = {
  id: 'containerlab-root',
  title: 'root for containerlab',
  fatal: true,
  needs: ['root'],
  check(facts) {
    const p = facts.root;
    if (!p) return notGathered('root for containerlab');
    if (!p.ok) return { status: 'fail', summary: failedProbe('could not tell how containerlab gets root', p), fix: 'run lab as root, or allow passwordless sudo' };
    const r = p.value;
    if (r.preference === 'always') {
      return r.sudoNonInteractive
        ? { status: 'pass', summary: 'containerlab deploy/destroy run through `sudo -n` (--sudo)' }
        : { status: 'fail', summary: '--sudo was given but `sudo -n true` fails (a password is needed, or sudo is missing)', fix: 'allow passwordless sudo for your user, or run lab as root' };
    }
    if (r.uid === 0) return { status: 'pass', summary: 'running as root' };
    if (r.suidRoot) {
      if (r.clabAdminsExists && !r.inClabAdmins) {
        return {
          status: 'fail',
          summary: `containerlab is installed SUID root, but user ${r.username ?? '?'} is not in the clab_admins group it requires`,
          fix: `sudo usermod -aG clab_admins ${r.username ?? '$USER'}  (then log in again)`,
        };
      }
      return { status: 'pass', summary: `containerlab is installed SUID root${r.clabAdminsExists ? ' and you are in clab_admins' : ''}` };
    }
    if (r.preference === 'never') {
      return { status: 'fail', summary: '--no-sudo: not root and containerlab is not installed SUID root', fix: 'run lab as root, install containerlab with its installer (SUID), or drop --no-sudo' };
    }
    if (r.sudoNonInteractive) return { status: 'pass', summary: 'containerlab deploy/destroy will run through `sudo -n` (passwordless sudo works)' };
    return {
      status: 'fail',
      summary: `not root, containerlab${r.containerlabPath ? ` (${r.containerlabPath})` : ''} is not SUID root, and \`sudo -n\` needs a password`,
      fix: 'install containerlab with its installer (SUID + clab_admins), run lab as root, or allow passwordless sudo (lab never asks for a password)',
    };
  },
};

export const kindCliRule: DoctorRule = {
  id: 'kind',
  title: 'kind CLI',
  fatal: true,
  needs: ['kind'],
  check(facts) {
    const p = facts.kind;
    if (!p) return notGathered('kind');
    if (!p.ok) {
      return {
        status: 'fail',
        summary: p.missing ? 'kind is not installed: lab uses it for the kubeconfig, logs and cleanup (containerlab embeds kind only as a library)' : failedProbe('kind did not answer', p),
        fix: 'install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
      };
    }
    return { status: 'pass', summary: `kind ${p.value.version ?? '(version unknown)'}: used for the kubeconfig, logs and cleanup` };
  },
};

export const kubectlRule: DoctorRule = {
  id: 'kubectl',
  title: 'kubectl (optional)',
  fatal: false,
  needs: ['kubectl'],
  check(facts, lab) {
    const p = facts.kubectl;
    if (!p) return notGathered('kubectl');
    const use = 'lab itself never runs kubectl; the lesson\'s exercises use it';
    if (!p.ok) {
      return {
        status: 'warn',
        summary: p.missing ? `kubectl is not installed: ${use}` : failedProbe('kubectl did not answer', p),
        fix: `install kubectl ${lab.kubernetesVersion ? `(${lab.kubernetesVersion.replace(/\.\d+$/, '')} ± 1)` : ''}: https://kubernetes.io/docs/tasks/tools/`.replace('  ', ' '),
      };
    }
    return { status: 'pass', summary: `kubectl ${p.value.version ?? ''} (${use})`.replace('  ', ' ') };
  },
};

export const calicoctlRule: DoctorRule = {
  id: 'calicoctl',
  title: 'calicoctl',
  fatal: false,
  needs: ['calicoctl'],
  check(facts, lab) {
    const p = facts.calicoctl;
    if (!p) return notGathered('calicoctl');
    const version = lab.calico.version;
    if (!p.ok) return { status: 'warn', summary: failedProbe('calicoctl not checked', p), fix: 'run `lab doctor --verbose`' };
    const c = p.value;
    if (!c.pinned) {
      return {
        status: 'fail',
        summary: `no calicoctl ${version} is pinned for ${c.platform} in ${lab.pinsFile} (lab verify needs it)`,
        fix: `add a ${c.platform} entry (url + sha256 from the release's SHA256SUMS) to a copy of the pins file and pass it with --pins`,
      };
    }
    if (c.cachedPath) return { status: 'pass', summary: `calicoctl ${version} (${c.platform}) is in the download cache` };
    if (c.offline) {
      return { status: 'fail', summary: `--offline: calicoctl ${version} (${c.platform}) is not in the download cache`, fix: 'run `lab deploy` once with network access (same $XDG_CACHE_HOME), or use --pins with a local mirror' };
    }
    if (!c.download) return notGathered('the calicoctl download');
    if (!c.download.ok) {
      return {
        status: 'fail',
        summary: `calicoctl ${version} is not cached and its pinned URL cannot be reached: ${c.download.error}`,
        fix: 'check network/proxy access to the URL, or point --pins / $LAB_PINS at a mirror',
      };
    }
    return { status: 'pass', summary: `calicoctl ${version} (${c.platform}) is pinned and downloadable; fetched and sha256-verified on first use` };
  },
};

export const inotifyRule: DoctorRule = {
  id: 'inotify',
  title: 'inotify limits',
  fatal: false,
  needs: ['inotify'],
  check(facts) {
    if (facts.platform.os !== 'linux') return { status: 'pass', summary: `not Linux (${facts.platform.os}): the Docker VM's limits apply` };
    const p = facts.inotify;
    if (!p) return notGathered('inotify limits');
    const fix = `sudo sysctl -w fs.inotify.max_user_watches=${THRESHOLDS.inotifyMaxUserWatches} fs.inotify.max_user_instances=${THRESHOLDS.inotifyMaxUserInstances}  (persist: the same two lines in /etc/sysctl.d/99-kind.conf)`;
    if (!p.ok) return { status: 'warn', summary: failedProbe('could not read /proc/sys/fs/inotify', p), fix };
    const { maxUserWatches, maxUserInstances } = p.value;
    const low: string[] = [];
    if (maxUserWatches < THRESHOLDS.inotifyMaxUserWatches) low.push(`max_user_watches ${maxUserWatches} < ${THRESHOLDS.inotifyMaxUserWatches}`);
    if (maxUserInstances < THRESHOLDS.inotifyMaxUserInstances) low.push(`max_user_instances ${maxUserInstances} < ${THRESHOLDS.inotifyMaxUserInstances}`);
    if (low.length > 0) return { status: 'fail', summary: `${low.join(', ')}: pods fail with "too many open files"`, fix };
    return { status: 'pass', summary: `max_user_watches ${maxUserWatches}, max_user_instances ${maxUserInstances}` };
  },
};

export const diskRule: DoctorRule = {
  id: 'disk',
  title: 'free disk',
  fatal: false,
  needs: ['disk', 'docker'],
  check(facts) {
    const p = facts.disk;
    if (!p) return notGathered('free disk');
    if (!p.ok) return { status: 'warn', summary: failedProbe('free disk not checked', p), fix: 'make sure ~10 GB are free where Docker keeps its data' };
    const { path, freeBytes } = p.value;
    const need = `three kind nodes and the Calico images need ~${gb(THRESHOLDS.diskRecommendedBytes)}`;
    const fix = 'free space (`docker system prune` removes unused images and containers) or move Docker\'s data-root';
    if (freeBytes < THRESHOLDS.diskMinimumBytes) return { status: 'fail', summary: `${gb(freeBytes)} free at ${path}: ${need}`, fix };
    if (freeBytes < THRESHOLDS.diskRecommendedBytes) return { status: 'warn', summary: `${gb(freeBytes)} free at ${path}: ${need}`, fix };
    return { status: 'pass', summary: `${gb(freeBytes)} free at ${path}` };
  },
};

export const memoryRule: DoctorRule = {
  id: 'memory',
  title: 'memory',
  fatal: false,
  needs: ['memory', 'docker'],
  check(facts) {
    const p = facts.memory;
    if (!p) return notGathered('memory');
    if (!p.ok) return { status: 'warn', summary: failedProbe('memory not checked', p), fix: 'make sure ~6 GB of memory are available to Docker' };
    const { totalBytes, availableBytes, source } = p.value;
    const where = source === 'docker' ? 'available to Docker' : 'on this host';
    const avail = availableBytes !== undefined && source === 'host' ? ` (${gb(availableBytes)} free now)` : '';
    const need = 'three kind nodes with Calico need ~6 GB';
    const fix = source === 'docker' ? 'give Docker more memory (Docker Desktop: Settings → Resources) or use a bigger host' : 'use a host with more memory, or close other workloads';
    if (totalBytes < THRESHOLDS.memoryMinimumBytes) return { status: 'fail', summary: `${gb(totalBytes)} ${where}${avail}: ${need}`, fix };
    if (totalBytes < THRESHOLDS.memoryRecommendedBytes) return { status: 'warn', summary: `${gb(totalBytes)} ${where}${avail}: ${need}`, fix };
    return { status: 'pass', summary: `${gb(totalBytes)} ${where}${avail}` };
  },
};

/** The CIDRs a docker network must not overlap, with what they are. */
export function labCidrs(lab: Lab): { cidr: string; what: string }[] {
  const out = [
    { cidr: lab.pool.cidr, what: 'the Calico pod pool' },
    { cidr: lab.podSubnet, what: 'the kind podSubnet' },
    { cidr: lab.serviceSubnet, what: 'the service CIDR' },
  ];
  return out.filter((c, i) => out.findIndex((o) => o.cidr === c.cidr) === i);
}

/** Every (network subnet, lab CIDR) pair that overlaps. Pure; exported for tests. */
export function networkOverlaps(networks: { name: string; subnets: string[] }[], lab: Lab): { network: string; subnet: string; cidr: string; what: string }[] {
  const out: { network: string; subnet: string; cidr: string; what: string }[] = [];
  for (const n of networks) {
    for (const subnet of n.subnets) {
      const s = parseCidr(subnet);
      if (!s) continue;
      for (const c of labCidrs(lab)) {
        const l = parseCidr(c.cidr);
        if (l && cidrOverlaps(s, l)) out.push({ network: n.name, subnet, cidr: c.cidr, what: c.what });
      }
    }
  }
  return out;
}

export const networkRule: DoctorRule = {
  id: 'docker-network',
  title: 'docker networks vs lab CIDRs',
  fatal: true,
  needs: ['networks'],
  check(facts, lab) {
    const p = facts.networks;
    if (!p) return notGathered('the docker networks');
    if (!p.ok) return { status: 'warn', summary: failedProbe('docker networks not checked', p), fix: DOCKER_DOWN_FIX };
    const overlaps = networkOverlaps(p.value, lab);
    const wanted = labCidrs(lab).map((c) => c.cidr).join(', ');
    if (overlaps.length > 0) {
      const first = overlaps[0]!;
      const kindNet = overlaps.some((o) => o.network === 'kind');
      return {
        status: 'fail',
        summary: `docker network ${first.network} (${first.subnet}) overlaps ${first.what} ${first.cidr}: pod or service traffic would be routed to the docker bridge`,
        fix: kindNet
          ? 'delete every kind cluster, then `docker network rm kind`, and give docker default-address-pools outside the lab CIDRs (/etc/docker/daemon.json); kind recreates the network'
          : `remove the network (\`docker network rm ${first.network}\`) or change the lab's CIDRs`,
        details: overlaps.map((o) => `${o.network} ${o.subnet} overlaps ${o.what} ${o.cidr}`),
      };
    }
    const kind = p.value.find((n) => n.name === 'kind');
    if (!kind) return { status: 'pass', summary: `no docker network "kind" yet (kind creates it; the lab uses ${wanted})` };
    return { status: 'pass', summary: `docker network kind (${kind.subnets.join(', ') || 'no subnets'}) does not overlap ${wanted}` };
  },
};

export const staleLabRule: DoctorRule = {
  id: 'stale-lab',
  title: 'leftovers of this lab',
  fatal: false,
  needs: ['staleLab'],
  check(facts, lab) {
    const p = facts.staleLab;
    if (!p) return notGathered('leftovers');
    if (!p.ok) return { status: 'warn', summary: failedProbe('leftovers not checked', p), fix: DOCKER_DOWN_FIX };
    const s = p.value;
    const fix = '`lab destroy --yes` removes exactly this lab (containers, kind cluster, lab dir, kubeconfig); `lab deploy --recreate` starts over';
    if (s.containers.length > 0) {
      const states = [...s.containers].sort((a, b) => a.name.localeCompare(b.name)).map((c) => `${c.name} (${c.state})`).join(', ');
      const allRunning = s.containers.every((c) => c.state === 'running');
      return {
        status: 'warn',
        summary: `cluster ${lab.cluster} already exists: ${states}${allRunning ? '; `lab deploy` reuses it when healthy' : ''}`,
        fix,
      };
    }
    const files = [s.labDirExists ? lab.labDir : undefined, s.kubeconfigExists ? lab.kubeconfigPath : undefined].filter((f): f is string => f !== undefined);
    if (files.length > 0) return { status: 'warn', summary: `no cluster ${lab.cluster}, but files of an earlier run remain: ${files.join(', ')}`, fix };
    return { status: 'pass', summary: `no cluster, containers or files named ${lab.cluster}` };
  },
};

/**
 * kind run as root (inside SUID containerlab, or `sudo kind`) writes the invoking user's
 * ~/.kube/config; a new file (and ~/.kube) is then root-owned, and kubectl or a later
 * `kind delete cluster` run as the user cannot update it. lab itself never writes there.
 */
export const userKubeconfigRule: DoctorRule = {
  id: 'user-kubeconfig',
  title: '~/.kube/config ownership',
  fatal: false,
  needs: ['userKubeconfig'],
  check(facts) {
    const p = facts.userKubeconfig;
    if (!p) return notGathered('~/.kube/config');
    if (!p.ok) return { status: 'warn', summary: failedProbe('~/.kube/config', p) };
    const { path, fileUid, dirUid, uid } = p.value;
    if (uid === 0 || uid === undefined) return { status: 'pass', summary: `${path}: lab runs as root, ownership does not matter` };
    const rootOwned = [fileUid === 0 ? path : undefined, dirUid === 0 ? path.replace(/\/config$/, '') : undefined].filter((x): x is string => x !== undefined);
    if (rootOwned.length > 0) {
      return {
        status: 'warn',
        summary: `${rootOwned.join(' and ')} ${rootOwned.length > 1 ? 'are' : 'is'} owned by root (kind run as root wrote it): kubectl and \`kind delete cluster\` cannot update it`,
        fix: `sudo chown -R $(id -u):$(id -g) ${path.replace(/\/config$/, '')}`,
      };
    }
    return { status: 'pass', summary: fileUid === undefined ? `${path} does not exist (lab does not need it)` : `${path} is yours` };
  },
};

/** Every rule, in the order the report shows them. */
export const RULES: readonly DoctorRule[] = [
  dockerRule,
  cgroupRule,
  containerlabRule,
  containerlabRootRule,
  nodeImageRule,
  kindCliRule,
  kubectlRule,
  calicoctlRule,
  inotifyRule,
  diskRule,
  memoryRule,
  networkRule,
  staleLabRule,
  userKubeconfigRule,
];

/** The preflight subset `lab deploy` runs. */
export const FATAL_RULES: readonly DoctorRule[] = RULES.filter((r) => r.fatal);

/** Judge gathered facts. Pure. */
export function evaluate(rules: readonly DoctorRule[], facts: HostFacts, lab: Lab): DoctorResult[] {
  return rules.map((rule) => {
    const verdict = rule.check(facts, lab);
    return { id: rule.id, title: rule.title, fatal: rule.fatal, ...verdict };
  });
}

/** The fact probes a set of rules needs. */
export function factsNeeded(rules: readonly DoctorRule[]): Set<FactKey> {
  return new Set(rules.flatMap((r) => r.needs));
}
