import { describe, expect, it } from 'vitest';
import { compareVersions, KIND_NODE_IMAGES, kindLibraryOf, nodeImageSupport, parseVersion, splitImage } from '../../../src/doctor/tables.js';

describe('containerlab → embedded kind library (containerlab-contract.yaml kind_go_library)', () => {
  it.each([
    ['0.79.0', 'v0.31.0'],
    ['0.73.0', 'v0.31.0'],
    ['v0.75.1', 'v0.31.0'],
    ['0.72.9', 'v0.27.0'],
    ['0.65.0', 'v0.27.0'],
    ['0.64.2', 'v0.26.0'],
    ['0.63.0', 'v0.26.0'],
    ['0.62.9', undefined],
    ['not-a-version', undefined],
  ])('%s embeds kind %s', (clab, kind) => {
    expect(kindLibraryOf(clab)).toBe(kind);
  });
});

describe('kind release → node images', () => {
  it('covers every release from v0.20 to v0.32 with digests', () => {
    for (let minor = 20; minor <= 32; minor++) {
      const images = KIND_NODE_IMAGES[`v0.${minor}.0`];
      expect(images, `v0.${minor}.0`).toBeDefined();
      for (const image of images!) expect(image).toMatch(/^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    }
  });

  it('kindest/node:v1.28.0 was published with kind v0.20.0, not with v0.31.0', () => {
    expect(nodeImageSupport('v0.20.0', 'kindest/node:v1.28.0')).toMatchObject({ supported: true, builtFor: ['v0.20.0'] });
    const v31 = nodeImageSupport('v0.31.0', 'kindest/node:v1.28.0');
    expect(v31.supported).toBe(false);
    expect(v31.builtFor).toEqual(['v0.20.0']);
    expect(v31.supportedImages[0]).toMatch(/^kindest\/node:v1\.35\.0@sha256:452d707d/);
  });

  it('the default image of a release is supported, with or without digest and docker.io prefix', () => {
    expect(nodeImageSupport('v0.31.0', 'kindest/node:v1.35.0').supported).toBe(true);
    expect(nodeImageSupport('v0.31.0', 'docker.io/kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f').supported).toBe(true);
  });

  it('a digest that differs from the published one is not supported', () => {
    const r = nodeImageSupport('v0.31.0', `kindest/node:v1.35.0@sha256:${'0'.repeat(64)}`);
    expect(r).toMatchObject({ supported: false, digestMismatch: true });
  });

  it('an unknown release has no images', () => {
    expect(nodeImageSupport('v0.99.0', 'kindest/node:v1.28.0')).toMatchObject({ supported: false, knownRelease: false, supportedImages: [] });
  });
});

describe('versions and image references', () => {
  it('parses and compares', () => {
    expect(parseVersion('v0.79.0')).toEqual([0, 79, 0]);
    expect(parseVersion('28.5')).toEqual([28, 5, 0]);
    expect(parseVersion('0.75.0-rc1')).toEqual([0, 75, 0]);
    expect(parseVersion('x')).toBeUndefined();
    expect(compareVersions([0, 74, 9], [0, 75, 0])).toBeLessThan(0);
    expect(compareVersions([0, 75, 0], [0, 75, 0])).toBe(0);
  });

  it('splits image references', () => {
    expect(splitImage('kindest/node:v1.28.0@sha256:abc')).toEqual({ repository: 'kindest/node', tag: 'v1.28.0', digest: 'sha256:abc' });
    expect(splitImage('localhost:5000/kindest/node')).toEqual({ repository: 'localhost:5000/kindest/node', tag: undefined, digest: undefined });
  });
});
