/**
 * The real world's download source: HTTP on 127.0.0.1 (inside the world's namespace) serving the
 * REAL Calico manifests from ../shared/reference/calico/manifests/<version>/ and the locally built
 * calicoctl, and a pins file in the product's format with their real sha256 values.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { RELEASES, pinnedImages } from '../sim/calico/releases.js';
import { sha256 } from '../sim/downloads.js';

export interface RealDownloads {
  url: string;
  pinsFile: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export function referenceManifestsDir(repoRoot: string, version: string): string {
  return join(repoRoot, '..', 'shared', 'reference', 'calico', 'manifests', version);
}

export async function startRealDownloads(opts: { dir: string; manifestsDir: string; version: string; calicoctl: string }): Promise<RealDownloads> {
  // The images the selected release's operator deploys (facts the simulated world also uses).
  const release = RELEASES[opts.version];
  if (!release) throw new Error(`real world: no release facts for Calico ${opts.version} (src/sim/calico/releases.ts)`);
  const artifacts = new Map<string, Buffer>();
  for (const f of ['operator-crds.yaml', 'tigera-operator.yaml']) {
    const p = join(opts.manifestsDir, f);
    if (!existsSync(p)) throw new Error(`real world: the real Calico manifest ${p} is absent (../shared/reference is needed)`);
    artifacts.set(`/calico/${opts.version}/manifests/${f}`, readFileSync(p));
  }
  artifacts.set(`/calico/${opts.version}/calicoctl-linux-amd64`, readFileSync(opts.calicoctl));
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const body = artifacts.get(path);
    if (!body || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(body ? 405 : 404).end();
      return;
    }
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entry = (path: string): { url: string; sha256: string } => ({ url: `${url}${path}`, sha256: sha256(artifacts.get(path) as Buffer) });
  const pins = {
    default: opts.version,
    versions: {
      [opts.version]: {
        manifests: {
          'operator-crds.yaml': entry(`/calico/${opts.version}/manifests/operator-crds.yaml`),
          'tigera-operator.yaml': entry(`/calico/${opts.version}/manifests/tigera-operator.yaml`),
        },
        calicoctl: { 'linux-amd64': entry(`/calico/${opts.version}/calicoctl-linux-amd64`) },
        ...pinnedImages(release),
      },
    },
  };
  const pinsFile = join(opts.dir, 'calico-pins.yaml');
  writeFileSync(pinsFile, `# Pins of the lab real world: the real manifests and the locally built calicoctl, served by ${url}.\n${stringifyYaml(pins)}`);
  return {
    url,
    pinsFile,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
