/**
 * The Calico releases the simulated world knows, as facts: which tigera-operator ships with each, the
 * registry that operator pulls Calico's images from, and the image set it deploys for the custom
 * resources a lab creates.
 *
 * Sources (facts only, nothing copied): github.com/tigera/operator at v1.38.0 and v1.40.3,
 * `config/calico_versions.yml` (title v3.30.0 / v3.31.3), `pkg/components/calico.go` (image names and
 * tags), `pkg/components/images.go` (`CalicoRegistry`: `docker.io/` in v1.38.0, `quay.io/` in v1.40.3;
 * `TigeraRegistry` and `InitRegistry`: `quay.io/`), `pkg/components/references.go` (which components
 * take `CalicoRegistry`), and the renderers that use each component: `pkg/render/node.go` (calico-node,
 * cni, pod2daemon-flexvol), `typha.go`, `kubecontrollers/`, `csi.go`, `apiserver.go` (only with an
 * APIServer), `goldmane/component.go` (only with a Goldmane), `whisker/component.go` (whisker and
 * whisker-backend, only with a Whisker).
 */

export interface CalicoReleaseFacts {
  calico: string;
  operator: string;
  /** Tag commit of projectcalico/calico (short), as `calicoctl version` prints it. */
  gitCommit: string;
  /** Where this operator pulls Calico's own images from (`CalicoRegistry`). */
  calicoRegistry: string;
}

export const RELEASES: Readonly<Record<string, CalicoReleaseFacts>> = {
  'v3.30.0': { calico: 'v3.30.0', operator: 'v1.38.0', gitCommit: '572a32dd9b', calicoRegistry: 'docker.io/' },
  'v3.31.3': { calico: 'v3.31.3', operator: 'v1.40.3', gitCommit: '2e3c880bca', calicoRegistry: 'quay.io/' },
};

export const DEFAULT_RELEASE = 'v3.30.0';

/** The images one release's operator deploys, by role. */
export interface ReleaseImages {
  operator: string;
  node: string;
  cni: string;
  flexvol: string;
  typha: string;
  kubeControllers: string;
  csi: string;
  registrar: string;
  apiserver: string;
  goldmane: string;
  whisker: string;
  whiskerBackend: string;
}

export function releaseImages(r: CalicoReleaseFacts): ReleaseImages {
  const c = (name: string): string => `${r.calicoRegistry}calico/${name}:${r.calico}`;
  return {
    operator: `quay.io/tigera/operator:${r.operator}`,
    node: c('node'),
    cni: c('cni'),
    flexvol: c('pod2daemon-flexvol'),
    typha: c('typha'),
    kubeControllers: c('kube-controllers'),
    csi: c('csi'),
    registrar: c('node-driver-registrar'),
    apiserver: c('apiserver'),
    goldmane: c('goldmane'),
    whisker: c('whisker'),
    whiskerBackend: c('whisker-backend'),
  };
}

/** The pins file's image lists for a release: the operator + what an Installation deploys, then per custom resource kind. */
export function pinnedImages(r: CalicoReleaseFacts): { images: string[]; customResourceImages: Record<string, string[]> } {
  const i = releaseImages(r);
  return {
    images: [i.operator, i.node, i.cni, i.flexvol, i.typha, i.kubeControllers, i.csi, i.registrar],
    customResourceImages: { APIServer: [i.apiserver], Goldmane: [i.goldmane], Whisker: [i.whisker, i.whiskerBackend] },
  };
}

/** The release whose operator runs `image` (`quay.io/tigera/operator:<tag>`), or undefined. */
export function releaseOfOperatorImage(image: string | undefined): CalicoReleaseFacts | undefined {
  const tag = image?.split('@')[0]?.split(':').pop();
  return Object.values(RELEASES).find((r) => r.operator === tag);
}
