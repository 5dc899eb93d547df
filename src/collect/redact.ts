/**
 * Redaction for diagnostics bundles: no kubeconfig, no Secrets, no tokens, no certificates or keys
 * leave the host in a bundle. Two layers:
 * - `redactObject` on every Kubernetes object before it is written: Secret objects are dropped,
 *   `metadata.managedFields` removed, keys that carry credentials (`*-data`, `token`, `client-key`,
 *   `password`…) replaced, and any string holding a PEM block or a JWT replaced.
 * - `redactText` on every file in the bundle after everything is written (kind's logs included):
 *   PEM blocks, JWTs, bearer tokens, kubeadm bootstrap tokens and `key: value` lines of the same keys.
 */

export const REDACTED = '[redacted]';

/** Object keys whose values are credentials (compared lower-case). */
const SECRET_KEY = /(^|[-_.])(token|password|passwd|secret|client-key|private-key|privatekey|apikey|api-key|bearer)$|-data$|^(token|password|client-key)/i;

/** Keys that look secret but are harmless and useful (counts, references, flags). */
const ALLOWED_KEY = /^(serviceAccountName|automountServiceAccountToken|secretName|tokenExpirationSeconds|expirationSeconds|secretRef|secretKeyRef|secrets|imagePullSecrets|usernameSecretRef|projected|userData|metadata)$/;

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
/** base64 of `-----BEGIN` (kubeconfig `*-data` fields, Secret data). */
const PEM_BASE64 = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
/** kubeadm bootstrap tokens: `abcdef.0123456789abcdef`. */
const BOOTSTRAP = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g;
/** `key: value`, `key=value`, `"key": "value"` for credential keys, in YAML, JSON, flags and env dumps. */
const KEY_VALUE = /(["']?)([A-Za-z0-9_.-]*(?:-data|token|password|passwd|client-key|private-key|secret)["']?\s*[:=]\s*)(["']?)([^\s"',}]{6,})/gi;

/** Is this object key a credential? */
export function isSecretKey(key: string): boolean {
  if (ALLOWED_KEY.test(key)) return false;
  return SECRET_KEY.test(key);
}

export function redactText(text: string): string {
  return text
    .replace(PEM, '[redacted PEM block]')
    .replace(PEM_BASE64, '[redacted base64 PEM]')
    .replace(JWT, '[redacted JWT]')
    .replace(BEARER, (_m, kind: string) => `${kind} ${REDACTED}`)
    .replace(BOOTSTRAP, '[redacted bootstrap token]')
    .replace(KEY_VALUE, (m, q1: string, key: string, q2: string, value: string) => {
      const name = key.replace(/["'\s:=]+$/, '');
      if (!isSecretKey(name) || value === REDACTED || value.startsWith('[redacted')) return m;
      return `${q1}${key}${q2}${REDACTED}`;
    });
}

/** A deep copy of `value` without credentials; Secret objects become undefined (dropped from lists). */
export function redactObject(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactObject).filter((v) => v !== undefined);
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record['kind'] === 'Secret' || record['kind'] === 'SecretList') return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (key === 'managedFields') continue;
    if (isSecretKey(key) && (typeof v === 'string' || typeof v === 'number')) {
      out[key] = REDACTED;
      continue;
    }
    if (isSecretKey(key) && v !== null && typeof v === 'object' && !Array.isArray(v) && key.endsWith('-data')) {
      out[key] = REDACTED;
      continue;
    }
    const r = redactObject(v);
    if (r !== undefined) out[key] = r;
  }
  return out;
}

/** File names that must never be in a bundle (kubeconfigs, keys, certificates). */
export function isForbiddenFile(name: string): boolean {
  return /(^|[._-])kubeconfig($|[._-])|\.kubeconfig$|^admin\.conf$|^super-admin\.conf$|\.(key|pem|crt|p12|pfx)$|^id_(rsa|ecdsa|ed25519)/i.test(name);
}
