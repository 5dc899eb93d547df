import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/sim/${name}`, import.meta.url), 'utf8');

describe('fake kind', () => {
  let tw: TestWorld;
  beforeAll(async () => {
    tw = await startTestWorld();
    tw.env['CLAB_VERSION_CHECK'] = 'disable'; // these calls stand in for lab, which always sets it
  });
  afterAll(async () => {
    await tw?.close();
  });

  test('no cluster: get clusters / nodes / kubeconfig / export logs / delete', async () => {
    const c = await tw.run('kind', ['get', 'clusters']);
    expect(c).toEqual({ exitCode: 0, stdout: '', stderr: 'No kind clusters found.\n' });
    const n = await tw.run('kind', ['get', 'nodes', '--name', 'calico-ipam']);
    expect(n).toEqual({ exitCode: 0, stdout: '', stderr: 'No kind nodes found for cluster "calico-ipam".\n' });
    const k = await tw.run('kind', ['get', 'kubeconfig', '--name=calico-ipam']);
    expect(k).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: "ERROR: could not locate any control plane nodes for cluster named 'calico-ipam'. Use the --name option to select a different cluster\n",
    });
    const l = await tw.run('kind', ['export', 'logs', '--name', 'calico-ipam']);
    expect(l.exitCode).toBe(1);
    expect(l.stderr).toBe('ERROR: unknown cluster "calico-ipam"\n');
    const d = await tw.run('kind', ['delete', 'cluster', '--name', 'calico-ipam']);
    expect(d).toEqual({ exitCode: 0, stdout: '', stderr: `${fixture('kind-delete-cluster.stderr.txt').split('\n')[0]}\n` });
  });

  test('version and unknown flag / command', async () => {
    expect((await tw.run('kind', ['version'])).stdout).toBe(fixture('kind-version.txt'));
    const f = await tw.run('kind', ['get', 'clusters', '--bogus']);
    expect(f).toEqual({ exitCode: 1, stdout: '', stderr: 'ERROR: unknown flag: --bogus\n' });
    const s = await tw.run('kind', ['get', 'clustrs']);
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toBe('ERROR: unknown command "clustrs" for "kind get"\n');
  });

  test('after deploy: clusters, nodes, kubeconfig, load, export logs, delete', async () => {
    const dep = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
    expect(dep.exitCode, dep.stderr).toBe(0);
    expect((await tw.run('kind', ['get', 'clusters'])).stdout).toBe(fixture('kind-get-clusters.txt'));
    for (const flag of [['--name', 'calico-ipam'], ['-n', 'calico-ipam'], ['--name=calico-ipam']]) {
      const nodes = await tw.run('kind', ['get', 'nodes', ...flag]);
      expect(nodes.stdout.split('\n').sort()).toEqual(fixture('kind-get-nodes.txt').split('\n').sort());
    }
    const kc = await tw.run('kind', ['get', 'kubeconfig', '--name', 'calico-ipam']);
    expect(kc.exitCode).toBe(0);
    expect(kc.stdout.endsWith('\n\n')).toBe(true); // printed with Println
    const doc = parseYaml(kc.stdout) as { clusters: { name: string; cluster: { server: string } }[]; 'current-context': string };
    const ref = parseYaml(fixture('kind-get-kubeconfig.yaml')) as typeof doc;
    expect(Object.keys(doc)).toEqual(Object.keys(ref));
    expect(doc['current-context']).toBe(ref['current-context']);
    expect(doc.clusters[0]?.name).toBe('kind-calico-ipam');
    expect(doc.clusters[0]?.cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    if (tw.world.api) expect(doc.clusters[0]?.cluster.server).toBe(`https://127.0.0.1:${tw.world.api.port}`);

    // load docker-image: absent locally → error; after docker pull → loaded on every node
    const img = 'docker.io/calico/node:v3.30.0';
    const absent = await tw.run('kind', ['load', 'docker-image', img, '--name', 'calico-ipam']);
    expect(absent).toEqual({ exitCode: 1, stdout: '', stderr: `ERROR: image: "${img}" not present locally\n` });
    expect((await tw.run('docker', ['pull', img])).exitCode).toBe(0);
    const load = await tw.run('kind', ['load', 'docker-image', img, '--name', 'calico-ipam']);
    expect(load.exitCode).toBe(0);
    expect(load.stderr.trimEnd().split('\n')).toHaveLength(3);
    expect(load.stderr).toMatch(/^Image: "docker\.io\/calico\/node:v3\.30\.0" with ID "sha256:[0-9a-f]{64}" not yet present on node "calico-ipam-worker2", loading\.\.\.$/m);
    for (const n of ['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']) expect(tw.world.host.nodeImages.get(n)?.has(img)).toBe(true);
    const again = await tw.run('kind', ['load', 'docker-image', img, '--name', 'calico-ipam']);
    expect(again.stderr).toMatch(/found to be already present on all nodes\.\n$/);

    const logs = await tw.run('kind', ['export', 'logs', join(tw.labDir, 'logs'), '--name', 'calico-ipam']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stderr).toBe(fixture('kind-export-logs.stderr.txt'));
    expect(logs.stdout).toBe(`${join(tw.labDir, 'logs')}\n`);
    for (const f of ['kind-version.txt', 'docker-info.txt', 'calico-ipam-control-plane/kubelet.log', 'calico-ipam-worker/inspect.json']) expect(existsSync(join(tw.labDir, 'logs', f)), f).toBe(true);

    const del = await tw.run('kind', ['delete', 'cluster', '--name', 'calico-ipam']);
    expect(del).toEqual({ exitCode: 0, stdout: '', stderr: fixture('kind-delete-cluster.stderr.txt') });
    expect((await tw.run('kind', ['get', 'clusters'])).stderr).toBe('No kind clusters found.\n');
  });
});
