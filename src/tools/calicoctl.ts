/**
 * calicoctl: always the pinned, sha256-verified binary from the download cache (never from PATH),
 * pointed at the lab's cluster only (DATASTORE_TYPE=kubernetes, KUBECONFIG=<lab kubeconfig>).
 */
import { run, toolRunOptions, type RunResult, type ToolOptions } from './exec.js';

export interface CalicoctlOptions extends ToolOptions {
  /** The lab's kubeconfig (`lab.kubeconfigPath`). */
  kubeconfig: string;
}

/** Environment for calicoctl: the caller's env minus any calicoctl/kube settings that could point elsewhere. */
export function calicoctlEnv(base: NodeJS.ProcessEnv, kubeconfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (/^(CALICO_|ETCD_|K8S_)/.test(k) || k === 'DATASTORE_TYPE' || k === 'KUBECONFIG') continue;
    env[k] = v;
  }
  env['DATASTORE_TYPE'] = 'kubernetes';
  env['KUBECONFIG'] = kubeconfig;
  return env;
}

/** Run `<binary> <args…>` and return the result whatever its exit code (calicoctl's ipam check exits 0 with problems). */
export async function runCalicoctl(binary: string, args: readonly string[], o: CalicoctlOptions): Promise<RunResult> {
  return run(binary, args, { ...toolRunOptions(o, { timeout: 60_000 }), env: calicoctlEnv(o.env ?? process.env, o.kubeconfig) });
}
