/**
 * The real control plane's PKI, made with openssl like kubeadm lays it out (shapes from
 * src/sim/pki.ts): a CA `CN=kubernetes`, the API server's serving certificate, the admin client
 * certificate `kind get kubeconfig` hands out (`CN=kubernetes-admin, O=system:masters`, as kubeadm
 * 1.28 makes it), a `system:masters` certificate for the world's own controllers, and the service
 * account signing key pair.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kindKubeconfig } from '../sim/apiserver/kubeconfig.js';

export interface RealPki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  worldCert: string;
  worldKey: string;
  saKey: string;
  saPub: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

function leaf(dir: string, name: string, subject: string, ext: string): void {
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

export function generateRealPki(dir: string, serviceIp: string): RealPki {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=kubernetes', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,digitalSignature,keyEncipherment'], dir);
  const base = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n';
  leaf(dir, 'apiserver', '/CN=kube-apiserver', `${base}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:${serviceIp}\n`);
  // kubeadm 1.28 (kindest/node v1.28, this lab's image) gives kubernetes-admin system:masters; the
  // kubeadm:cluster-admins group bound to cluster-admin came with 1.29
  leaf(dir, 'admin', '/O=system:masters/CN=kubernetes-admin', `${base}extendedKeyUsage=clientAuth\n`);
  leaf(dir, 'world', '/O=system:masters/CN=lab-real-world', `${base}extendedKeyUsage=clientAuth\n`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key'], dir);
  openssl(['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('apiserver.crt'),
    serverKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    worldCert: p('world.crt'),
    worldKey: p('world.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
  };
}

const b64 = (file: string): string => readFileSync(file).toString('base64');

/** A kubeconfig with a client certificate, in the shape `kind get kubeconfig` prints (the simulated world's writer). */
export function certKubeconfig(clusterName: string, server: string, pki: RealPki, who: 'admin' | 'world'): string {
  const [cert, key] = who === 'admin' ? [pki.adminCert, pki.adminKey] : [pki.worldCert, pki.worldKey];
  const pem = (file: string): string => readFileSync(file, 'utf8');
  return kindKubeconfig({ clusterName, server, caPem: pem(pki.caCert), clientCertPem: pem(cert), clientKeyPem: pem(key) });
}

/** A kubeconfig with a bearer token (a pod's service account, as in-cluster config would use it). */
export function tokenKubeconfig(server: string, pki: RealPki, token: string): string {
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    `    server: ${server}`,
    '  name: in-cluster',
    'contexts:',
    '- context:',
    '    cluster: in-cluster',
    '    user: sa',
    '  name: in-cluster',
    'current-context: in-cluster',
    'kind: Config',
    'users:',
    '- name: sa',
    '  user:',
    `    token: ${token}`,
    '',
  ].join('\n');
}
