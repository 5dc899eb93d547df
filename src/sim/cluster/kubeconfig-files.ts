/**
 * Where kind writes kubeconfig files, as the real kind does (kind v0.31
 * pkg/cluster/internal/kubeconfig/internal/kubeconfig/{paths,merge,remove,write}.go):
 * - the path: --kubeconfig (or containerlab's `extras.k8s_kind.deploy.kubeconfig`), else the
 *   entries of $KUBECONFIG (the first that exists, else the last), else $HOME/.kube/config;
 * - create merges the cluster's `kind-<name>` cluster/user/context into that file, switches
 *   current-context to it and writes it 0600 (the directory 0755);
 * - delete removes those entries (and current-context when it points at them) from each path.
 * The simulated containerlab (SUID or under sudo) and the simulated kind CLI both use this, so a
 * test can see whether a user's ~/.kube/config was touched.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';

interface Named {
  name: string;
  [k: string]: unknown;
}

interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  [k: string]: unknown;
}

/** kind's `paths()`: the files it considers. */
export function kindKubeconfigPaths(explicit: string | undefined, env: Record<string, string | undefined>): string[] {
  if (explicit !== undefined && explicit !== '') return [explicit];
  const list = [...new Set((env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== ''))];
  if (list.length > 0) return list;
  return [join(env['HOME'] ?? '', '.kube', 'config')];
}

/** kind's `pathForMerge()`: the one file create writes. */
export function kindMergePath(explicit: string | undefined, env: Record<string, string | undefined>): string {
  const paths = kindKubeconfigPaths(explicit, env);
  if (paths.length === 1) return paths[0] as string;
  return paths.find((p) => existsSync(p) && statSync(p).isFile()) ?? (paths[paths.length - 1] as string);
}

function read(file: string): KubeconfigDoc {
  if (!existsSync(file)) return {};
  return (parseYaml(readFileSync(file, 'utf8')) ?? {}) as KubeconfigDoc;
}

function dropEntries(doc: KubeconfigDoc, key: string): boolean {
  let mutated = false;
  for (const list of ['clusters', 'users', 'contexts'] as const) {
    const before = doc[list] ?? [];
    const kept = before.filter((e) => e.name !== key);
    if (kept.length !== before.length) mutated = true;
    if (doc[list] !== undefined) doc[list] = kept;
  }
  if (doc['current-context'] === key) {
    doc['current-context'] = '';
    mutated = true;
  }
  return mutated;
}

/** kind create's export: merge `kubeconfigText` (kind's own, names kind-<cluster>) into `file`. */
export function mergeKindKubeconfig(file: string, kubeconfigText: string): void {
  const incoming = (parseYaml(kubeconfigText) ?? {}) as KubeconfigDoc;
  const key = incoming['current-context'] ?? '';
  const doc = read(file);
  dropEntries(doc, key);
  doc.apiVersion ??= 'v1';
  doc.kind ??= 'Config';
  for (const list of ['clusters', 'users', 'contexts'] as const) doc[list] = [...(doc[list] ?? []), ...(incoming[list] ?? [])];
  doc['current-context'] = key;
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, stringify(doc), { mode: 0o600 });
}

/**
 * kind delete's RemoveKIND: drop the cluster's entries from every path. Returns the error kind
 * reports ("Cluster not found" when a file has none), or undefined.
 */
export function removeKindKubeconfig(paths: readonly string[], cluster: string): string | undefined {
  for (const file of paths) {
    const doc = read(file);
    if (!dropEntries(doc, `kind-${cluster}`)) return 'Cluster not found';
    writeFileSync(file, stringify(doc), { mode: 0o600 });
  }
  return undefined;
}
