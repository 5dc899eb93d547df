/**
 * Calico manifests: parse the pinned multi-document YAML files, server-side apply them raw (field
 * manager `lab`, force), wait for every CRD to be Established, then apply the lab's custom resources.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { PrerequisiteError, StepFailedError } from '../errors.js';
import type { KubeObject, ManifestDocument } from '../lab/model.js';
import { KubeApiError, type KubeClient } from '../kube/client.js';
import { crdsPending, watchUntil } from '../kube/wait.js';

/** Parse a multi-document manifest; empty documents are skipped; YAML errors name file:line. */
export function parseManifest(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line ?? 0;
      throw new PrerequisiteError(`${file}:${line}: not valid YAML: ${e.message.split('\n')[0]}`, {
        hint: 'the cached file is damaged or the pins point at the wrong file: delete it from the cache and run again',
      });
    }
    const value: unknown = doc.toJS({ maxAliasCount: -1 });
    if (value === null || value === undefined) continue;
    const o = value as Partial<KubeObject>;
    if (typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new PrerequisiteError(`${file}: a document is not a Kubernetes object (apiVersion, kind, metadata.name)`, {
        hint: 'check that the pins file points at the Calico manifests',
      });
    }
    out.push(o as KubeObject);
  }
  return out;
}

/**
 * Read a cached, verified manifest. Parsing 2.6 MB of CRD YAML takes over a second, so the parsed
 * documents are kept beside the file as JSON (`<file>.json`, derived from the sha256-named cache
 * entry, written atomically); later runs load that in milliseconds.
 */
export async function readManifest(file: string): Promise<KubeObject[]> {
  const jsonFile = `${file}.json`;
  try {
    const cached: unknown = JSON.parse(await readFile(jsonFile, 'utf8'));
    if (Array.isArray(cached)) return cached as KubeObject[];
  } catch {
    // no (valid) parsed copy yet
  }
  const docs = parseManifest(await readFile(file, 'utf8'), file);
  const temp = `${jsonFile}.${process.pid}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(docs));
    await rename(temp, jsonFile);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
  return docs;
}

function label(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** Apply documents in order (server-side apply). Namespaces and CRDs first within the list. */
export async function applyAll(client: KubeClient, docs: readonly KubeObject[], o: { deadline: number; source: string; onProgress?: (text: string) => void }): Promise<number> {
  const order = (d: KubeObject): number => (d.kind === 'Namespace' ? 0 : d.kind === 'CustomResourceDefinition' ? 1 : 2);
  const sorted = [...docs].sort((a, b) => order(a) - order(b));
  let n = 0;
  // Parallel within a batch of independent documents keeps 32 CRDs fast; order between kinds matters.
  for (const batchOrder of [0, 1, 2]) {
    const batch = sorted.filter((d) => order(d) === batchOrder);
    await Promise.all(
      batch.map(async (doc) => {
        try {
          await client.apply(doc, { deadline: o.deadline });
        } catch (error) {
          throw new StepFailedError(`server-side apply of ${label(doc)} from ${o.source} failed`, {
            cause: error,
            details: [error instanceof Error ? error.message : String(error)],
            hint: error instanceof KubeApiError && error.status === 404 ? 'its CRD is not installed/Established: check the manifests and the Calico version' : 'run with --verbose to see every API request',
          });
        }
        n += 1;
      }),
    );
    if (batch.length > 0) o.onProgress?.(`${n}/${docs.length} applied`);
  }
  return n;
}

/** Wait (watch) until every named CRD is Established. */
export async function waitCrdsEstablished(client: KubeClient, names: readonly string[], o: { deadline: number; signal?: AbortSignal; onProgress?: (t: string) => void }): Promise<void> {
  if (names.length === 0) return;
  await watchUntil(
    client,
    'apiextensions.k8s.io/v1',
    'customresourcedefinitions',
    {},
    (items) => {
      const pending = crdsPending(items, names);
      return pending.length === 0 ? { done: true } : { state: `${names.length - pending.length}/${names.length} CRDs Established (waiting for ${pending.slice(0, 3).join(', ')}${pending.length > 3 ? '…' : ''})` };
    },
    { deadline: o.deadline, what: 'CRDs Established', ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) },
  );
}

/** Apply the lab's custom resources (after re-discovery), naming the lab file:line on failure. */
export async function applyCustomResources(client: KubeClient, resources: readonly ManifestDocument[], o: { deadline: number }): Promise<void> {
  client.invalidateDiscovery();
  for (const r of resources) {
    try {
      await client.apply(r.object, { deadline: o.deadline });
    } catch (error) {
      throw new StepFailedError(`server-side apply of ${label(r.object)} (${r.file}:${r.line}) failed`, {
        cause: error,
        details: [error instanceof Error ? error.message : String(error)],
        hint: 'check the custom resource against the Calico version\'s CRD (apiVersion, kind, fields)',
      });
    }
  }
}
