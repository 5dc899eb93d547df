/**
 * The real components of the real world (issue 11): what scripts/real/build.mjs builds, from which
 * pinned Go module versions, with which ldflags. One entry per cache directory
 * `${XDG_CACHE_HOME:-~/.cache}/lab/real/<name>-<version>/bin/`.
 *
 * kind: 'go'      built from the wrapper module scripts/real/go/<recipe>/ (go.mod + go.sum pin every
 *                 module; GOFLAGS=-mod=readonly so a build never changes them)
 *       'apt'     a Debian package's binary, copied into the cache (its version recorded)
 *       'missing' cannot be had on these machines; `reason` says why (the manifest carries it so the
 *                 real-world tier skips visibly)
 * set:  'base' is built by default and in CI; 'next' only with --all.
 */

const K8S = 'v1.28.15';
const K8S_MINOR = '28';
const kubeVersionFlags = [
  `-X k8s.io/component-base/version.gitVersion=${K8S}`,
  '-X k8s.io/component-base/version.gitMajor=1',
  `-X k8s.io/component-base/version.gitMinor=${K8S_MINOR}`,
  '-X k8s.io/component-base/version.gitTreeState=clean',
  '-X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z',
  `-X k8s.io/client-go/pkg/version.gitVersion=${K8S}`,
  '-X k8s.io/client-go/pkg/version.gitMajor=1',
  `-X k8s.io/client-go/pkg/version.gitMinor=${K8S_MINOR}`,
];

const CLAB = 'github.com/srl-labs/containerlab/cmd';

/** Calico built from its release tag's pseudo-version (the module path has no /v3). */
function calico(version, commit10, set) {
  const p = 'github.com/projectcalico/calico';
  return {
    name: 'calico',
    version,
    kind: 'go',
    set,
    recipe: `calico-${version}`,
    // The calico modules are served without sum.golang.org entries here; go.sum pins their hashes.
    env: { GONOSUMDB: 'github.com/projectcalico' },
    binaries: [
      {
        out: 'calicoctl',
        pkg: `${p}/calicoctl/calicoctl`,
        ldflags: [
          `-X ${p}/calicoctl/calicoctl/commands.VERSION=${version}`,
          `-X ${p}/calicoctl/calicoctl/commands.GIT_REVISION=${commit10}`,
          `-X ${p}/calicoctl/calicoctl/commands/common.VERSION=${version}`,
          `-X main.VERSION=${version}`,
        ],
      },
      // One binary, two names: it acts as the calico-ipam plugin when invoked as calico-ipam.
      { out: 'calico', pkg: `${p}/cni-plugin/cmd/calico`, ldflags: [`-X main.VERSION=${version}`], links: ['calico-ipam'] },
      {
        out: 'calico-node',
        pkg: `${p}/node/cmd/calico-node`,
        ldflags: [
          `-X ${p}/node/pkg/lifecycle/startup.VERSION=${version}`,
          `-X ${p}/node/buildinfo.GitVersion=${version}`,
          `-X ${p}/node/buildinfo.GitRevision=${commit10}`,
        ],
      },
      { out: 'calico-kube-controllers', pkg: `${p}/kube-controllers/cmd/kube-controllers`, ldflags: [`-X main.VERSION=${version}`] },
    ],
  };
}

export const COMPONENTS = [
  {
    name: 'kind',
    version: 'v0.31.0',
    kind: 'go',
    set: 'base',
    recipe: 'kind',
    binaries: [{ out: 'kind', pkg: 'sigs.k8s.io/kind', ldflags: [] }],
  },
  {
    name: 'containerlab',
    version: '0.79.0',
    kind: 'go',
    set: 'base',
    recipe: 'containerlab',
    // As upstream's .goreleaser.yml: without these `containerlab version` says 0.0.0.
    binaries: [
      {
        out: 'containerlab',
        pkg: 'github.com/srl-labs/containerlab',
        ldflags: [`-X ${CLAB}.Version=0.79.0`, `-X ${CLAB}.commit=5ae50094`, `-X ${CLAB}.date=1970-01-01T00:00:00Z`],
      },
    ],
  },
  {
    name: 'kubernetes',
    version: K8S,
    kind: 'go',
    set: 'base',
    recipe: `kubernetes-${K8S}`,
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((b) => ({
      out: b,
      pkg: `k8s.io/kubernetes/cmd/${b}`,
      ldflags: kubeVersionFlags,
    })),
  },
  { name: 'etcd', kind: 'apt', set: 'base', package: 'etcd-server', binaries: [{ out: 'etcd', from: '/usr/bin/etcd' }] },
  {
    name: 'kwok',
    version: 'v0.8.0',
    kind: 'go',
    set: 'base',
    recipe: 'kwok',
    binaries: [{ out: 'kwok', pkg: 'sigs.k8s.io/kwok/cmd/kwok', ldflags: ['-X sigs.k8s.io/kwok/pkg/consts.Version=0.8.0'] }],
  },
  calico('v3.30.1', '393b14e729', 'base'),
  {
    name: 'calico',
    version: 'v3.30.0',
    kind: 'missing',
    set: 'base',
    reason:
      'the Go module proxy here refuses github.com/projectcalico/calico at v3.30.0 (its pseudo-version v0.0.0-20250505173043-572a32dd9b2f: 403 "not available"); v3.30.1 is served and built instead',
  },
  {
    name: 'tigera-operator',
    version: 'v1.38.0',
    kind: 'missing',
    set: 'base',
    reason: 'the Go module proxy here refuses github.com/tigera/operator (v1.38.0: 403 "This module version is not available")',
  },
  {
    name: 'tigera-operator',
    version: 'v1.40.3',
    kind: 'missing',
    set: 'next',
    reason: 'the Go module proxy here refuses github.com/tigera/operator (v1.40.3: 403 "This module version is not available")',
  },
];
