/**
 * The nightly matrix is the pins file's versions: run the workflow's own "Read the versions" script
 * (from nightly.yml, as GitHub would) against manifests/calico-pins.yaml and read what it writes to
 * $GITHUB_OUTPUT. Both Calico versions must come out, so each gets its own nightly job.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));

it('the nightly "versions" job lists every version of the pins file (v3.30.0 and v3.31.3)', () => {
  const wf = parse(readFileSync(join(root, '.github', 'workflows', 'nightly.yml'), 'utf8')) as { jobs: Record<string, { steps: { id?: string; run?: string }[] }> };
  const run = wf.jobs['versions']!.steps.find((s) => s.id === 'pins')!.run!;
  const script = /node --input-type=module -e '([\s\S]*?)'/.exec(run)?.[1];
  expect(script, 'the step runs an inline node script').toBeDefined();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script!], { cwd: root, encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.startsWith('calico='));
  expect(JSON.parse(line!.slice('calico='.length))).toEqual(['v3.30.0', 'v3.31.3']);
});
