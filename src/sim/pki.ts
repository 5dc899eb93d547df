/**
 * The simulated cluster's PKI, shaped like kind's (kubeadm's): a self-signed CA `CN=kubernetes`, an
 * API server certificate for 127.0.0.1 / localhost / kubernetes, and the admin client certificate
 * `CN=kubernetes-admin, O=kubeadm:cluster-admins` that `kind get kubeconfig` hands out.
 * EC P-256 keys (fast to generate); all values are PEM strings.
 */
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

export interface Pki {
  caPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
const crypto = webcrypto;
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

async function keyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  // Positive 16-byte serial (first bit clear).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/**
 * @peculiar/x509 uses tsyringe, which insists on a `Reflect.getMetadata` polyfill being present when it
 * loads (it only reads `design:paramtypes`, which nothing here emits). Install a minimal one if absent.
 */
function ensureReflectMetadata(): void {
  type Meta = Map<unknown, unknown>;
  const R = Reflect as unknown as Record<string, unknown>;
  if (typeof R['getMetadata'] === 'function') return;
  const data = new WeakMap<object, Map<PropertyKey | undefined, Meta>>();
  const own = (target: object, prop: PropertyKey | undefined, create: boolean): Meta | undefined => {
    let byProp = data.get(target);
    if (!byProp) {
      if (!create) return undefined;
      byProp = new Map();
      data.set(target, byProp);
    }
    let m = byProp.get(prop);
    if (!m && create) {
      m = new Map();
      byProp.set(prop, m);
    }
    return m;
  };
  const getOwn = (key: unknown, target: object, prop?: PropertyKey): unknown => own(target, prop, false)?.get(key);
  const get = (key: unknown, target: object, prop?: PropertyKey): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const m = own(t, prop, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
  const define = (key: unknown, value: unknown, target: object, prop?: PropertyKey): void => {
    own(target, prop, true)?.set(key, value);
  };
  Object.assign(R, {
    defineMetadata: define,
    getOwnMetadata: getOwn,
    getMetadata: get,
    hasOwnMetadata: (key: unknown, target: object, prop?: PropertyKey) => own(target, prop, false)?.has(key) ?? false,
    hasMetadata: (key: unknown, target: object, prop?: PropertyKey) => get(key, target, prop) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: object, prop?: PropertyKey) => define(key, value, target, prop),
  });
}

export async function generatePki(now: Date = new Date()): Promise<Pki> {
  ensureReflectMetadata();
  const x509 = await import('@peculiar/x509');
  const notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: 'CN=kubernetes',
      notBefore,
      notAfter: new Date(now.getTime() + 3650 * DAY),
      signingAlgorithm: alg,
      keys: caKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  const leaf = async (subject: string, usage: X509.ExtendedKeyUsage, extra: X509.Extension[]): Promise<{ cert: string; key: string }> => {
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serial(),
        subject,
        issuer: ca.subject,
        notBefore,
        notAfter: new Date(now.getTime() + 365 * DAY),
        signingAlgorithm: alg,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([usage]),
          ...extra,
        ],
      },
      crypto,
    );
    return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
  };

  const server = await leaf('CN=kube-apiserver', x509.ExtendedKeyUsage.serverAuth, [
    new x509.SubjectAlternativeNameExtension([
      { type: 'dns', value: 'kubernetes' },
      { type: 'dns', value: 'kubernetes.default' },
      { type: 'dns', value: 'kubernetes.default.svc' },
      { type: 'dns', value: 'kubernetes.default.svc.cluster.local' },
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '10.96.0.1' },
    ]),
  ]);
  const client = await leaf('O=kubeadm:cluster-admins, CN=kubernetes-admin', x509.ExtendedKeyUsage.clientAuth, []);

  return {
    caPem: ca.toString('pem'),
    caKeyPem: await keyPem(caKeys.privateKey),
    serverCertPem: server.cert,
    serverKeyPem: server.key,
    clientCertPem: client.cert,
    clientKeyPem: client.key,
  };
}
