import type { Condition, TigeraStatus } from '../types.js';
import { Findings, type Check } from './common.js';

/** TigeraStatuses the lab needs healthy (Installation + APIServer). `ippools` may stay Degraded while the API server starts. */
export const REQUIRED_STATUSES = ['calico', 'apiserver'] as const;

function cond(ts: TigeraStatus, type: string): Condition | undefined {
  return ts.status?.conditions?.find((c) => c.type === type);
}

export const tigerastatus: Check = {
  id: 'tigerastatus',
  title: 'TigeraStatus: calico and apiserver Available, not Degraded',
  needs: ['tigeraStatuses'],
  uses: ['tigeraStatuses'],
  explain:
    'The Tigera operator reports each component it manages as a TigeraStatus with Available/Progressing/Degraded conditions. ' +
    '`calico` (calico-node, kube-controllers) and `apiserver` must be Available and not Degraded. `ippools` is also listed; ' +
    'it can stay Degraded ("Unable to modify IP pools while Calico API server is unavailable") while the API server starts — a warning, not a failure.',
  commands: ['kubectl get tigerastatus', 'kubectl get tigerastatus calico -o yaml'],
  judge(_lab, inputs) {
    const list = inputs.tigeraStatuses.ok ? inputs.tigeraStatuses.value : [];
    const f = new Findings();
    const byName = new Map(list.map((t) => [t.metadata.name, t]));
    for (const name of REQUIRED_STATUSES) {
      const ts = byName.get(name);
      if (!ts) {
        f.fail(`TigeraStatus ${name} is missing (the operator has not reported it)`);
        continue;
      }
      const available = cond(ts, 'Available');
      const degraded = cond(ts, 'Degraded');
      if (available?.status !== 'True') f.fail(`${name}: Available=${available?.status ?? 'missing'}${available?.message ? ` (${available.message})` : ''}`);
      if (degraded?.status === 'True') f.fail(`${name}: Degraded: ${degraded.message ?? degraded.reason ?? ''}`);
    }
    for (const ts of list) {
      if ((REQUIRED_STATUSES as readonly string[]).includes(ts.metadata.name)) continue;
      const degraded = cond(ts, 'Degraded');
      const available = cond(ts, 'Available');
      if (degraded?.status === 'True') f.warn(`${ts.metadata.name}: Degraded: ${degraded.message ?? degraded.reason ?? ''}`);
      else if (available?.status !== 'True') f.warn(`${ts.metadata.name}: Available=${available?.status ?? 'missing'}${available?.message ? ` (${available.message})` : ''}`);
    }
    const statuses = list.map((ts) => ({
      name: ts.metadata.name,
      available: cond(ts, 'Available')?.status,
      progressing: cond(ts, 'Progressing')?.status,
      degraded: cond(ts, 'Degraded')?.status,
      conditions: (ts.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
    }));
    return f.verdict(
      `${REQUIRED_STATUSES.join(' and ')} Available; ${list.length} TigeraStatus${list.length === 1 ? '' : 'es'} reported`,
      { statuses },
      'see `kubectl get tigerastatus -o yaml` and the operator log: `kubectl logs -n tigera-operator deploy/tigera-operator`',
    );
  },
};
