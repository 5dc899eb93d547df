/**
 * The world's download source: HTTP on 127.0.0.1 serving the artifacts `lab deploy` fetches (the two
 * Calico manifests and a calicoctl "binary" per OS/arch), and a pins file in the product's format
 * (manifests/calico-pins.yaml) with their URLs and sha256 — handed to the product through $LAB_PINS.
 * Fault `checksum-mismatch`: the server serves altered bytes while the pins keep the right hash.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { operatorCrdsYaml } from './calico/crds.js';
import { tigeraOperatorYaml } from './calico/manifests.js';
import { DEFAULT_RELEASE, pinnedImages, RELEASES } from './calico/releases.js';

export const CALICOCTL_PLATFORMS = ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64'] as const;

/**
 * The world's calicoctl "binary" of one Calico version: same bytes every run (the world's location
 * comes from the env, LAB_SIM_*); the version it reports is part of the bytes, like a real binary's.
 */
export const calicoctlScript = (version: string): string =>
  `#!/bin/sh\n# calicoctl ${version} of the lab simulated world: runs the fake calicoctl of the running world.\nLAB_SIM_CALICOCTL_VERSION=${version} exec "$LAB_SIM_NODE" "$LAB_SIM_CLIENT" calicoctl "$@"\n`;

export interface Downloads {
  url: string;
  /** Path of the pins file (the world sets LAB_PINS to it). */
  pinsFile: string;
  /** Artifact path on the server → the correct bytes (what the pins' sha256 describes). */
  artifacts: Map<string, Buffer>;
  /** How many times each artifact path was served. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The altered bytes served under fault checksum-mismatch (a truncated-looking, modified file). */
export function corrupt(bytes: Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, Math.max(0, bytes.length - 16)), Buffer.from('\n# corrupted in transit\n')]);
}

export async function startDownloads(options: { dir: string; corrupt: boolean }): Promise<Downloads> {
  const artifacts = new Map<string, Buffer>();
  for (const r of Object.values(RELEASES)) {
    artifacts.set(`/calico/${r.calico}/manifests/operator-crds.yaml`, operatorCrdsYaml(r.calico));
    artifacts.set(`/calico/${r.calico}/manifests/tigera-operator.yaml`, tigeraOperatorYaml(r));
    for (const p of CALICOCTL_PLATFORMS) artifacts.set(`/calico/${r.calico}/calicoctl-${p}`, Buffer.from(calicoctlScript(r.calico)));
  }
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const body = artifacts.get(path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
      return;
    }
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const bytes = options.corrupt ? corrupt(body) : body;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entry = (path: string): { url: string; sha256: string } => ({ url: `${url}${path}`, sha256: sha256(artifacts.get(path) as Buffer) });
  const release = (v: string): Record<string, unknown> => ({
    manifests: {
      'operator-crds.yaml': entry(`/calico/${v}/manifests/operator-crds.yaml`),
      'tigera-operator.yaml': entry(`/calico/${v}/manifests/tigera-operator.yaml`),
    },
    calicoctl: Object.fromEntries(CALICOCTL_PLATFORMS.map((p) => [p, entry(`/calico/${v}/calicoctl-${p}`)])),
    ...pinnedImages(RELEASES[v]!),
  });
  const pins = { default: DEFAULT_RELEASE, versions: Object.fromEntries(Object.keys(RELEASES).map((v) => [v, release(v)])) };
  const pinsFile = join(options.dir, 'calico-pins.yaml');
  writeFileSync(pinsFile, `# Pins of the lab simulated world: its local download server (${url}).\n${stringifyYaml(pins)}`);
  return {
    url,
    pinsFile,
    artifacts,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
