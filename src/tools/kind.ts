/**
 * The kind CLI: kubeconfig of a cluster, cluster/node discovery, deletion by name, log export and
 * image loading. containerlab embeds kind as a library, but these read-only and cleanup calls use the
 * kind binary (no root needed). Contract: ../shared/reference/cli/kind-contract.yaml.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StepFailedError } from '../errors.js';
import { runOk, toolRunOptions, type ToolOptions } from './exec.js';

/** kind's name for a cluster's context, cluster and user entries (kubeconfig/internal/kubeconfig/helpers.go). */
export const kindContext = (cluster: string): string => `kind-${cluster}`;

/**
 * A throwaway kubeconfig for kind to edit instead of the user's. kind writes (create: merge + switch
 * current-context) and edits (delete: remove the entries) the file given by --kubeconfig, else the
 * first of $KUBECONFIG, else $HOME/.kube/config — as root when run by containerlab. lab reads its own
 * kubeconfig with `kind get kubeconfig`, so kind's copy is not needed: kind is pointed at a file in a
 * fresh private temp dir (removed afterwards) that already holds the cluster's entries, so that
 * `kind delete` finds something to remove ("Cluster not found" otherwise fails the command).
 */
export async function withThrowawayKubeconfig<T>(cluster: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lab-kind-kubeconfig-'));
  const file = path.join(dir, 'config');
  const name = kindContext(cluster);
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: ${name}, cluster: {server: "https://127.0.0.1:6443"}}]`,
      `users: [{name: ${name}, user: {}}]`,
      `contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}}}]`,
      `current-context: ${name}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  try {
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Parse the one-name-per-line output of `kind get clusters` / `kind get nodes` (sorted, unique). */
export function parseNameLines(text: string): string[] {
  return [...new Set(text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0))].sort();
}

/** `kind get kubeconfig --name=<cluster>` → the kubeconfig YAML (server https://127.0.0.1:<port>). */
export async function kindGetKubeconfig(cluster: string, o: ToolOptions = {}): Promise<string> {
  const r = await runOk('kind', ['get', 'kubeconfig', `--name=${cluster}`], {
    ...toolRunOptions(o, { timeout: 30_000 }),
    what: `kind get kubeconfig --name=${cluster}`,
    secretStdout: true,
    hint: `is the cluster "${cluster}" running? \`kind get clusters\` lists them; \`lab deploy\` creates it`,
  });
  if (!/\bapiVersion\b/.test(r.stdout)) {
    throw new StepFailedError(`kind get kubeconfig --name=${cluster} printed no kubeconfig`, { details: [r.stdout.slice(0, 200)] });
  }
  return r.stdout;
}

/** `kind get clusters` → cluster names ("No kind clusters found." on stderr → []). */
export async function kindGetClusters(o: ToolOptions = {}): Promise<string[]> {
  const r = await runOk('kind', ['get', 'clusters'], { ...toolRunOptions(o, { timeout: 30_000 }), what: 'kind get clusters' });
  return parseNameLines(r.stdout);
}

/** `kind get nodes --name <cluster>` → node container names (sorted; kind's order is not stable). */
export async function kindGetNodes(cluster: string, o: ToolOptions = {}): Promise<string[]> {
  const r = await runOk('kind', ['get', 'nodes', '--name', cluster], { ...toolRunOptions(o, { timeout: 30_000 }), what: 'kind get nodes' });
  return parseNameLines(r.stdout);
}

/**
 * `kind delete cluster --name <cluster> --kubeconfig <throwaway>` (idempotent: an absent cluster is
 * not an error). --kubeconfig keeps kind away from $KUBECONFIG and ~/.kube/config.
 */
export async function kindDeleteCluster(cluster: string, o: ToolOptions = {}): Promise<void> {
  await withThrowawayKubeconfig(cluster, (file) =>
    runOk('kind', ['delete', 'cluster', '--name', cluster, '--kubeconfig', file], { ...toolRunOptions(o, { timeout: 180_000 }), what: `kind delete cluster --name ${cluster}` }),
  );
}

/** `kind export logs <dir> --name <cluster>` → the directory kind wrote (its stdout). */
export async function kindExportLogs(cluster: string, dir: string, o: ToolOptions = {}): Promise<string> {
  const r = await runOk('kind', ['export', 'logs', dir, '--name', cluster], { ...toolRunOptions(o, { timeout: 300_000 }), what: 'kind export logs' });
  return r.stdout.trim() || dir;
}

/** `kind load docker-image <images…> --name <cluster>`. */
export async function kindLoadDockerImage(cluster: string, images: readonly string[], o: ToolOptions = {}): Promise<void> {
  if (images.length === 0) return;
  await runOk('kind', ['load', 'docker-image', ...images, '--name', cluster], { ...toolRunOptions(o, { timeout: 30 * 60_000 }), what: 'kind load docker-image' });
}

/** `kind load image-archive <file> --name <cluster>`. */
export async function kindLoadImageArchive(cluster: string, file: string, o: ToolOptions = {}): Promise<void> {
  await runOk('kind', ['load', 'image-archive', file, '--name', cluster], { ...toolRunOptions(o, { timeout: 30 * 60_000 }), what: 'kind load image-archive' });
}
