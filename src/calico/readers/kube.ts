/**
 * `kubectl get … -o yaml|json`: a List (`kind: List` with `items`, or `<Kind>List` from the API), one
 * object, or several YAML documents. Objects are kept as printed (both `crd.projectcalico.org/v1` and
 * `projectcalico.org/v3` shapes); slimming and normalising are left to whoever consumes them.
 */
import { parseAllDocuments } from 'yaml';
import { ParseError } from '../parse.js';
import type { KubeItem } from '../types.js';
import type { KubeObjectsRead } from './types.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const looksKube = (v: unknown): v is Record<string, unknown> => isRecord(v) && typeof v['kind'] === 'string' && typeof v['apiVersion'] === 'string';

/** Cheap test on the text: JSON/YAML with `apiVersion` and `kind` at the top level. */
export function isKubeObjectsText(text: string): boolean {
  const t = text.trimStart();
  if (t.startsWith('{')) return /"apiVersion"\s*:/.test(t) && /"kind"\s*:/.test(t);
  return /^apiVersion:\s*\S/m.test(t) && /^kind:\s*\S/m.test(t);
}

function documents(text: string): unknown[] {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return [JSON.parse(t) as unknown];
    } catch (error) {
      throw new ParseError(`not valid JSON: ${(error as Error).message}`);
    }
  }
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      throw new ParseError(`${line !== undefined ? `line ${line}: ` : ''}${e.message.split('\n')[0]}`);
    }
    out.push(doc.toJS() as unknown);
  }
  return out;
}

export function parseKubeObjects(text: string): KubeObjectsRead {
  const items: KubeItem[] = [];
  const kinds = new Set<string>();
  let emptyList = false;
  let any = false;
  for (const doc of documents(text)) {
    if (doc === null || doc === undefined) continue;
    if (!looksKube(doc)) throw new ParseError('a document without apiVersion and kind: not a Kubernetes object');
    any = true;
    const list = Array.isArray(doc['items']) ? doc['items'] : undefined;
    if (list && (doc['kind'] === 'List' || String(doc['kind']).endsWith('List'))) {
      if (list.length === 0) emptyList = true;
      for (const [i, item] of list.entries()) {
        if (!looksKube(item) || !isRecord(item['metadata'])) throw new ParseError(`items[${i}] is not a Kubernetes object (no apiVersion, kind or metadata)`);
        items.push(item as unknown as KubeItem);
        kinds.add(`${String(item['kind'])} ${String(item['apiVersion'])}`);
      }
      continue;
    }
    if (!isRecord(doc['metadata'])) throw new ParseError(`a ${String(doc['kind'])} without metadata`);
    items.push(doc as unknown as KubeItem);
    kinds.add(`${String(doc['kind'])} ${String(doc['apiVersion'])}`);
  }
  if (!any) throw new ParseError('no Kubernetes object found');
  return { items, kinds: [...kinds], emptyList: emptyList && items.length === 0 };
}
