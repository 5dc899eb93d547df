/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge patch is treated as a merge patch. */
import { badRequest, failure, ApiError } from './status.js';

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/') || k === '$retainKeys') continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map(unescape);
}

function parentOf(doc: Json, tokens: string[], op: string): { parent: Record<string, Json> | Json[]; last: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObj(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new ApiError(failure(422, 'Invalid', `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}": missing value`));
  }
  if (!Array.isArray(cur) && !isObj(cur)) throw badRequest(`${op} operation does not apply: doc is missing path`);
  return { parent: cur, last: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: Json, tokens: string[]): Json {
  let cur: Json = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObj(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let root = structuredClone(doc);
  const missing = (op: string, path: string): ApiError =>
    new ApiError(failure(422, 'Invalid', `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`));
  const add = (path: string, value: Json): void => {
    const tokens = parsePointer(path);
    if (tokens.length === 0) {
      root = value;
      return;
    }
    const { parent, last } = parentOf(root, tokens, 'add');
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw missing('add', path);
      parent.splice(i, 0, value);
    } else parent[last] = value;
  };
  const remove = (path: string, op = 'remove'): Json => {
    const tokens = parsePointer(path);
    const { parent, last } = parentOf(root, tokens, op);
    if (Array.isArray(parent)) {
      const i = Number(last);
      if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw missing(op, path);
      return parent.splice(i, 1)[0];
    }
    if (!Object.hasOwn(parent, last)) throw missing(op, path);
    const v = parent[last];
    delete parent[last];
    return v;
  };
  for (const raw of ops as Op[]) {
    switch (raw.op) {
      case 'add':
        add(raw.path, structuredClone(raw.value));
        break;
      case 'remove':
        remove(raw.path);
        break;
      case 'replace':
        remove(raw.path, 'replace');
        add(raw.path, structuredClone(raw.value));
        break;
      case 'move': {
        const v = remove(raw.from ?? '', 'move');
        add(raw.path, v);
        break;
      }
      case 'copy': {
        const v = getAt(root, parsePointer(raw.from ?? ''));
        if (v === undefined) throw missing('copy', raw.from ?? '');
        add(raw.path, structuredClone(v));
        break;
      }
      case 'test': {
        const v = getAt(root, parsePointer(raw.path));
        if (JSON.stringify(v) !== JSON.stringify(raw.value)) throw new ApiError(failure(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${raw.path} failed: test failed`));
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${String(raw.op)}`);
    }
  }
  return root;
}
