/**
 * `lab lessons` through the built CLI (dist/cli.js), and the npm package shipping every lesson folder.
 * Nothing here needs the simulated world: listing lessons only reads files.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/world.js';

const lab = (args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const IDS = ['01-calico-ipam', '02-pod-network', '03-pod-routing', '04-k8s-services', '05-k8s-dns'];

describe('lab lessons', () => {
  it('lists the five shipped lessons as a table', () => {
    const r = lab(['lessons']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TITLE\s+NODES\s+CALICO\s+EXERCISES\s+WORKLOADS$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual(IDS);
    expect(lines[2]).toMatch(/^02-pod-network\s+Calico Pod Networking\s+3\s+v3\.30\.0\s+4\s+Pod multitool$/);
    expect(lines[5]).toContain('DaemonSet foo/multitool-3');
  });

  it('--json gives every lesson with nodes, Calico version, workloads, images and exercises', () => {
    const r = lab(['lessons', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; lessons: { id: string; nodes: number; calicoVersion: string; workloads: string[]; images: string[]; exercises: number }[]; broken: unknown[] };
    expect(doc.ok).toBe(true);
    expect(doc.broken).toEqual([]);
    expect(doc.lessons.map((l) => l.id)).toEqual(IDS);
    const l04 = doc.lessons.find((l) => l.id === '04-k8s-services')!;
    expect(l04).toMatchObject({ nodes: 3, calicoVersion: 'v3.30.0', exercises: 2 }); // nginx-service-endpoints, multitool-service-endpoints
    expect(l04.workloads).toEqual(['DaemonSet default/multitool-1', 'Service default/multitool-1-service', 'Deployment default/nginx-deployment', 'Service default/nginx-service']);
    expect(l04.images).toContain('nginx:1.28.0');
    expect(doc.lessons[0]!.workloads).toEqual([]);
  });

  it('a pins file without the lessons\' Calico version: each lesson is listed as broken, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-lessons-cli-'));
    try {
      // a pins file whose only version is not the one the lessons name (v3.30.0)
      const pins = join(dir, 'pins.yaml');
      const sha = 'a'.repeat(64);
      writeFileSync(pins, `default: v9.9.9\nversions:\n  v9.9.9:\n    manifests:\n      operator-crds.yaml: { url: file:///x, sha256: ${sha} }\n      tigera-operator.yaml: { url: file:///y, sha256: ${sha} }\n    calicoctl: {}\n    images: []\n`);
      const r = lab(['lessons', '--json', '--pins', pins]);
      expect(r.status).toBe(1);
      const doc = JSON.parse(r.stdout) as { ok: boolean; broken: { id: string; error: string }[] };
      expect(doc.ok).toBe(false);
      expect(doc.broken.map((b) => b.id)).toEqual(IDS);
      expect(doc.broken[1]!.error).toMatch(/02-pod-network\/lesson\.yaml:\d+: the lesson needs Calico v3\.30\.0, which the pins file .*pins\.yaml does not list/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--lesson picks by prefix for other commands; ambiguous and with --topology are usage errors (exit 2)', () => {
    const images = lab(['images', '--lesson', '02', '--json']);
    expect(images.status, images.stderr).toBe(0);
    const doc = JSON.parse(images.stdout) as { lab: string; images: { image: string; role: string }[] };
    expect(doc.lab).toBe('pod-network');
    expect(doc.images.filter((i) => i.role === 'workload').map((i) => i.image)).toEqual(['praqma/network-multitool:alpine-extra@sha256:5662f8284f0dc5f5e5c966e054d094cbb6d0774e422ad9031690826bc43753e5']);
    const ambiguous = lab(['status', '--lesson', '0']);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toContain('--lesson 0 is ambiguous: it matches 01-calico-ipam, 02-pod-network');
    const both = lab(['verify', '--lesson', '02', '--topology', '.']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--lesson and --topology cannot be used together');
  });
});

describe('lab demo --lesson', () => {
  it('deploys, verifies (every check passes) and destroys lesson 05 in the simulated world', async () => {
    const r = spawnSync(process.execPath, [cliPath, 'demo', '--lesson', '05', '--time-scale', '0.01'], {
      cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', CI: 'true', HOME: process.env['HOME'] ?? tmpdir() }, timeout: 110_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out.slice(-3000)).toBe(0);
    expect(out).toMatch(/\$ lab deploy --topology \S+\/topology\/05-k8s-dns\n/);
    expect(out).toContain('k8s-dns-worker2');
    // lesson 01's ten checks and lesson 05's four exercises (topology/05-k8s-dns/lesson.yaml)
    expect(out).toMatch(/14 passed, 0 warnings, 0 failed, 0 skipped/);
    for (const id of ['cluster-dns', 'nginx-service-endpoints', 'daemonset-pods', 'daemonset-pods-foo']) expect(out).toMatch(new RegExp(`✔ ${id} `));
    expect(out).toContain('lab k8s-dns removed');
  }, 120_000);
});

describe('the npm package', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lab-pack-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('ships every file of every lesson folder, the schemas and the pins file', () => {
    // npm pack of a copy without dist/ or node_modules: only `files` matters, and no script runs.
    for (const f of ['package.json', 'README.md']) cpSync(join(repoRoot, f), join(tmp, f));
    for (const d of ['topology', 'manifests']) cpSync(join(repoRoot, d), join(tmp, d), { recursive: true });
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const [pack] = JSON.parse(r.stdout) as [{ files: { path: string }[] }];
    const shipped = new Set(pack.files.map((f) => f.path));
    const wanted = (readdirSync(join(repoRoot, 'topology'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(repoRoot.length).replace(/^\//, ''));
    expect(wanted).toEqual(expect.arrayContaining(['topology/lesson.schema.json', 'topology/05-k8s-dns/tools/nginx-deployment.yaml', 'topology/01-calico-ipam/calico-cni-config/custom-resources.yaml']));
    expect(wanted.filter((f) => !shipped.has(f))).toEqual([]);
    expect(shipped.has('manifests/calico-pins.yaml')).toBe(true);
  });
});
