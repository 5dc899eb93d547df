/**
 * Version tables the doctor rules read. Data only, each row with its source:
 * - containerlab release → the kind Go library it embeds (../shared/reference/cli/containerlab-contract.yaml
 *   `kind_go_library`, from containerlab's go.mod history).
 * - kind release → node images built for it. kind supports a node image only with the kind release it
 *   was published with (best effort with others: kind's docs, "Node Image"). The default image of each
 *   release is `pkg/apis/config/defaults/image.go` at that release's tag of kubernetes-sigs/kind;
 *   kindest/node:v1.28.0 was published with kind v0.20.0 (../shared/reference/cli/kind-contract.yaml).
 *   Each release's notes list more images; only the ones above are recorded here.
 */

export const MIN_CONTAINERLAB = '0.75.0';

/** Ranges are inclusive lower bounds, checked from the newest. */
const CONTAINERLAB_KIND_LIBRARY: { from: string; kind: string }[] = [
  { from: '0.73.0', kind: 'v0.31.0' },
  { from: '0.65.0', kind: 'v0.27.0' },
  { from: '0.63.0', kind: 'v0.26.0' },
];

/** The kind library a containerlab release embeds, or undefined when the table does not know it (< 0.63). */
export function kindLibraryOf(containerlabVersion: string): string | undefined {
  const v = parseVersion(containerlabVersion);
  if (!v) return undefined;
  for (const row of CONTAINERLAB_KIND_LIBRARY) {
    const from = parseVersion(row.from);
    if (from && compareVersions(v, from) >= 0) return row.kind;
  }
  return undefined;
}

/** kind release → node images published with it (tag@digest). */
export const KIND_NODE_IMAGES: Readonly<Record<string, readonly string[]>> = {
  'v0.20.0': [
    'kindest/node:v1.27.3@sha256:3966ac761ae0136263ffdb6cfd4db23ef8a83cba8a463690e98317add2c9ba72',
    'kindest/node:v1.28.0@sha256:b7a4cad12c197af3ba43202d3efe03246b3f0793f162afb40a33c923952d5b31',
  ],
  'v0.21.0': ['kindest/node:v1.29.1@sha256:a0cc28af37cf39b019e2b448c54d1a3f789de32536cb5a5db61a49623e527144'],
  'v0.22.0': ['kindest/node:v1.29.2@sha256:51a1434a5397193442f0be2a297b488b6c919ce8a3931be0ce822606ea5ca245'],
  'v0.23.0': ['kindest/node:v1.30.0@sha256:047357ac0cfea04663786a612ba1eaba9702bef25227a794b52890dd8bcd692e'],
  'v0.24.0': ['kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865'],
  'v0.25.0': ['kindest/node:v1.31.2@sha256:18fbefc20a7113353c7b75b5c869d7145a6abd6269154825872dc59c1329912e'],
  'v0.26.0': ['kindest/node:v1.32.0@sha256:c48c62eac5da28cdadcf560d1d8616cfa6783b58f0d94cf63ad1bf49600cb027'],
  'v0.27.0': ['kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f'],
  'v0.28.0': ['kindest/node:v1.33.1@sha256:8d866994839cd096b3590681c55a6fa4a071fdaf33be7b9660e5697d2ed13002'],
  'v0.29.0': ['kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f'],
  'v0.30.0': ['kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a'],
  'v0.31.0': ['kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f'],
  'v0.32.0': ['kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5'],
};

export interface NodeImageSupport {
  /** The node image's tag is among the images published with this kind release. */
  supported: boolean;
  /** Digest pinned in the topology differs from the one kind published for that tag. */
  digestMismatch: boolean;
  /** kind releases the image (by tag) was published with, oldest first. */
  builtFor: string[];
  /** Images published with `kindRelease` (empty when the release is not in the table). */
  supportedImages: readonly string[];
  /** The release is in the table at all. */
  knownRelease: boolean;
}

/** Split `kindest/node:v1.28.0@sha256:…` into repository, tag and digest (docker.io/ prefix ignored). */
export function splitImage(image: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const ref = at === -1 ? image : image.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > slash;
  const repository = (hasTag ? ref.slice(0, colon) : ref).replace(/^(docker\.io\/)?(library\/)?/, '');
  return { repository, tag: hasTag ? ref.slice(colon + 1) : undefined, digest };
}

/** Whether `nodeImage` was published with `kindRelease` (by tag, and by digest when the topology pins one). */
export function nodeImageSupport(kindRelease: string, nodeImage: string): NodeImageSupport {
  const want = splitImage(nodeImage);
  const releases = Object.keys(KIND_NODE_IMAGES).sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
  const builtFor: string[] = [];
  let digestMismatch = false;
  for (const release of releases) {
    for (const image of KIND_NODE_IMAGES[release] ?? []) {
      const have = splitImage(image);
      if (have.repository !== want.repository || have.tag !== want.tag) continue;
      builtFor.push(release);
      if (release === kindRelease && want.digest !== undefined && want.digest !== have.digest) digestMismatch = true;
    }
  }
  const supportedImages = KIND_NODE_IMAGES[kindRelease] ?? [];
  return {
    supported: builtFor.includes(kindRelease) && !digestMismatch,
    digestMismatch,
    builtFor,
    supportedImages,
    knownRelease: Object.hasOwn(KIND_NODE_IMAGES, kindRelease),
  };
}

export type Version = [number, number, number];

/** `v0.79.0` / `0.79.0` / `0.79.0-rc1` / `28.5.2` → [0, 79, 0]; undefined when not a version. */
export function parseVersion(text: string | undefined): Version | undefined {
  if (text === undefined) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Thresholds for three kind nodes plus the Calico images (decimal GB). */
export const THRESHOLDS = {
  inotifyMaxUserWatches: 524_288,
  inotifyMaxUserInstances: 512,
  /** Free space where docker keeps images and container layers. */
  diskRecommendedBytes: 10e9,
  diskMinimumBytes: 5e9,
  /** Total memory (docker's MemTotal: the VM's on Docker Desktop). A "6 GB" VM reports a bit less. */
  memoryRecommendedBytes: 5.5e9,
  memoryMinimumBytes: 3.5e9,
} as const;
