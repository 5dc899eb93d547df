/**
 * Our pins file (manifests/calico-pins.yaml) against upstream: every pinned manifest sha256 against the
 * bytes in ../shared/reference/calico/manifests/<version>/, every calicoctl hash against
 * ../shared/reference/calico/pins.yaml (the release's SHA256SUMS as kubespray publishes them). Skipped,
 * visibly, where the reference tree is absent (a user's clone has none).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../../src/errors.js';
import { loadLab } from '../../../src/lab/load.js';
import { checkPins } from '../../../src/lab/pins.js';
import { Problems } from '../../../src/lab/rules.js';
import { parseYamlDocuments } from '../../../src/lab/yaml.js';
import { calicoReference, skipNote } from '../../helpers/reference.js';

const MANIFESTS = calicoReference('manifests');
const REF_PINS = calicoReference('pins.yaml');
const VERSIONS = ['v3.30.0', 'v3.31.3'] as const;

const loadVersion = (v: string) => loadLab({ cwd: '/', env: {}, calicoVersion: v });
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('manifests/calico-pins.yaml', () => {
  test('knows v3.30.0 (default) and v3.31.3, each with both manifests and calicoctl for linux', async () => {
    for (const v of VERSIONS) {
      const lab = await loadVersion(v);
      expect(lab.calico.version).toBe(v);
      for (const name of ['operator-crds.yaml', 'tigera-operator.yaml'] as const) {
        expect(lab.calico.manifests[name].url).toBe(`https://raw.githubusercontent.com/projectcalico/calico/${v}/manifests/${name}`);
      }
      expect(Object.keys(lab.calico.calicoctl).sort()).toEqual(['linux-amd64', 'linux-arm64', 'linux-ppc64le']);
      for (const [platform, a] of Object.entries(lab.calico.calicoctl)) expect(a.url).toBe(`https://github.com/projectcalico/calico/releases/download/${v}/calicoctl-${platform}`);
    }
    expect((await loadLab({ cwd: '/', env: {} })).calico.version).toBe('v3.30.0');
  });

  test('an unknown version is a usage error naming the versions it knows', async () => {
    const e = await loadVersion('v3.31.9').catch((error: unknown) => error);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect((e as UsageError).message).toContain('--calico-version v3.31.9: not in the pins file');
    expect((e as UsageError).hint).toContain('choose one of v3.30.0, v3.31.3');
  });

  test('the images follow each operator: v1.38.0 pulls Calico from docker.io, v1.40.3 from quay.io', async () => {
    const a = (await loadVersion('v3.30.0')).calico;
    const b = (await loadVersion('v3.31.3')).calico;
    expect(a.images[0]).toBe('quay.io/tigera/operator:v1.38.0');
    expect(b.images[0]).toBe('quay.io/tigera/operator:v1.40.3');
    expect(a.images.slice(1).every((i) => i.startsWith('docker.io/calico/') && i.endsWith(':v3.30.0'))).toBe(true);
    expect(b.images.slice(1).every((i) => i.startsWith('quay.io/calico/') && i.endsWith(':v3.31.3'))).toBe(true);
    // the same components in both, with the registry and tag of each release
    const names = (list: string[]): string[] => list.slice(1).map((i) => i.split('/').pop()!.split(':')[0]!);
    expect(names(b.images)).toEqual(names(a.images));
    expect(Object.keys(b.customResourceImages ?? {}).sort()).toEqual(['APIServer', 'Goldmane', 'Whisker']);
    expect(b.customResourceImages?.['Whisker']).toEqual(['quay.io/calico/whisker:v3.31.3', 'quay.io/calico/whisker-backend:v3.31.3']);
  });

  for (const v of VERSIONS) {
    for (const name of ['operator-crds.yaml', 'tigera-operator.yaml'] as const) {
      const file = MANIFESTS ? join(MANIFESTS, v, name) : '';
      const present = MANIFESTS !== undefined && existsSync(file);
      test.skipIf(!present)(skipNote(`${v} ${name}: the pinned sha256 is the sha256 of upstream's bytes`, present, `../shared/reference/calico/manifests/${v}/${name}`), async () => {
        const lab = await loadVersion(v);
        expect(lab.calico.manifests[name].sha256).toBe(sha256(file));
      });
    }
  }

  test.skipIf(!REF_PINS)(skipNote('every calicoctl hash equals the reference pins (the release SHA256SUMS via kubespray)', REF_PINS !== undefined, '../shared/reference/calico/pins.yaml'), async () => {
    const ref = parseYaml(readFileSync(REF_PINS!, 'utf8')) as {
      calicoctl: Record<string, Record<string, string> | unknown>;
      calico_v3_31_3: { calicoctl: Record<string, string> };
    };
    const expected: Record<string, Record<string, string>> = {
      'v3.30.0': ref.calicoctl['v3.30.0'] as Record<string, string>,
      'v3.31.3': Object.fromEntries(Object.entries(ref.calico_v3_31_3.calicoctl).filter(([k]) => k.startsWith('linux-'))),
    };
    for (const v of VERSIONS) {
      const lab = await loadVersion(v);
      const ours = Object.fromEntries(Object.entries(lab.calico.calicoctl).map(([p, a]) => [p, a.sha256]));
      expect(ours, v).toEqual(expected[v]);
    }
  });

});

describe('customResourceImages in a pins file', () => {
  const pinsText = (extra: string): string =>
    [
      'default: v1.0.0',
      'versions:',
      '  v1.0.0:',
      '    manifests:',
      `      operator-crds.yaml: { url: https://example.invalid/a, sha256: ${'a'.repeat(64)} }`,
      `      tigera-operator.yaml: { url: https://example.invalid/b, sha256: ${'b'.repeat(64)} }`,
      '    calicoctl: {}',
      '    images: [quay.io/tigera/operator:v9.9.9]',
      extra,
    ].join('\n');
  const check = (text: string) => {
    const problems = new Problems();
    const pins = checkPins(parseYamlDocuments(text, '/x/calico-pins.yaml')[0]!, problems);
    return { pins, problems: problems.list };
  };

  test('maps each kind to its images; absent means none (older pins files)', () => {
    const a = check(pinsText('    customResourceImages:\n      APIServer: [quay.io/calico/apiserver:v1.0.0]'));
    expect(a.problems).toEqual([]);
    expect(a.pins?.versions['v1.0.0']?.customResourceImages).toEqual({ APIServer: ['quay.io/calico/apiserver:v1.0.0'] });
    expect(check(pinsText('')).pins?.versions['v1.0.0']?.customResourceImages).toEqual({});
  });

  test('a kind whose value is not a list of images is reported with file:line', () => {
    const r = check(pinsText('    customResourceImages:\n      Whisker: quay.io/calico/whisker:v1.0.0'));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: '/x/calico-pins.yaml', line: 10, message: 'versions.v1.0.0.customResourceImages.Whisker is not a list of images' });
  });
});
