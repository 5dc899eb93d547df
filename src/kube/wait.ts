/**
 * Watch-based waits: list, check, then watch from the list's resourceVersion and re-check on every
 * event; a closed or failed stream means re-list and re-watch. Every wait has an absolute deadline
 * and stops on the command's abort signal. No fixed sleeps: the only delays are short backoffs after
 * a failed list/watch. The readiness rules are pure functions (tested directly).
 */
import { InterruptedError } from '../errors.js';
import type { KubeObject } from '../lab/model.js';
import { KubeApiError, isTransient, type KubeClient, type ListOptions } from './client.js';

/** Thrown when a wait passes its deadline; callers turn it into a TimeoutError with diagnostics. */
export class DeadlineError extends Error {
  constructor(
    readonly what: string,
    /** The last progress text of the wait (what it was still waiting for). */
    readonly lastState: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${what}: deadline reached${lastState ? ` (${lastState})` : ''}`, options);
    this.name = 'DeadlineError';
  }
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface CheckResult<R> {
  /** Defined when the wait is over. */
  done?: R;
  /** What it is waiting for (shown as task output; kept for the timeout message). */
  state?: string;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Absolute deadline (Date.now() ms). */
  deadline: number;
  what: string;
  onProgress?: (state: string) => void;
}

function key(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    const done = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Wait until `check` over the current objects of a collection returns `done`. A 404 on the
 * collection (CRD not served yet) counts as "no objects". Transient API errors are retried.
 */
export async function watchUntil<R, T extends KubeObject = KubeObject>(
  client: KubeClient,
  apiVersion: string,
  resource: string,
  list: ListOptions,
  check: (items: T[]) => CheckResult<R>,
  o: WaitOptions,
): Promise<R> {
  const local = new AbortController();
  const timer = setTimeout(() => local.abort(new DeadlineError(o.what, lastState)), Math.max(0, o.deadline - Date.now()));
  const onAbort = (): void => local.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let lastState: string | undefined;
  const objects = new Map<string, T>();
  const evaluate = (): CheckResult<R> => {
    const r = check([...objects.values()]);
    if (r.state !== undefined && r.state !== lastState) {
      lastState = r.state;
      o.onProgress?.(r.state);
    }
    return r;
  };
  let backoff = 100;
  let lastError: unknown;
  try {
    while (!local.signal.aborted) {
      let resourceVersion: string;
      try {
        const l = await client.list<T>(apiVersion, resource, { ...list });
        objects.clear();
        for (const item of l.items) objects.set(key(item), item);
        resourceVersion = l.resourceVersion;
      } catch (error) {
        if (local.signal.aborted) break;
        if (error instanceof KubeApiError && error.status === 404) {
          objects.clear();
          const r = evaluate();
          if (r.done !== undefined) return r.done;
          lastError = error;
          await delay(backoff, local.signal);
          backoff = Math.min(backoff * 2, 1_000);
          continue;
        }
        if (!isTransient(error)) throw error;
        lastError = error;
        await delay(backoff, local.signal);
        backoff = Math.min(backoff * 2, 1_000);
        continue;
      }
      const r = evaluate();
      if (r.done !== undefined) return r.done;
      let result: { done: R } | undefined;
      const stream = new AbortController();
      const stop = (): void => stream.abort();
      local.signal.addEventListener('abort', stop, { once: true });
      try {
        await client.watch<T>(apiVersion, resource, { ...list, resourceVersion, signal: stream.signal, timeoutSeconds: Math.max(1, Math.ceil((o.deadline - Date.now()) / 1000)) }, (event) => {
          if (event.type === 'BOOKMARK') return;
          if (event.type === 'DELETED') objects.delete(key(event.object));
          else objects.set(key(event.object), event.object);
          const c = evaluate();
          if (c.done !== undefined) {
            result = { done: c.done };
            stream.abort();
          }
        });
        backoff = 100;
      } catch (error) {
        if (!local.signal.aborted && !(error instanceof KubeApiError && (error.status === 410 || error.status === 404 || isTransient(error)))) throw error;
        lastError = error;
        if (!local.signal.aborted) await delay(backoff, local.signal);
        backoff = Math.min(backoff * 2, 1_000);
      } finally {
        local.signal.removeEventListener('abort', stop);
      }
      if (result) return (result as { done: R }).done;
      // stream closed: re-list and re-watch
    }
    const reason: unknown = local.signal.reason;
    if (reason instanceof DeadlineError) throw new DeadlineError(o.what, lastState, lastError ? { cause: lastError } : undefined);
    throw reason instanceof Error ? reason : new InterruptedError('interrupted');
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    if (!local.signal.aborted) local.abort();
  }
}

/** Poll with a short fixed-cadence backoff until `probe` resolves true (used only where no watch exists: API reachability). */
export async function pollUntil(probe: () => Promise<boolean>, o: WaitOptions & { intervalMs?: number }): Promise<void> {
  const interval = o.intervalMs ?? 200;
  let lastError: unknown;
  for (;;) {
    if (o.signal?.aborted) {
      const reason: unknown = o.signal.reason;
      throw reason instanceof Error ? reason : new InterruptedError('interrupted');
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
      if (o.signal?.aborted) continue;
      const text = error instanceof Error ? error.message : String(error);
      o.onProgress?.(text);
    }
    if (Date.now() + interval > o.deadline) throw new DeadlineError(o.what, lastError instanceof Error ? lastError.message : undefined, lastError ? { cause: lastError } : undefined);
    // delay() removes its abort listener when the interval ends (one per poll would pile up).
    await delay(interval, o.signal ?? NEVER);
  }
}

const NEVER = new AbortController().signal;

/** How long 401/403 count as "not yet" after the API first answered (kubeadm grants admin.conf's rights within about a second). */
export const RIGHTS_GRACE_MS = 30_000;

/** An API answer that says "you may not": 401 (not authenticated) or 403 (not authorized). */
export function isRefused(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && (error.status === 401 || error.status === 403);
}

/**
 * Wait until the kubeconfig's user has admin rights: an admin-only read (list CRDs) succeeds.
 * With kubeadm ≥ 1.29, admin.conf's user is cluster-admin only a moment after /readyz (kubeadm
 * creates the kubeadm:cluster-admins binding then), so 401/403 mean "not yet" — for `graceMs` only:
 * a kubeconfig that is simply wrong fails with the server's own 403/401 message, not at the deadline.
 */
export async function waitForAdminRights(client: KubeClient, o: WaitOptions & { graceMs?: number; intervalMs?: number }): Promise<void> {
  const until = Math.min(o.deadline, Date.now() + (o.graceMs ?? RIGHTS_GRACE_MS));
  const interval = o.intervalMs ?? 250;
  for (;;) {
    if (o.signal?.aborted) {
      const reason: unknown = o.signal.reason;
      throw reason instanceof Error ? reason : new InterruptedError('interrupted');
    }
    let last: unknown;
    try {
      await client.requestJson('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { query: { limit: '1' }, deadline: Math.min(Date.now() + 10_000, o.deadline) });
      return;
    } catch (error) {
      if (!isRefused(error) && !isTransient(error)) throw error;
      if (isRefused(error) && Date.now() + interval > until) throw new RightsError(error);
      last = error;
      o.onProgress?.(isRefused(error) ? `waiting for admin rights (HTTP ${error.status} so far)` : (error as Error).message);
    }
    if (Date.now() + interval > o.deadline) throw new DeadlineError(o.what, last instanceof Error ? last.message : undefined, { cause: last });
    await delay(interval, o.signal ?? NEVER);
  }
}

/** The kubeconfig's user still has no admin rights when the grace is over: carries the server's message. */
export class RightsError extends Error {
  constructor(readonly refusal: KubeApiError) {
    super(refusal.message, { cause: refusal });
    this.name = 'RightsError';
  }
}

// ---- readiness rules (pure) ----

export function conditionsOf(o: unknown): Condition[] {
  const status = (o as { status?: { conditions?: unknown } }).status;
  return Array.isArray(status?.conditions) ? (status.conditions as Condition[]) : [];
}

export function conditionIs(o: unknown, type: string, status = 'True'): boolean {
  return conditionsOf(o).some((c) => c.type === type && c.status === status);
}

/** A CRD is Established. */
export function crdEstablished(crd: KubeObject): boolean {
  return conditionIs(crd, 'Established');
}

/** Which of the named CRDs are not Established yet (missing counts as not yet). */
export function crdsPending(crds: KubeObject[], names: readonly string[]): string[] {
  const established = new Set(crds.filter(crdEstablished).map((c) => c.metadata.name));
  return names.filter((n) => !established.has(n));
}

export interface TigeraState {
  name: string;
  available: boolean;
  progressing: boolean;
  degraded: boolean;
  /** The most telling condition message (Degraded first, then Progressing). */
  message: string | undefined;
}

export function tigeraState(name: string, ts: KubeObject | undefined): TigeraState {
  if (!ts) return { name, available: false, progressing: false, degraded: false, message: 'not created yet' };
  const cs = conditionsOf(ts);
  const is = (t: string): Condition | undefined => cs.find((c) => c.type === t && c.status === 'True');
  const degraded = is('Degraded');
  const progressing = is('Progressing');
  return {
    name,
    available: is('Available') !== undefined,
    progressing: progressing !== undefined,
    degraded: degraded !== undefined,
    message: degraded?.message || degraded?.reason || progressing?.message || progressing?.reason || undefined,
  };
}

/** TigeraStatus names lab requires Available and not Degraded; `ippools` is only reported. */
export const REQUIRED_TIGERA = ['calico', 'apiserver'] as const;

export function tigeraReady(items: KubeObject[], required: readonly string[] = REQUIRED_TIGERA): CheckResult<TigeraState[]> {
  const byName = new Map(items.map((i) => [i.metadata.name, i]));
  const states = required.map((n) => tigeraState(n, byName.get(n)));
  if (states.every((s) => s.available && !s.degraded)) return { done: states, state: 'available' };
  const waiting = states.filter((s) => !(s.available && !s.degraded));
  return { state: waiting.map((s) => `${s.name}: ${s.degraded ? 'Degraded' : s.progressing ? 'Progressing' : s.available ? 'Available' : 'not available'}${s.message ? ` (${s.message})` : ''}`).join('; ') };
}

export function nodeReady(node: KubeObject): boolean {
  return conditionIs(node, 'Ready');
}

export function nodesReady(items: KubeObject[], expected: readonly string[]): CheckResult<string[]> {
  const byName = new Map(items.map((i) => [i.metadata.name, i]));
  const missing = expected.filter((n) => !byName.has(n));
  const notReady = expected.filter((n) => byName.has(n) && !nodeReady(byName.get(n)!));
  if (missing.length === 0 && notReady.length === 0) return { done: [...expected], state: `${expected.length}/${expected.length} nodes Ready` };
  const ready = expected.length - missing.length - notReady.length;
  const parts = [`${ready}/${expected.length} nodes Ready`];
  if (notReady.length > 0) parts.push(`NotReady: ${notReady.join(', ')}`);
  if (missing.length > 0) parts.push(`missing: ${missing.join(', ')}`);
  return { state: parts.join('; ') };
}
