/**
 * The pins file: for each supported Calico version, the URL and sha256 of every artifact lab downloads
 * (operator-crds.yaml, tigera-operator.yaml, calicoctl per OS/arch) and the images the operator deploys
 * (for an Installation, and per other custom resource kind).
 * A mirror for air-gapped hosts is just another pins file (`--pins` or $LAB_PINS).
 */
import { UsageError } from '../errors.js';
import type { CalicoRelease, PinnedArtifact, Pins } from './model.js';
import { isRecord, Problems } from './rules.js';
import type { YamlDoc } from './yaml.js';

const SHA256 = /^[0-9a-f]{64}$/;
const MANIFESTS = ['operator-crds.yaml', 'tigera-operator.yaml'] as const;

function artifact(doc: YamlDoc, path: (string | number)[], value: unknown, problems: Problems): PinnedArtifact | undefined {
  if (!isRecord(value)) {
    problems.add(doc, path, `${path.join('.')} is missing or not a mapping`, 'give it `url:` and `sha256:`');
    return undefined;
  }
  const { url, sha256 } = value;
  if (typeof url !== 'string' || url === '') problems.add(doc, [...path, 'url'], `${path.join('.')}.url is missing`, 'give the download URL (https://, http://, file:// or a path)');
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) {
    problems.add(doc, [...path, 'sha256'], `${path.join('.')}.sha256 is not 64 lower-case hex digits`, 'copy the sha256 from the release (`sha256sum <file>`)');
  }
  return typeof url === 'string' && typeof sha256 === 'string' ? { url, sha256 } : undefined;
}

/** `customResourceImages:` kind → list of images (optional; older pins files list every image under `images`). */
function checkCustomResourceImages(doc: YamlDoc, path: string[], value: unknown, problems: Problems): Record<string, string[]> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.add(doc, path, `${path.join('.')} is not a mapping`, 'map each custom resource kind to its images, e.g. `APIServer: [quay.io/calico/apiserver:v3.31.3]`');
    return {};
  }
  const out: Record<string, string[]> = {};
  for (const [kind, list] of Object.entries(value)) {
    if (!Array.isArray(list) || !list.every((i) => typeof i === 'string' && i !== '')) {
      problems.add(doc, [...path, kind], `${path.join('.')}.${kind} is not a list of images`, 'give a list of image references');
      continue;
    }
    out[kind] = list as string[];
  }
  return out;
}

export function checkPins(doc: YamlDoc, problems: Problems): Pins | undefined {
  const v = doc.value;
  if (!isRecord(v) || !isRecord(v['versions'])) {
    problems.add(doc, ['versions'], 'the pins file has no `versions` mapping', 'see manifests/calico-pins.yaml for the format');
    return undefined;
  }
  const versions: Record<string, CalicoRelease> = {};
  for (const [version, raw] of Object.entries(v['versions'])) {
    const base = ['versions', version];
    if (!isRecord(raw)) {
      problems.add(doc, base, `versions.${version} is not a mapping`, 'give it manifests, calicoctl and images');
      continue;
    }
    const manifests = isRecord(raw['manifests']) ? raw['manifests'] : {};
    const m = Object.fromEntries(MANIFESTS.map((name) => [name, artifact(doc, [...base, 'manifests', name], manifests[name], problems)]));
    const calicoctl: Record<string, PinnedArtifact> = {};
    if (!isRecord(raw['calicoctl'])) problems.add(doc, [...base, 'calicoctl'], `versions.${version}.calicoctl is missing`, 'pin the calicoctl binary per `<os>-<arch>` (linux-amd64, linux-arm64…)');
    else {
      for (const [platform, a] of Object.entries(raw['calicoctl'])) {
        const pinned = artifact(doc, [...base, 'calicoctl', platform], a, problems);
        if (pinned) calicoctl[platform] = pinned;
      }
    }
    const images = Array.isArray(raw['images']) ? raw['images'].filter((i): i is string => typeof i === 'string') : [];
    const customResourceImages = checkCustomResourceImages(doc, [...base, 'customResourceImages'], raw['customResourceImages'], problems);
    if (m['operator-crds.yaml'] && m['tigera-operator.yaml']) {
      versions[version] = {
        version,
        manifests: { 'operator-crds.yaml': m['operator-crds.yaml'], 'tigera-operator.yaml': m['tigera-operator.yaml'] },
        calicoctl,
        images,
        customResourceImages,
      };
    }
  }
  const dflt = typeof v['default'] === 'string' ? v['default'] : Object.keys(v['versions'])[0];
  if (dflt === undefined) {
    problems.add(doc, ['versions'], 'the pins file lists no version', 'add a version under `versions`');
    return undefined;
  }
  if (!Object.hasOwn(v['versions'], dflt)) problems.add(doc, ['default'], `default version ${dflt} is not listed under versions`, `set \`default:\` to one of ${Object.keys(v['versions']).join(', ')}`);
  return { file: doc.file, default: dflt, versions };
}

export function selectRelease(pins: Pins, requested: string | undefined): CalicoRelease {
  const wanted = requested === undefined ? pins.default : requested.startsWith('v') ? requested : `v${requested}`;
  const release = pins.versions[wanted];
  if (!release) {
    throw new UsageError(`--calico-version ${requested ?? wanted}: not in the pins file ${pins.file}`, {
      hint: `choose one of ${Object.keys(pins.versions).join(', ')}, or add the version (URLs + sha256) to a pins file and pass it with --pins`,
    });
  }
  return release;
}
