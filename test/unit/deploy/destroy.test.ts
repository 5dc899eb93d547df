/**
 * destroy's order and scope with the process runner mocked: containerlab destroy --cleanup first,
 * `kind delete cluster` only if containers of this cluster are left, `docker rm -f -v` only for what
 * is still left; never the kind network, never images.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
let psAnswers: string[] = [];

vi.mock('../../../src/tools/exec.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/tools/exec.js')>();
  const fake = async (file: string, args: readonly string[]) => {
    calls.push([file, ...args].join(' '));
    const stdout = file === 'docker' && args[0] === 'ps' ? (psAnswers.shift() ?? '') : '';
    return { command: real.displayCommand(file, args), exitCode: 0, stdout, stderr: '' };
  };
  return { ...real, run: vi.fn(fake), runOk: vi.fn(fake) };
});

const { removeLabCluster } = await import('../../../src/deploy/destroy.js');
const ps = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'cli', 'docker-ps-kind.jsonl'), 'utf8');
const lab = { topologyFile: '/lab/calico-ipam.clab.yaml', cluster: 'calico-ipam' };
const binDir = mkdtempSync(join(tmpdir(), 'lab-destroy-'));
writeFileSync(join(binDir, 'containerlab'), '#!/bin/sh\nexit 0\n');
chmodSync(join(binDir, 'containerlab'), 0o755);
const env = { PATH: binDir };
const CLAB = join(binDir, 'containerlab');
const PS = "docker ps -a --filter label=io.x-k8s.kind.cluster=calico-ipam --format {{json .}}";

beforeEach(() => {
  calls.length = 0;
  psAnswers = [];
});

describe('removeLabCluster', () => {
  it('containerlab removed everything: no kind/docker removal', async () => {
    psAnswers = [''];
    await removeLabCluster(lab, { mode: 'root', env });
    expect(calls).toEqual([`${CLAB} destroy -t /lab/calico-ipam.clab.yaml --cleanup`, PS]);
  });
  it('containers left: kind delete cluster by name, then nothing else', async () => {
    psAnswers = [ps, ''];
    await removeLabCluster(lab, { mode: 'sudo', env });
    expect(calls.map((c) => c.replace(/--kubeconfig \S+/, '--kubeconfig <throwaway>'))).toEqual([
      `sudo -n --preserve-env=CLAB_VERSION_CHECK,KUBECONFIG ${CLAB} destroy -t /lab/calico-ipam.clab.yaml --cleanup`,
      PS,
      'kind delete cluster --name calico-ipam --kubeconfig <throwaway>',
      PS,
    ]);
  });
  it('still left after kind: docker rm -f -v of exactly those containers', async () => {
    psAnswers = [ps, ps];
    await removeLabCluster(lab, { mode: 'root', env });
    expect(calls.at(-1)).toBe('docker rm -f -v calico-ipam-worker2 calico-ipam-control-plane calico-ipam-worker');
    expect(calls.some((c) => /network rm|rmi|image rm/.test(c))).toBe(false);
  });
});
