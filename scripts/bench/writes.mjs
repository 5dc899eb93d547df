/**
 * Detection lag, measured from the world's side without instrumenting the product: the bench process
 * subscribes to every store event (the world runs in this process, so the listener runs at the moment
 * of the write, on the same performance.now() clock as the world's condition marks).
 */

const CRDS = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' };

const isEstablished = (obj) => (obj?.status?.conditions ?? []).some((c) => c?.type === 'Established' && c?.status === 'True');

/**
 * Subscribe to `world.store`; returns { events, marks, stop }. Each event: { at, type, group, resource,
 * name, managers }. `marks` are conditions seen in the store itself, in the world's mark format: the
 * first time each CRD's status says Established (`crd-established:<crd name>`), for worlds whose
 * recorder does not mark it.
 */
export function recordWrites(world) {
  const events = [];
  const marks = [];
  const established = new Set();
  const stop = world.store.watch(undefined, (e) => {
    const at = performance.now();
    const managers = (e.object?.metadata?.managedFields ?? []).map((f) => f?.manager).filter(Boolean);
    const name = e.object?.metadata?.name;
    events.push({ at, type: e.type, group: e.ref.group, resource: e.ref.resource, name, managers });
    if (e.ref.group === CRDS.group && e.ref.resource === CRDS.resource && e.type !== 'DELETED' && !established.has(name) && isEstablished(e.object)) {
      established.add(name);
      marks.push({ name: `crd-established:${name}`, at });
    }
  });
  return { events, marks, stop };
}

/** The world's condition marks plus store-derived marks of conditions the world did not record itself. */
export function mergeMarks(conditions, derived) {
  const names = new Set(conditions.map((c) => c.name));
  return [...conditions, ...derived.filter((m) => !names.has(m.name))].sort((a, b) => a.at - b.at);
}

/** The latest mark at or before `t` among `marks` (undefined when none). */
function latestBefore(marks, t) {
  let best;
  for (const m of marks) if (m.at <= t && (!best || m.at > best.at)) best = m;
  return best;
}

/**
 * The three detection lags of one deploy (ms, or null when a side is missing, with a reason):
 *  a. api-up → lab's first write (the first CRD it applies, or the first object lab's field manager wrote),
 *     or the first API request after api-up when the world's API keeps a request log;
 *  b. the latest crd-established:* at or before lab's first custom-resource write (the condition lab
 *     was waiting for) → that write (operator.tigera.io installations);
 *  c. the last of tigerastatus-available:calico|apiserver and node-ready:* → the deploy process exit.
 */
export function detectionLags({ conditions, events, exitAt, startAt, requestLog }) {
  const byName = (n) => conditions.find((c) => c.name === n);
  const out = {};

  const apiUp = byName('api-up');
  const labWrites = events.filter(
    (e) => e.at >= startAt && ((e.group === CRDS.group && e.resource === CRDS.resource) || e.managers.includes('lab')),
  );
  const firstRequest = apiUp && requestLog ? requestLog.find((r) => r.at >= apiUp.at) : undefined;
  const firstWrite = labWrites[0];
  if (!apiUp) out.apiUpToFirstWrite = { ms: null, reason: 'the world recorded no api-up' };
  else if (firstRequest) out.apiUpToFirstWrite = { ms: firstRequest.at - apiUp.at, via: 'first API request', what: `${firstRequest.method ?? ''} ${firstRequest.path ?? ''}`.trim() };
  else if (!firstWrite) out.apiUpToFirstWrite = { ms: null, reason: 'lab wrote nothing to the API' };
  else out.apiUpToFirstWrite = { ms: firstWrite.at - apiUp.at, via: 'first write', what: `${firstWrite.resource}/${firstWrite.name}` };

  const crWrite = events.find((e) => e.at >= startAt && e.group === 'operator.tigera.io' && e.resource === 'installations' && e.type === 'ADDED');
  const established = conditions.filter((c) => c.name.startsWith('crd-established:'));
  if (!crWrite) out.crdEstablishedToCustomResource = { ms: null, reason: 'no Installation was created' };
  else {
    const cond = latestBefore(established, crWrite.at);
    const last = established.reduce((a, c) => (!a || c.at > a.at ? c : a), undefined);
    out.crdEstablishedToCustomResource = cond
      ? { ms: crWrite.at - cond.at, condition: cond.name, establishedAfterWrite: established.filter((c) => c.at > crWrite.at).map((c) => c.name), lastEstablished: last?.name }
      : { ms: null, reason: 'the Installation was created before any CRD was Established' };
  }

  const ready = conditions.filter((c) => c.name === 'tigerastatus-available:calico' || c.name === 'tigerastatus-available:apiserver' || c.name.startsWith('node-ready:'));
  const hasCalico = ready.some((c) => c.name === 'tigerastatus-available:calico');
  const hasApiserver = ready.some((c) => c.name === 'tigerastatus-available:apiserver');
  if (!hasCalico || !hasApiserver || !ready.some((c) => c.name.startsWith('node-ready:'))) {
    out.readyToExit = { ms: null, reason: `missing conditions: ${[!hasCalico && 'tigerastatus-available:calico', !hasApiserver && 'tigerastatus-available:apiserver', !ready.some((c) => c.name.startsWith('node-ready:')) && 'node-ready:*'].filter(Boolean).join(', ')}` };
  } else {
    const last = ready.reduce((a, c) => (c.at > a.at ? c : a));
    out.readyToExit = { ms: exitAt - last.at, condition: last.name };
  }
  return out;
}
