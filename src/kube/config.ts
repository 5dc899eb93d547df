/**
 * Reading a kubeconfig without loading client-node, for the credentials kind writes (and most static
 * kubeconfigs use): server + CA, client certificate + key, or a bearer token, inline (`*-data`) or as
 * files. Anything else — exec plugins, auth providers, proxies, usernames — returns undefined and the
 * caller hands the file to client-node's KubeConfig, which knows the whole matrix.
 *
 * Why: client-node loads its entire generated API (~1,000 modules) on import, which costs most of a
 * second of CPU per command; `lab verify` should take about that long in total (see README
 * "Performance").
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type https from 'node:https';
import { parse } from 'yaml';

export interface StaticKubeconfig {
  server: URL;
  tls: https.RequestOptions;
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

const CLUSTER_KEYS = new Set(['server', 'certificate-authority-data', 'certificate-authority', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const USER_KEYS = new Set(['client-certificate-data', 'client-key-data', 'client-certificate', 'client-key', 'token', 'extensions']);

function named(list: unknown, name: unknown, field: string): Dict | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry: unknown = list.find((e) => isDict(e) && e['name'] === name);
  return isDict(entry) && isDict(entry[field]) ? entry[field] : undefined;
}

/** Parse a kubeconfig's current context into request options, or undefined when client-node is needed. */
export function staticKubeconfig(text: string, baseDir: string): StaticKubeconfig | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined; // let client-node report the syntax error in its own words
  }
  if (!isDict(doc)) return undefined;
  const context = named(doc['contexts'], doc['current-context'], 'context');
  if (!context || (context['namespace'] !== undefined && typeof context['namespace'] !== 'string')) return undefined;
  const cluster = named(doc['clusters'], context['cluster'], 'cluster');
  const user = context['user'] === undefined ? {} : named(doc['users'], context['user'], 'user');
  if (!cluster || !user || typeof cluster['server'] !== 'string') return undefined;
  if (Object.keys(cluster).some((k) => !CLUSTER_KEYS.has(k)) || Object.keys(user).some((k) => !USER_KEYS.has(k))) return undefined;

  const file = (path: unknown): Buffer | undefined => (typeof path === 'string' ? readFileSync(isAbsolute(path) ? path : join(baseDir, path)) : undefined);
  const data = (value: unknown): Buffer | undefined => (typeof value === 'string' ? Buffer.from(value, 'base64') : undefined);
  const tls: https.RequestOptions = {};
  const ca = data(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority']);
  if (ca) tls.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  if (typeof cluster['tls-server-name'] === 'string') tls.servername = cluster['tls-server-name'];
  const cert = data(user['client-certificate-data']) ?? file(user['client-certificate']);
  const key = data(user['client-key-data']) ?? file(user['client-key']);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (typeof user['token'] === 'string') tls.headers = { Authorization: `Bearer ${user['token']}` };
  return { server: new URL(cluster['server']), tls };
}

export function staticKubeconfigFile(path: string): StaticKubeconfig | undefined {
  return staticKubeconfig(readFileSync(path, 'utf8'), dirname(path));
}
