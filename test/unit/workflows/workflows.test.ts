/**
 * The GitHub workflows: parsed with `yaml` and checked for the steps issue 5 asks for, in order.
 * actionlint runs too when it is on PATH (it is not packaged for Debian; skipped otherwise).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; id?: string }
interface Job { name?: string; 'runs-on': string; needs?: string; steps: Step[]; strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown> }; outputs?: Record<string, string> }
interface Workflow { on: Record<string, unknown>; concurrency?: { group: string; 'cancel-in-progress'?: boolean }; env?: Record<string, string>; jobs: Record<string, Job> }

const root = new URL('../../../', import.meta.url);
const read = (name: string): Workflow => parse(readFileSync(new URL(`.github/workflows/${name}`, root), 'utf8')) as Workflow;
const text = (s: Step): string => `${s.uses ?? ''}\n${s.run ?? ''}`;

/** Index of the first step whose uses/run matches, after `from`; -1 if none. */
function find(steps: Step[], re: RegExp, from = 0): number {
  const i = steps.slice(from).findIndex((s) => re.test(text(s)));
  return i === -1 ? -1 : i + from;
}

/** Every pattern matches a step, each after the previous one. */
function expectInOrder(steps: Step[], patterns: RegExp[]): number[] {
  const at: number[] = [];
  let from = 0;
  for (const re of patterns) {
    const i = find(steps, re, from);
    expect(i, `step matching ${re} (after step ${from - 1})`).toBeGreaterThanOrEqual(0);
    at.push(i);
    from = i + 1;
  }
  return at;
}

describe('ci.yml', () => {
  const wf = read('ci.yml');
  const job = Object.values(wf.jobs)[0]!;

  it('runs on push and pull_request, on Node 20, 22 and 24', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    expect(job.strategy?.matrix['node']).toEqual([20, 22, 24]);
  });

  it('checks out, sets up node with the npm cache, npm ci, then the README test command', () => {
    const [, setup] = expectInOrder(job.steps, [/actions\/checkout@v\d/, /actions\/setup-node@v\d/, /^\s*npm ci\b/m, /^npm test$/m]);
    expect(job.steps[setup!]!.with).toMatchObject({ 'node-version': '${{ matrix.node }}', cache: 'npm' });
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(readme).toMatch(/\bnpm test\b/);
  });
});

describe('nightly.yml', () => {
  const wf = read('nightly.yml');
  const lab = wf.jobs['lab']!;

  it('runs on a schedule and by hand, one night at a time', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(wf.concurrency?.group).toMatch(/nightly/);
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('has a fail-fast-free matrix, the whole of it computed by scripts/nightly-matrix.mjs from the lessons and the pins file', () => {
    expect(lab['runs-on']).toBe('ubuntu-latest');
    expect(lab.strategy?.['fail-fast']).toBe(false);
    expect(lab.strategy?.matrix).toBe('${{ fromJSON(needs.matrix.outputs.matrix) }}');
    const matrix = wf.jobs['matrix']!;
    expect(lab.needs).toBe('matrix');
    expect(matrix.outputs?.['matrix']).toBe('${{ steps.matrix.outputs.matrix }}');
    const step = matrix.steps.find((s) => s.id === 'matrix')!;
    // npm ci without --ignore-scripts builds dist/ (prepare), which the script's `lab lessons --json` needs
    expect(step.run).toMatch(/^\s*npm ci(?![^\n]*--ignore-scripts)/m);
    expect(step.run).toMatch(/node scripts\/nightly-matrix\.mjs --pins manifests\/calico-pins\.yaml/);
    expect(step.run).toMatch(/echo "matrix=\$matrix" >> "\$GITHUB_OUTPUT"/);
    expect(step.run).toMatch(/set -euo pipefail/);
    expect(lab.name).toMatch(/matrix\.lesson/);
  });

  it('pins containerlab, kind and kubectl with real sha256 values and checks them with sha256sum -c', () => {
    const env = wf.env ?? {};
    for (const key of ['CONTAINERLAB_SHA256', 'KIND_SHA256', 'KUBECTL_SHA256']) expect(env[key], key).toMatch(/^[0-9a-f]{64}$/);
    expect(env['CONTAINERLAB_VERSION']).toMatch(/^0\.(7[5-9]|[89]\d)\.\d+$/);
    const install = lab.steps[find(lab.steps, /sha256sum -c/)]!;
    expect(install.run).toMatch(/github\.com\/srl-labs\/containerlab\/releases\/download\/v\$\{CONTAINERLAB_VERSION\}\/containerlab_\$\{CONTAINERLAB_VERSION\}_linux_amd64\.tar\.gz/);
    expect(install.run).toMatch(/dl\.k8s\.io\/release\/\$\{KUBECTL_VERSION\}\/bin\/linux\/amd64\/kubectl/);
    // the check comes before anything is installed
    expect(install.run!.indexOf('sha256sum -c')).toBeLessThan(install.run!.indexOf('install -m'));
  });

  it('has every step of the night, in order', () => {
    const at = expectInOrder(lab.steps, [
      /actions\/checkout@v\d/,
      /actions\/setup-node@v\d/,
      /sha256sum -c/,
      /sysctl -w fs\.inotify\.max_user_watches=524288 fs\.inotify\.max_user_instances=512/,
      /^npm ci\b/m,
      /npx lab doctor --lesson "\$\{\{ matrix\.lesson \}\}"/,
      /actions\/cache\/restore@v\d/,
      /npx lab images --lesson "\$\{\{ matrix\.lesson \}\}" --load/,
      /npx lab deploy --lesson "\$\{\{ matrix\.lesson \}\}" --preload --calico-version "\$\{\{ matrix\.calico \}\}"/,
      /Image pulls failed/,
      /npx lab verify --lesson "\$\{\{ matrix\.lesson \}\}" .*--junit .*--json/,
      /mikepenz\/action-junit-report@v\d|dorny\/test-reporter@v\d/,
      /npx lab images --lesson "\$\{\{ matrix\.lesson \}\}" --save/,
      /actions\/cache\/save@v\d/,
      /npx lab collect --lesson "\$\{\{ matrix\.lesson \}\}" -o /,
      /actions\/upload-artifact@v\d/,
      /npx lab destroy --lesson "\$\{\{ matrix\.lesson \}\}" --yes/,
    ]);
    const step = (i: number): Step => lab.steps[at[i]!]!;
    expect(step(7).if).toMatch(/cache-hit == 'true'/);
    expect(step(9).if).toMatch(/failure\(\)/);
    expect(step(11).if).toMatch(/!cancelled\(\)/);
    expect(step(12).if).toMatch(/cache-hit != 'true'/);
    expect(step(14).if).toMatch(/failure\(\)/);
    expect(lab.steps[find(lab.steps, /upload-artifact/, at[14]!)]!.if).toMatch(/failure\(\)/);
    expect(step(16).if).toMatch(/always\(\)/);
    expect(at[16]).toBe(lab.steps.length - 1);
  });

  /** The step whose uses/run matches, with its `if` (every step after a failure is judged by it). */
  const stepOf = (re: RegExp): Step => {
    const i = find(lab.steps, re);
    expect(i, `a step matching ${re}`).toBeGreaterThanOrEqual(0);
    return lab.steps[i]!;
  };

  it('F-10: collect and destroy run only when the dependencies were installed and deploy started', () => {
    const deps = lab.steps.find((s) => /^npm ci\b/m.test(s.run ?? ''))!;
    const deploy = lab.steps.find((s) => /npx lab deploy/.test(s.run ?? ''))!;
    expect(deps.id).toBe('deps');
    expect(deploy.id).toBe('deploy');
    for (const re of [/npx lab collect/, /npx lab destroy/]) {
      const guard = stepOf(re).if ?? '';
      expect(guard, String(re)).toMatch(/steps\.deps\.outcome == 'success'/);
      expect(guard, String(re)).toMatch(/steps\.deploy\.outcome != 'skipped'/);
    }
    expect(stepOf(/npx lab destroy/).if).toMatch(/^\$\{\{ always\(\) && /);
    expect(stepOf(/npx lab collect/).if).toMatch(/^\$\{\{ failure\(\) && /);
    // every other `npx lab` step after a possible failure is guarded the same way or needs success
    for (const s of lab.steps.filter((x) => /npx lab /.test(x.run ?? '') && /always\(\)|failure\(\)|cancelled\(\)/.test(x.if ?? ''))) {
      expect(s.if, s.name).toMatch(/steps\.deps\.outcome == 'success'/);
    }
  });

  it('F-10: the leg without --preload deploys the same way minus --preload; the cache is the preload legs\' business', () => {
    const deploy = stepOf(/npx lab deploy/).run!;
    expect(deploy).toMatch(/if \[ "\$\{\{ matrix\.install \}\}" = preload \]; then\n\s*npx lab deploy --lesson "\$\{\{ matrix\.lesson \}\}" --preload --calico-version "\$\{\{ matrix\.calico \}\}"[^\n]*\n\s*else\n\s*npx lab deploy --lesson "\$\{\{ matrix\.lesson \}\}" --calico-version "\$\{\{ matrix\.calico \}\}"/);
    expect(deploy).toMatch(/set -o pipefail/);
    for (const re of [/actions\/cache\/restore/, /npx lab images .*--load/, /npx lab images .*--save/, /actions\/cache\/save/]) expect(stepOf(re).if, String(re)).toMatch(/matrix\.install == 'preload'/);
    // two legs (two lessons, or one lesson with and without --preload) must not collide on artifact or check names
    for (const s of lab.steps.filter((x) => /upload-artifact/.test(x.uses ?? ''))) expect(String(s.with?.['name']), s.name).toMatch(/matrix\.key/);
    const junit = lab.steps.find((x) => /action-junit-report/.test(x.uses ?? ''))!;
    expect(String(junit.with?.['check_name'])).toMatch(/matrix\.lesson.*matrix\.calico.*matrix\.install/);
    expect(lab.name).toMatch(/matrix\.install/);
  });

  it('F-10: a failed deploy is classified: image pulls that failed are reported as such', () => {
    const report = stepOf(/Image pulls failed/);
    expect(report.if).toBe("${{ failure() && steps.deploy.outcome == 'failure' }}");
    expect(report.run).toMatch(/GITHUB_STEP_SUMMARY/);
    expect(report.run).toMatch(/::error title=Image pulls failed/);
    expect(stepOf(/npx lab deploy/).run).toMatch(/tee "\$RESULTS\/deploy\.log"/);
  });

  it('keys the image cache on the lesson, the version and the pins file (each lesson has its own workload images)', () => {
    const restore = lab.steps[find(lab.steps, /actions\/cache\/restore/)]!;
    expect(String(restore.with?.['key'])).toMatch(/matrix\.lesson.*matrix\.calico.*hashFiles\('manifests\/calico-pins\.yaml'/);
  });
});

function onPath(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!onPath('actionlint'))('actionlint', () => {
  it('finds nothing to complain about', () => {
    const out = execFileSync('actionlint', ['-no-color', '.github/workflows/ci.yml', '.github/workflows/nightly.yml'], { cwd: root, encoding: 'utf8' });
    expect(out).toBe('');
  });
});
