/**
 * The lesson loader: lesson files (good and each bad input), --lesson prefix matching, --topology as a
 * folder, and a series-style folder without a lesson file — all built in temp dirs from our own files.
 */
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InputError, UsageError } from '../../../src/errors.js';
import { findLesson, listLessonFolders } from '../../../src/lab/catalog.js';
import { loadLab, packageRoot } from '../../../src/lab/load.js';
import type { Lab } from '../../../src/lab/model.js';
import { isPinnedImage } from '../../../src/lab/workloads.js';

const root = packageRoot();
const MULTITOOL = 'praqma/network-multitool:alpine-extra@sha256:5662f8284f0dc5f5e5c966e054d094cbb6d0774e422ad9031690826bc43753e5';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-lessons-'));
  await cp(join(root, 'topology'), join(dir, 'topology'), { recursive: true });
  await cp(join(root, 'manifests'), join(dir, 'manifests'), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lesson = (id: string): string => join(dir, 'topology', id);
const load = (topology: string, extra: Partial<Parameters<typeof loadLab>[0]> = {}): Promise<Lab> => loadLab({ topology, cwd: dir, env: {}, ...extra });

async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const next = text.replace(from, to);
  expect(next, `edit of ${file} did not apply`).not.toBe(text);
  await writeFile(file, next);
}

async function failure<E extends Error>(p: Promise<unknown>, type: new (...a: never[]) => E): Promise<E> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  return error as E;
}

const names = (lab: Lab): string[] => lab.workloads.manifests.map((m) => `${m.object.kind} ${m.object.metadata.namespace ?? 'default'}/${m.object.metadata.name}`);

describe('the shipped lessons', () => {
  test('01–05 are listed in folder order, with their ids', () => {
    expect(listLessonFolders().map((l) => l.id)).toEqual(['01-calico-ipam', '02-pod-network', '03-pod-routing', '04-k8s-services', '05-k8s-dns']);
  });

  test('02: lesson file fields, the Pod and its Service, wait for the Pod, one pinned image', async () => {
    const lab = await load(lesson('02-pod-network'));
    expect(lab.lesson).toMatchObject({ id: '02-pod-network', title: 'Calico Pod Networking', file: join(lesson('02-pod-network'), 'lesson.yaml') });
    expect(lab.lesson.notes.length).toBeGreaterThan(0);
    expect(lab.lesson.exercises?.map((e) => `${e.id}:${e.probe}`)).toEqual(['pod-eth0:pod-interface', 'pod-routes:pod-routes', 'pod-dns:pod-resolv', 'node-pod-route:node-pod-route']);
    expect(lab.name).toBe('pod-network');
    expect(lab.nodes.map((n) => n.name)).toEqual(['pod-network-control-plane', 'pod-network-worker', 'pod-network-worker2']);
    expect(names(lab)).toEqual(['Pod default/multitool', 'Service default/multitool-service']);
    expect(lab.workloads.waitFor).toEqual([{ kind: 'Pod', namespace: 'default', name: 'multitool' }]);
    expect(lab.workloads.images).toEqual([MULTITOOL]);
    expect(lab.customResources.map((c) => c.object.kind)).toEqual(['Installation', 'APIServer']);
  });

  test('03: two DaemonSets tolerating the control-plane taint, waited for by default', async () => {
    const lab = await load(lesson('03-pod-routing'));
    expect(lab.workloads.waitFor).toEqual([
      { kind: 'DaemonSet', namespace: 'default', name: 'multitool-1' },
      { kind: 'DaemonSet', namespace: 'default', name: 'multitool-2' },
    ]);
    for (const m of lab.workloads.manifests.filter((d) => d.object.kind === 'DaemonSet')) {
      const spec = (m.object['spec'] as { template: { spec: { tolerations: { key: string }[] } } }).template.spec;
      expect(spec.tolerations.map((t) => t.key)).toContain('node-role.kubernetes.io/control-plane');
    }
  });

  test('04: nginx-deployment + nginx-service:80 and the multitool DaemonSet the README execs into', async () => {
    const lab = await load(lesson('04-k8s-services'));
    expect(lab.name).toBe('k8s-services');
    expect(names(lab)).toEqual(['DaemonSet default/multitool-1', 'Service default/multitool-1-service', 'Deployment default/nginx-deployment', 'Service default/nginx-service']);
    expect(lab.workloads.images).toEqual([MULTITOOL, 'nginx:1.28.0']);
    expect(lab.lesson.notes.join('\n')).toMatch(/k8-services/);
  });

  test('05: Namespace foo is applied first, multitool-3 is waited for in foo', async () => {
    const lab = await load(lesson('05-k8s-dns'));
    expect(names(lab)[0]).toBe('Namespace default/foo');
    expect(lab.workloads.waitFor).toContainEqual({ kind: 'DaemonSet', namespace: 'foo', name: 'multitool-3' });
    expect(lab.workloads.waitFor).toHaveLength(4);
  });

  test('a bad exercise stops loading with lesson.yaml:line and the fix', async () => {
    // lesson 01's file declares no exercises of its own, so the appended key is the only one
    const f = join(lesson('01-calico-ipam'), 'lesson.yaml');
    const text = await readFile(f, 'utf8');
    await writeFile(f, `${text}exercises:\n  - { id: pod-ip, title: t, teaches: t, commands: [ip route], probe: nope }\n`);
    const e = await load(lesson('01-calico-ipam')).then(() => undefined, (error: unknown) => error as Error & { hint?: string });
    expect(e?.message).toBe(`${f}:${text.split('\n').length + 1}: exercises[0].probe nope is not a probe lab knows`);
    expect(e?.hint).toMatch(/^use one of: pod-interface, pod-routes, pod-resolv, node-pod-route/);
  });
});

describe('--lesson and --topology', () => {
  test('without --lesson or --topology the lab is the first lesson, 01', async () => {
    const lab = await loadLab({ cwd: dir, env: {} });
    expect(lab.lesson.id).toBe('01-calico-ipam');
    expect(lab.topologyFile).toBe(join(root, 'topology', '01-calico-ipam', 'calico-ipam.clab.yaml'));
    expect(lab.workloads).toEqual({ manifests: [], waitFor: [], images: [] });
  });

  test('--lesson takes an id or a unique prefix', async () => {
    expect(findLesson('02').id).toBe('02-pod-network');
    expect(findLesson('05-k8s-dns').id).toBe('05-k8s-dns');
    const lab = await loadLab({ lesson: '04', cwd: dir, env: {} });
    expect(lab.topologyFile).toBe(join(root, 'topology', '04-k8s-services', 'k8s-services.clab.yaml'));
  });

  test('an ambiguous or unknown --lesson is a UsageError listing the lessons', async () => {
    const ambiguous = await failure(loadLab({ lesson: '0', cwd: dir, env: {} }), UsageError);
    expect(ambiguous.message).toBe('--lesson 0 is ambiguous: it matches 01-calico-ipam, 02-pod-network, 03-pod-routing, 04-k8s-services, 05-k8s-dns');
    const unknown = await failure(loadLab({ lesson: '42', cwd: dir, env: {} }), UsageError);
    expect(unknown.message).toBe('--lesson 42: no such lesson');
    expect(unknown.hint).toContain('01-calico-ipam, 02-pod-network, 03-pod-routing, 04-k8s-services, 05-k8s-dns');
    expect(unknown.exitCode).toBe(2);
  });

  test('--lesson with --topology is a usage error', async () => {
    const e = await failure(loadLab({ lesson: '02', topology: lesson('02-pod-network'), cwd: dir, env: {} }), UsageError);
    expect(e.message).toBe('--lesson and --topology cannot be used together');
  });

  test('--topology takes the folder or the file, relative to cwd', async () => {
    const byFolder = await loadLab({ topology: 'topology/03-pod-routing', cwd: dir, env: {} });
    const byFile = await loadLab({ topology: 'topology/03-pod-routing/pod-routing.clab.yaml', cwd: dir, env: {} });
    expect(byFolder.topologyFile).toBe(join(lesson('03-pod-routing'), 'pod-routing.clab.yaml'));
    expect(byFile.topologyFile).toBe(byFolder.topologyFile);
    expect(byFile.pinsFile).toBe(join(dir, 'manifests', 'calico-pins.yaml'));
  });

  test('a folder without a lesson file and no topology names the folder', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const e = await failure(load(empty), InputError);
    expect(e.message).toBe(`--topology: the folder ${empty} holds no *.clab.yaml topology`);
  });

  test('the folder of the lessons themselves points at its lesson folders', async () => {
    const e = await failure(load(join(dir, 'topology')), InputError);
    expect(e.message).toBe(`--topology: the folder ${join(dir, 'topology')} holds no *.clab.yaml topology`);
    expect(e.hint).toBe(`it holds lesson folders (01-calico-ipam, 02-pod-network, 03-pod-routing, 04-k8s-services, 05-k8s-dns): pass one of them, e.g. --topology ${lesson('01-calico-ipam')}`);
  });

  test('a folder with two topologies and no lesson file names both', async () => {
    const d = lesson('02-pod-network');
    await rm(join(d, 'lesson.yaml'));
    await cp(join(d, 'pod-network.clab.yaml'), join(d, 'other.clab.yaml'));
    const e = await failure(load(d), InputError);
    expect(e.message).toBe(`--topology: the folder ${d} holds 2 topologies: other.clab.yaml, pod-network.clab.yaml`);
    expect(e.hint).toContain('topology: other.clab.yaml');
  });

  test('with two topologies, the lesson file\'s `topology:` picks one; a file given by path wins', async () => {
    const d = lesson('02-pod-network');
    await cp(join(d, 'pod-network.clab.yaml'), join(d, 'other.clab.yaml'));
    await expect(load(d)).resolves.toMatchObject({ topologyFile: join(d, 'pod-network.clab.yaml') });
    // a file given by path wins; the lesson file still gives the workloads
    await edit(join(d, 'other.clab.yaml'), /^name: pod-network$/m, 'name: other');
    const other = await load(join(d, 'other.clab.yaml'));
    expect(other).toMatchObject({ topologyFile: join(d, 'other.clab.yaml'), name: 'other', lesson: { id: '02-pod-network' } });
    expect(other.workloads.waitFor).toEqual([{ kind: 'Pod', namespace: 'default', name: 'multitool' }]);
  });
});

describe('a bad lesson file names lesson.yaml:line and the fix', () => {
  const file = (): string => join(lesson('02-pod-network'), 'lesson.yaml');
  const lessonError = async (): Promise<InputError> => failure(load(lesson('02-pod-network')), InputError);

  test('a Calico version that is not in the pins file', async () => {
    await edit(file(), 'calico: v3.30.0', 'calico: v3.29.9');
    const e = await lessonError();
    expect(e.message).toBe(`${file()}:8: the lesson needs Calico v3.29.9, which the pins file ${join(dir, 'manifests', 'calico-pins.yaml')} does not list`);
    expect(e.hint).toBe('set `calico:` to one of v3.30.0, v3.31.3, or add v3.29.9 to the pins file');
  });

  test('a Calico version of the pins file is used; --calico-version still wins', async () => {
    await edit(file(), 'calico: v3.30.0', 'calico: 3.31.3');
    expect((await load(lesson('02-pod-network'))).calico.version).toBe('v3.31.3');
    expect((await load(lesson('02-pod-network'), { calicoVersion: 'v3.30.0' })).calico.version).toBe('v3.30.0');
  });

  test('no title, a bad id and an unknown key are all reported', async () => {
    await edit(file(), 'title: Calico Pod Networking\n', 'titel: Calico Pod Networking\n');
    await edit(file(), 'id: 02-pod-network', 'id: 02_Pod');
    const e = await lessonError();
    expect(e.message).toMatch(new RegExp(`^${file().replaceAll('/', '\\/')}:\\d+: unknown key titel in the lesson file \\(and 2 more problems\\)$`));
    expect(e.details.join('\n')).toMatch(/lesson\.yaml:2: id "02_Pod" is missing or not lower-case/);
    expect(e.details.join('\n')).toContain('the lesson has no `title`');
  });

  test('a topology file that does not exist', async () => {
    await edit(file(), 'topology: pod-network.clab.yaml', 'topology: pod-netwrok.clab.yaml');
    const e = await lessonError();
    expect(e.message).toBe(`${file()}:7: topology pod-netwrok.clab.yaml does not exist (looked for ${join(lesson('02-pod-network'), 'pod-netwrok.clab.yaml')})`);
  });

  test('a workload manifest that does not exist', async () => {
    await edit(file(), '    - tools/multitool.yaml', '    - tools/multitol.yaml');
    const e = await lessonError();
    expect(e.message).toMatch(/lesson\.yaml:11: workloads\.manifests\[0\] tools\/multitol\.yaml does not exist/);
  });

  test('waitFor naming an object lab never applies, or a kind it cannot wait for', async () => {
    await edit(file(), '{ kind: Pod, name: multitool }', '{ kind: Pod, name: multitool-1 }\n    - { kind: Service, name: multitool-service }');
    const e = await lessonError();
    expect(e.message).toMatch(/lesson\.yaml:14: workloads\.waitFor\[1\]\.kind is "Service", expected one of Deployment, DaemonSet, StatefulSet, Pod/);
    expect(e.details.join('\n')).toMatch(/lesson\.yaml:13: workloads\.waitFor\[0\] Pod default\/multitool-1 is not among the lesson's workload manifests — wait only for objects lab applies: Pod\/default\/multitool/);
  });

  test('an unpinned workload image names the manifest line', async () => {
    const tools = join(lesson('02-pod-network'), 'tools', 'multitool.yaml');
    await edit(tools, MULTITOOL, 'praqma/network-multitool:latest');
    const e = await lessonError();
    expect(e.message).toMatch(/tools\/multitool\.yaml:\d+: image praqma\/network-multitool:latest is not pinned/);
    expect(e.hint).toContain('pin a tag');
  });

  test('a workload document that is not a Kubernetes object', async () => {
    const tools = join(lesson('02-pod-network'), 'tools', 'multitool.yaml');
    await writeFile(tools, `${await readFile(tools, 'utf8')}---\nkind: ConfigMap\ndata: {}\n`);
    const e = await lessonError();
    expect(e.message).toMatch(/multitool\.yaml:\d+: a document in multitool\.yaml lacks apiVersion, kind or metadata\.name/);
  });

  test('exercises that are not a list', async () => {
    await writeFile(file(), (await readFile(file(), 'utf8')).replace(/^exercises:\n[\s\S]*$/m, 'exercises: soon\n'));
    const e = await lessonError();
    expect(e.message).toMatch(/lesson\.yaml:\d+: exercises is not a list/);
  });

  test('a lesson file that is not a mapping', async () => {
    await writeFile(file(), '- just\n- a list\n');
    const e = await lessonError();
    expect(e.message).toBe(`${file()}:1: the lesson file is not a YAML mapping`);
  });
});

test('the README\'s worked example ("How to add a lesson") loads as written there', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## How to add a lesson'));
  const lessonYaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  expect(lessonYaml).toBeDefined();
  const d = join(dir, 'topology', '06-my-lesson');
  await mkdir(join(d, 'tools'), { recursive: true });
  await cp(join(lesson('02-pod-network'), 'calico-cni-config'), join(d, 'calico-cni-config'), { recursive: true });
  await writeFile(join(d, 'my-lesson.clab.yaml'), (await readFile(join(lesson('02-pod-network'), 'pod-network.clab.yaml'), 'utf8')).replaceAll('pod-network', 'my-lesson'));
  await cp(join(lesson('02-pod-network'), 'pod-network-no-cni.yaml'), join(d, 'my-lesson-no-cni.yaml'));
  await cp(join(lesson('04-k8s-services'), 'tools', 'nginx-deployment.yaml'), join(d, 'tools', 'nginx.yaml'));
  await writeFile(join(d, 'lesson.yaml'), lessonYaml!);
  const lab = await load(d);
  expect(lab.lesson).toMatchObject({ id: '06-my-lesson', title: 'My lesson', exercises: [expect.objectContaining({ id: 'pod-eth0', probe: 'pod-interface', with: { pod: 'multitool' } })] });
  expect(lab.workloads.waitFor).toEqual([{ kind: 'Deployment', name: 'nginx-deployment', namespace: 'default' }]);
  expect(lab.workloads.images).toEqual(['nginx:1.28.0']);
  expect(listLessonFolders(join(dir, 'topology')).map((l) => l.id)).toContain('06-my-lesson');
});

describe('a series-style folder without a lesson file', () => {
  /** The series' layout, from our own lesson 03: <name>.clab.yaml, kind config, calico-cni-config/, tools/, a deploy.sh lab never reads. */
  async function seriesFolder(): Promise<string> {
    // two levels below the temp dir, so no manifests/ is near it (the temp dir's is three levels up)
    const d = join(dir, 'elsewhere', 'series', '03-pod-routing');
    await mkdir(join(dir, 'elsewhere', 'series'), { recursive: true });
    await cp(lesson('03-pod-routing'), d, { recursive: true });
    await rm(join(d, 'lesson.yaml'));
    await writeFile(join(d, 'deploy.sh'), '#!/bin/sh\nexit 1\n');
    await edit(join(d, 'tools', 'multitool-2.yaml'), MULTITOOL, 'praqma/network-multitool');
    return d;
  }

  test('derives id, title, custom resources, workloads and the pins default', async () => {
    const d = await seriesFolder();
    const lab = await loadLab({ topology: d, cwd: '/', env: {} });
    expect(lab.lesson).toMatchObject({ id: '03-pod-routing', title: 'pod-routing', summary: '', file: undefined });
    expect(lab.customResources.map((c) => c.file)).toEqual([join(d, 'calico-cni-config', 'custom-resources.yaml'), join(d, 'calico-cni-config', 'custom-resources.yaml')]);
    expect(lab.workloads.waitFor.map((w) => w.name)).toEqual(['multitool-1', 'multitool-2']);
    expect(lab.workloads.images).toEqual([MULTITOOL, 'praqma/network-multitool']);
    // an unpinned image is a note here (the series uses :latest), not an error
    expect(lab.lesson.notes).toEqual([`${join(d, 'tools', 'multitool-2.yaml')}: image praqma/network-multitool is not pinned; what it runs can change between runs`]);
    // no manifests/ near the folder: the package's pins file and its default version
    expect(lab.pinsFile).toBe(join(root, 'manifests', 'calico-pins.yaml'));
    expect(lab.calico.version).toBe('v3.30.0');
    expect((await loadLab({ topology: d, calicoVersion: '3.31.3', cwd: '/', env: {} })).calico.version).toBe('v3.31.3');
  });

  test('no tools/ means no workloads; no calico-cni-config/ names both places looked', async () => {
    const d = await seriesFolder();
    await rm(join(d, 'tools'), { recursive: true });
    expect((await loadLab({ topology: d, cwd: '/', env: {} })).workloads).toEqual({ manifests: [], waitFor: [], images: [] });
    await rename(join(d, 'calico-cni-config'), join(d, 'calico'));
    const e = await failure(loadLab({ topology: d, cwd: '/', env: {} }), InputError);
    expect(e.message).toBe(`the lab has no Calico custom resources (looked for ${join(d, 'calico-cni-config', 'custom-resources.yaml')} and ${join(dir, 'elsewhere', 'series', 'manifests')}/)`);
  });
});

test.each([
  ['nginx:1.28.0', true],
  ['nginx', false],
  ['nginx:latest', false],
  ['registry:5000/nginx', false],
  ['registry:5000/nginx:1.28.0', true],
  [MULTITOOL, true],
  ['praqma/network-multitool@sha256:5662f8284f0dc5f5e5c966e054d094cbb6d0774e422ad9031690826bc43753e5', true],
])('isPinnedImage(%s) = %s', (image, pinned) => {
  expect(isPinnedImage(image)).toBe(pinned);
});
