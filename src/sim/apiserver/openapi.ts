/**
 * A minimal OpenAPI v3 surface: the `/openapi/v3` index and per-group-version documents listing each
 * resource's operations with `x-kubernetes-group-version-kind` and the `fieldValidation` query
 * parameter. kubectl reads these to learn that the server validates fields itself (so it does not need
 * the OpenAPI v2 schema for client-side validation). No schemas are published.
 */
import { createHash } from 'node:crypto';
import type { Registry, ResourceType } from './registry.js';

type Json = Record<string, unknown>;

const gvPath = (group: string, version: string): string => (group === '' ? `api/${version}` : `apis/${group}/${version}`);

function served(registry: Registry): { group: string; version: string }[] {
  const out: { group: string; version: string }[] = [];
  for (const v of registry.versions('')) out.push({ group: '', version: v });
  for (const g of registry.groups()) for (const v of registry.versions(g)) out.push({ group: g, version: v });
  return out;
}

function hashOf(types: ResourceType[]): string {
  const h = createHash('sha512');
  for (const t of types) h.update(`${t.name}|${t.kind}|${t.namespaced}|${t.verbs.join(',')}|${t.hasStatus};`);
  return h.digest('hex').slice(0, 128).toUpperCase();
}

export function openApiIndex(registry: Registry): Json {
  const paths: Record<string, Json> = {};
  for (const { group, version } of served(registry)) {
    const p = gvPath(group, version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(registry.resources(group, version))}` };
  }
  return { paths };
}

const param = (name: string, inWhere: 'query' | 'path', description: string): Json => ({
  name,
  in: inWhere,
  description,
  ...(inWhere === 'path' ? { required: true } : {}),
  schema: { type: 'string', uniqueItems: true },
});

export function openApiGroupVersion(registry: Registry, group: string, version: string): Json | undefined {
  if (!registry.hasGroupVersion(group, version)) return undefined;
  const prefix = `/${gvPath(group, version)}`;
  const paths: Record<string, Json> = {};
  for (const t of registry.resources(group, version)) {
    const gvk = { group, version, kind: t.kind };
    const base = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.name}` : `${prefix}/${t.name}`;
    const op = (action: string, params: Json[]): Json => ({
      tags: [gvPath(group, version)],
      operationId: `${action}${t.kind}`,
      parameters: params,
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const write = [param('dryRun', 'query', 'dry run'), param('fieldManager', 'query', 'field manager'), param('fieldValidation', 'query', 'field validation')];
    const common = [param('name', 'path', `name of the ${t.kind}`), ...(t.namespaced ? [param('namespace', 'path', 'object name and auth scope')] : [])];
    const readOnly = t.toView !== undefined;
    paths[base] = {
      get: op('list', []),
      ...(readOnly ? {} : { post: op('post', write) }),
      parameters: t.namespaced ? [param('namespace', 'path', 'object name and auth scope')] : [],
    };
    paths[`${base}/{name}`] = {
      get: op('get', []),
      ...(readOnly ? {} : { put: op('put', write), patch: op('patch', [...write, param('force', 'query', 'force apply')]), delete: op('delete', []) }),
      parameters: common,
    };
    if (t.hasStatus && !readOnly) {
      paths[`${base}/{name}/status`] = {
        get: op('get', []),
        put: op('put', write),
        patch: op('patch', [...write, param('force', 'query', 'force apply')]),
        parameters: common,
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.28.0' },
    paths,
    components: { schemas: {} },
  };
}
