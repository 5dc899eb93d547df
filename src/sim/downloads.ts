/**
 * The world's download source: HTTP on 127.0.0.1 serving the artifacts `lab deploy` fetches (the two
 * Calico manifests and a calicoctl "binary" per OS/arch), and a pins file in the product's format
 * (manifests/calico-pins.yaml) with their URLs and sha256 — handed to the product through $LAB_PINS.
 * Fault `checksum-mismatch`: the server serves altered bytes while the pins keep the right hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { simDataDir } from './paths.js';

export const CALICO_VERSION = 'v3.30.0';
export const CALICOCTL_PLATFORMS = ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64'] as const;

/** Same bytes every run: the world's location comes from the env (LAB_SIM_*), not from the script. */
export const CALICOCTL_SCRIPT = '#!/bin/sh\n# calicoctl of the lab simulated world: runs the fake calicoctl of the running world.\nexec "$LAB_SIM_NODE" "$LAB_SIM_CLIENT" calicoctl "$@"\n';

/** The images of the lesson's pins (what tigera-operator v1.38.0 deploys for Installation + APIServer). */
export const CALICO_IMAGES = [
  'quay.io/tigera/operator:v1.38.0',
  'docker.io/calico/node:v3.30.0',
  'docker.io/calico/cni:v3.30.0',
  'docker.io/calico/pod2daemon-flexvol:v3.30.0',
  'docker.io/calico/typha:v3.30.0',
  'docker.io/calico/kube-controllers:v3.30.0',
  'docker.io/calico/csi:v3.30.0',
  'docker.io/calico/node-driver-registrar:v3.30.0',
  'docker.io/calico/apiserver:v3.30.0',
];

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

function manifest(file: string): Buffer {
  const p = join(simDataDir(), file);
  // Integration point: the Calico part provides both manifests in src/sim/data/.
  if (existsSync(p)) return readFileSync(p);
  return Buffer.from(`# placeholder: ${file} is not in ${simDataDir()} yet\n`);
}

/** The altered bytes served under fault checksum-mismatch (a truncated-looking, modified file). */
export function corrupt(bytes: Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, Math.max(0, bytes.length - 16)), Buffer.from('\n# corrupted in transit\n')]);
}

export async function startDownloads(options: { dir: string; corrupt: boolean }): Promise<Downloads> {
  const artifacts = new Map<string, Buffer>();
  artifacts.set(`/calico/${CALICO_VERSION}/manifests/operator-crds.yaml`, manifest('operator-crds.yaml'));
  artifacts.set(`/calico/${CALICO_VERSION}/manifests/tigera-operator.yaml`, manifest('tigera-operator.yaml'));
  for (const p of CALICOCTL_PLATFORMS) artifacts.set(`/calico/${CALICO_VERSION}/calicoctl-${p}`, Buffer.from(CALICOCTL_SCRIPT));
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
  const pins = {
    default: CALICO_VERSION,
    versions: {
      [CALICO_VERSION]: {
        manifests: {
          'operator-crds.yaml': entry(`/calico/${CALICO_VERSION}/manifests/operator-crds.yaml`),
          'tigera-operator.yaml': entry(`/calico/${CALICO_VERSION}/manifests/tigera-operator.yaml`),
        },
        calicoctl: Object.fromEntries(CALICOCTL_PLATFORMS.map((p) => [p, entry(`/calico/${CALICO_VERSION}/calicoctl-${p}`)])),
        images: CALICO_IMAGES,
      },
    },
  };
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
