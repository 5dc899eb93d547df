/**
 * Reading Kubernetes manifests of a lesson (Calico custom resources, workloads): every document must
 * be an object with apiVersion, kind and metadata.name; problems name file:line.
 */
import { basename } from 'node:path';
import type { KubeObject, ManifestDocument } from './model.js';
import { isRecord, type Problems } from './rules.js';
import { readYamlFile, type YamlDoc } from './yaml.js';

export interface LoadedManifest {
  doc: YamlDoc;
  manifest: ManifestDocument;
}

/** Every document of `file`, checked; bad documents are reported and left out. */
export async function readManifestFile(file: string, what: string, problems: Problems): Promise<LoadedManifest[]> {
  const out: LoadedManifest[] = [];
  for (const doc of await readYamlFile(file, what)) {
    const v = doc.value;
    if (!isRecord(v)) {
      problems.add(doc, [], `a document in ${basename(file)} is not a Kubernetes object`, 'each document needs apiVersion, kind and metadata.name');
      continue;
    }
    const meta = isRecord(v['metadata']) ? v['metadata'] : undefined;
    if (typeof v['apiVersion'] !== 'string' || typeof v['kind'] !== 'string' || typeof meta?.['name'] !== 'string') {
      problems.add(doc, ['metadata'], `a document in ${basename(file)} lacks apiVersion, kind or metadata.name`, 'each document needs apiVersion, kind and metadata.name');
      continue;
    }
    out.push({ doc, manifest: { file, line: doc.line, object: v as KubeObject } });
  }
  return out;
}
