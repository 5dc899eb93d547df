/** `meta.k8s.io/v1` Status bodies, shaped like a real kube-apiserver's. */
import type { ResourceType } from './registry.js';

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

/** An error that the HTTP layer turns into a Status response. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? String(status.code));
  }
}

export function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details !== undefined ? { details } : {}),
    code,
  };
}

/** `nodes` (core) or `ippools.crd.projectcalico.org`. */
export function qualified(type: Pick<ResourceType, 'name' | 'group'>): string {
  return type.group === '' ? type.name : `${type.name}.${type.group}`;
}

function details(type: Pick<ResourceType, 'name' | 'group'>, name: string): Record<string, unknown> {
  return type.group === '' ? { name, kind: type.name } : { name, group: type.group, kind: type.name };
}

export function notFound(type: Pick<ResourceType, 'name' | 'group'>, name: string): ApiError {
  return new ApiError(failure(404, 'NotFound', `${qualified(type)} "${name}" not found`, details(type, name)));
}

export function alreadyExists(type: Pick<ResourceType, 'name' | 'group'>, name: string): ApiError {
  return new ApiError(failure(409, 'AlreadyExists', `${qualified(type)} "${name}" already exists`, details(type, name)));
}

export function conflict(type: Pick<ResourceType, 'name' | 'group'>, name: string): ApiError {
  return new ApiError(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      details(type, name),
    ),
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(failure(400, 'BadRequest', message));
}

export function invalid(type: Pick<ResourceType, 'name' | 'group' | 'kind'>, name: string, message: string, field?: string): ApiError {
  const kindGroup = type.group === '' ? type.kind : `${type.kind}.${type.group}`;
  return new ApiError(
    failure(422, 'Invalid', `${kindGroup} "${name}" is invalid: ${field ? `${field}: ` : ''}${message}`, {
      name,
      ...(type.group !== '' ? { group: type.group } : {}),
      kind: type.kind,
      causes: [{ reason: 'FieldValueInvalid', message, ...(field ? { field } : {}) }],
    }),
  );
}

export const NOT_FOUND_RESOURCE = (): Status => failure(404, 'NotFound', 'the server could not find the requested resource', {});

export function methodNotAllowed(): ApiError {
  return new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}

export function expired(message: string): Status {
  return failure(410, 'Expired', message);
}

export const SERVICE_UNAVAILABLE = (): Status => failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', {});
export const INTERNAL_ERROR = (): Status =>
  failure(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out', { causes: [{ message: 'etcdserver: request timed out' }] });
