import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isForbiddenFile, isSecretKey, redactObject, redactText } from '../../../src/collect/redact.js';

const kubeconfig = readFileSync(new URL('../../fixtures/sim/kind-get-kubeconfig.yaml', import.meta.url), 'utf8');
const PRIVATE_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretsecretsecret\n-----END RSA PRIVATE KEY-----';
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a3ViZS1zeXN0ZW06ZGVmYXVsdCJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2ln';

describe('redactText', () => {
  it('removes every credential of a kind kubeconfig', () => {
    const out = redactText(kubeconfig);
    expect(out).not.toMatch(/LS0t|RkFLRS1/);
    expect(out).toContain('server: https://127.0.0.1:35677');
    expect(out).toMatch(/client-key-data: \[redacted/);
  });

  it('PEM blocks, JWTs, bearer and bootstrap tokens', () => {
    const text = `key:\n${PRIVATE_KEY}\nAuthorization: Bearer abcdefgh12345678\ntoken=${JWT}\nkubeadm join --token abcdef.0123456789abcdef\npassword: hunter22222\n`;
    const out = redactText(text);
    for (const bad of ['PRIVATE KEY', 'secretsecret', 'abcdefgh12345678', JWT, 'abcdef.0123456789abcdef', 'hunter22222']) expect(out).not.toContain(bad);
  });

  it('keeps ordinary text', () => {
    const text = 'Warning  Failed  kubelet  Failed to pull image "docker.io/calico/node:v3.30.0": rpc error: code = Unknown desc = toomanyrequests\nserviceAccountName: calico-node\n';
    expect(redactText(text)).toBe(text);
  });
});

describe('redactObject', () => {
  it('drops Secret objects, also inside lists', () => {
    expect(redactObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: 'c2VjcmV0' } })).toBeUndefined();
    const list = redactObject([{ kind: 'Secret', metadata: { name: 's' } }, { kind: 'ConfigMap', metadata: { name: 'c' } }]) as unknown[];
    expect(list).toHaveLength(1);
  });

  it('drops managedFields and credential keys, keeps references to secrets', () => {
    const pod = {
      kind: 'Pod',
      metadata: { name: 'p', managedFields: [{ manager: 'kubectl' }], annotations: { note: PRIVATE_KEY } },
      spec: {
        serviceAccountName: 'calico-node',
        volumes: [{ name: 'certs', secret: { secretName: 'typha-certs' } }],
        containers: [{ name: 'c', env: [{ name: 'TOKEN', value: JWT }, { name: 'CNI_CONF', valueFrom: { secretKeyRef: { name: 'x', key: 'token' } } }] }],
      },
      'client-key-data': 'RkFLRQ==',
      token: 'abc',
    };
    const out = JSON.stringify(redactObject(pod));
    expect(out).not.toContain('managedFields');
    expect(out).not.toContain('PRIVATE KEY');
    expect(out).not.toContain(JWT);
    expect(out).not.toContain('RkFLRQ==');
    expect(out).toContain('"secretName":"typha-certs"');
    expect(out).toContain('"serviceAccountName":"calico-node"');
  });

  it('knows which keys are secret', () => {
    for (const k of ['token', 'client-key', 'client-key-data', 'certificate-authority-data', 'password', 'id_token']) expect(isSecretKey(k), k).toBe(true);
    for (const k of ['serviceAccountName', 'secretName', 'name', 'tokenExpirationSeconds', 'image']) expect(isSecretKey(k), k).toBe(false);
  });

  it('forbidden file names', () => {
    for (const f of ['calico-ipam.kubeconfig', 'kubeconfig', 'admin.conf', 'apiserver.key', 'ca.crt', 'tls.pem']) expect(isForbiddenFile(f), f).toBe(true);
    for (const f of ['kubelet.log', 'inspect.json', 'README.txt']) expect(isForbiddenFile(f), f).toBe(false);
  });
});
