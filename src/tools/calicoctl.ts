/**
 * calicoctl: always the pinned, sha256-verified binary from the download cache (never from PATH),
 * pointed at the lab's cluster only. calicoctl reads its datastore from a config file when one exists
 * (`-c/--config`, default /etc/calico/calicoctl.cfg) and from the environment only when the default
 * file is absent (calico v3.30 `calicoctl/commands/clientmgr/client.go` LoadClientConfig; with a file,
 * no variable is read). So every call gets `--config=<file>`: a CalicoAPIConfig lab writes (mode 0600,
 * in a private temp dir removed after the call) naming the kubernetes datastore and the lab's
 * kubeconfig, which a host-wide /etc/calico/calicoctl.cfg (say, an etcd cluster) cannot override. The
 * environment says the same (DATASTORE_TYPE=kubernetes, KUBECONFIG=<lab kubeconfig>, other calico/kube
 * settings dropped), for a calicoctl that reads it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

/**
 * The calicoctl config file for the lab's cluster (libcalico-go `apiconfig.CalicoAPIConfig`, loaded
 * with a strict YAML/JSON unmarshal that wants apiVersion projectcalico.org/v3 and kind
 * CalicoAPIConfig). JSON, so no path needs quoting. The kubeconfig path is made absolute.
 */
export function calicoctlConfig(kubeconfig: string): string {
  return `${JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'CalicoAPIConfig', metadata: {}, spec: { datastoreType: 'kubernetes', kubeconfig: path.resolve(kubeconfig) } }, null, 2)}\n`;
}

/** Run `<binary> <args…> --config=<lab's config>` and return the result whatever its exit code (calicoctl's ipam check exits 0 with problems). */
export async function runCalicoctl(binary: string, args: readonly string[], o: CalicoctlOptions): Promise<RunResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-calicoctl-'));
  try {
    const config = path.join(dir, 'calicoctl.cfg');
    await writeFile(config, calicoctlConfig(o.kubeconfig), { mode: 0o600 });
    return await run(binary, [...args, `--config=${config}`], { ...toolRunOptions(o, { timeout: 60_000 }), env: calicoctlEnv(o.env ?? process.env, o.kubeconfig) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
