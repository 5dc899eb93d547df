import type { TigeraRow } from '../types.js';
import type { Check } from './common.js';

/** TigeraStatuses the lab needs healthy (Installation + APIServer). `ippools` may stay Degraded while the API server starts. */
export const REQUIRED_STATUSES = ['calico', 'apiserver'] as const;

const isRequired = (name: string): boolean => (REQUIRED_STATUSES as readonly string[]).includes(name);
const msg = (r: TigeraRow): string => (r.message ? ` (${r.message})` : '');

export const tigerastatus: Check = {
  id: 'tigerastatus',
  title: 'TigeraStatus: calico and apiserver Available, not Degraded',
  rules: [
    {
      id: 'required-available',
      title: 'calico and apiserver are reported and Available',
      inputs: ['tigeraRows'],
      judge(ctx) {
        const byName = new Map(ctx.get('tigeraRows').map((r) => [r.name, r]));
        for (const name of REQUIRED_STATUSES) {
          const r = byName.get(name);
          // A blank AVAILABLE cell means the condition is absent: not available.
          if (!r) ctx.fail(`TigeraStatus ${name} is missing (the operator has not reported it)`);
          else if (r.available !== 'True') ctx.fail(`${name}: Available=${r.available ?? 'missing'}${r.degraded === 'True' ? '' : msg(r)}`);
        }
      },
    },
    {
      id: 'required-settled',
      title: 'calico and apiserver are neither Degraded nor Progressing',
      inputs: ['tigeraRows'],
      judge(ctx) {
        for (const r of ctx.get('tigeraRows').filter((x) => isRequired(x.name))) {
          if (r.degraded === 'True') ctx.fail(`${r.name}: Degraded: ${r.message ?? ''}`);
          else if (r.progressing === 'True') ctx.fail(`${r.name}: still Progressing${msg(r)} — the operator is still rolling it out`);
        }
      },
    },
    {
      id: 'others-healthy',
      title: 'other components (ippools, …) Available and not Degraded (a warning)',
      inputs: ['tigeraRows'],
      judge(ctx) {
        for (const r of ctx.get('tigeraRows').filter((x) => !isRequired(x.name))) {
          if (r.degraded === 'True') ctx.warn(`${r.name}: Degraded: ${r.message ?? ''}`);
          else if (r.available !== 'True') ctx.warn(`${r.name}: Available=${r.available ?? 'missing'}${msg(r)}`);
        }
      },
    },
  ],
  passSummary: (_lab, inputs) => {
    const n = inputs.tigeraRows.ok ? inputs.tigeraRows.value.length : 0;
    return `${REQUIRED_STATUSES.join(' and ')} Available; ${n} TigeraStatus${n === 1 ? '' : 'es'} reported`;
  },
  evidence(_lab, inputs) {
    const full = inputs.tigeraStatuses.ok ? new Map(inputs.tigeraStatuses.value.map((t) => [t.metadata.name, t])) : undefined;
    return {
      source: inputs.tigeraRows.ok ? inputs.tigeraRows.source : undefined,
      statuses: (inputs.tigeraRows.ok ? inputs.tigeraRows.value : []).map((r) => ({
        name: r.name,
        available: r.available,
        progressing: r.progressing,
        degraded: r.degraded,
        ...(full ? { conditions: (full.get(r.name)?.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })) } : r.message ? { message: r.message } : {}),
      })),
    };
  },
  hint: 'see `kubectl get tigerastatus -o yaml` and the operator log: `kubectl logs -n tigera-operator deploy/tigera-operator`',
  explain:
    'The Tigera operator reports each component it manages as a TigeraStatus with Available/Progressing/Degraded conditions. ' +
    '`calico` (calico-node, kube-controllers) and `apiserver` must be Available and not Degraded. `ippools` is also listed; ' +
    'it can stay Degraded ("Unable to modify IP pools while Calico API server is unavailable") while the API server starts — a warning, not a failure.',
  commands: ['kubectl get tigerastatus', 'kubectl get tigerastatus calico -o yaml'],
};
