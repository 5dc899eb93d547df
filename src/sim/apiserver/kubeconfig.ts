/** The kubeconfig `kind get kubeconfig --name <cluster>` prints (sorted keys, `kind-<cluster>` names, trailing blank line). */
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export interface KubeconfigInput {
  clusterName: string;
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

export function kindKubeconfig(input: KubeconfigInput): string {
  const name = `kind-${input.clusterName}`;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(input.caPem)}`,
    `    server: ${input.server}`,
    `  name: ${name}`,
    'contexts:',
    '- context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `  name: ${name}`,
    `current-context: ${name}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${name}`,
    '  user:',
    `    client-certificate-data: ${b64(input.clientCertPem)}`,
    `    client-key-data: ${b64(input.clientKeyPem)}`,
    '',
    '',
  ].join('\n');
}
