import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { staticKubeconfig, staticKubeconfigFile } from '../../../src/kube/config.js';
import { KubeClient } from '../../../src/kube/client.js';

// kind's kubeconfig as `kind get kubeconfig` prints it (test/fixtures/README.md: provenance).
const kindText = readFileSync(join(import.meta.dirname, '../../fixtures/cli/kind-get-kubeconfig.yaml'), 'utf8');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-kubeconfig-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(cluster: Record<string, unknown>, user: Record<string, unknown> | undefined): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    contexts: [{ name: 'c', context: { cluster: 'k', ...(user ? { user: 'u' } : {}) } }],
    clusters: [{ name: 'k', cluster }],
    users: user ? [{ name: 'u', user }] : [],
  });
}

describe('kubeconfigs read without client-node', () => {
  test("kind's kubeconfig: server, CA, client certificate and key from the *-data fields", () => {
    const k = staticKubeconfig(kindText, dir);
    expect(k?.server.href).toBe('https://127.0.0.1:35677/');
    // the fixture's base64 values decode to recognisable test text
    expect(String(k?.tls.ca)).toContain('FAKE-TEST-CA-FOR-calico-ipam-kubernetes-ca');
    expect(String(k?.tls.cert)).toContain('FAKE-TEST-CLIENT-CERT-kubernetes-admin');
    expect(String(k?.tls.key)).toContain('FAKE-TEST-CLIENT-KEY-NOT-A-REAL-KEY');
    expect(k?.tls.rejectUnauthorized).toBeUndefined();
  });

  test('file references are resolved from the kubeconfig directory; tokens become a bearer header', async () => {
    await writeFile(join(dir, 'ca.crt'), 'CA-PEM');
    const file = join(dir, 'config');
    await writeFile(file, config({ server: 'https://10.0.0.1:6443', 'certificate-authority': 'ca.crt' }, { token: 'abc' }));
    const k = staticKubeconfigFile(file);
    expect(String(k?.tls.ca)).toBe('CA-PEM');
    expect(k?.tls.headers).toEqual({ Authorization: 'Bearer abc' });
  });

  test.each([
    ['an exec plugin', { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1beta1' } }],
    ['an auth provider', { 'auth-provider': { name: 'oidc' } }],
    ['basic auth', { username: 'a', password: 'b' }],
  ])('%s is left to client-node', (_what, user) => {
    expect(staticKubeconfig(config({ server: 'https://x:6443' }, user), dir)).toBeUndefined();
  });

  test('a proxy or a missing current context is left to client-node', () => {
    expect(staticKubeconfig(config({ server: 'https://x:6443', 'proxy-url': 'http://p:3128' }, {}), dir)).toBeUndefined();
    expect(staticKubeconfig(kindText.replace('current-context: kind-calico-ipam', 'current-context: other'), dir)).toBeUndefined();
  });

  test('KubeClient falls back to client-node for what it cannot read itself', async () => {
    const client = await KubeClient.fromString(config({ server: 'https://10.1.2.3:6443', 'insecure-skip-tls-verify': true }, { username: 'a', password: 'b' }));
    try {
      expect(String(client.server)).toBe('https://10.1.2.3:6443/');
    } finally {
      client.close();
    }
  });
});
