import { describe, expect, test } from 'vitest';
import { startWorld } from '../../src/sim/world.js';
import { parseFaults } from '../../src/sim/faults.js';
import { startTestWorld } from '../helpers/world.js';

const waitFor = async (cond: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('deploy-time faults', () => {
  test('unknown fault ids are rejected, naming the known ones', async () => {
    expect(() => parseFaults(['nope'])).toThrow(/unknown fault 'nope'; known faults: clab-image-pull, /);
    await expect(startWorld({ faults: ['nope' as never] })).rejects.toThrow(/unknown fault/);
  });

  test('slow: the clock runs 3× slower', async () => {
    const w = await startWorld({ timeScale: 0.01, faults: ['slow'] });
    try {
      expect(w.clock.scale).toBeCloseTo(0.03);
    } finally {
      await w.stop();
    }
  });

  test('clab-image-pull: deploy fails pulling kindest/node (exit 1, nothing left), the next deploy converges', async () => {
    const tw = await startTestWorld({ faults: ['clab-image-pull'] });
    tw.env['CLAB_VERSION_CHECK'] = 'disable'; // stands in for lab, which always sets it
    try {
      const r = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
      expect(r.exitCode).toBe(1);
      // containerlab 0.79 boxes and word-wraps its error (fang): read it unwrapped, as lab does
      expect(r.stderr.replace(/\s+/g, ' ')).toContain('failed to pull image "kindest/node:v1.28.0": command "docker pull kindest/node:v1.28.0" failed with error: exit status 1');
      expect(r.stdout).toBe('');
      expect(tw.world.host.containers.size).toBe(0);
      expect((await tw.run('kind', ['get', 'clusters'])).stdout).toBe('');
      const again = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
      expect(again.exitCode, again.stderr).toBe(0);
    } finally {
      await tw.close();
    }
  });

  test('leftover-cluster: a cluster of the lab name exists at start; deploy trips on it, destroy removes it', async () => {
    const tw = await startTestWorld({ faults: ['leftover-cluster'] });
    tw.env['CLAB_VERSION_CHECK'] = 'disable'; // stands in for lab, which always sets it
    try {
      expect((await tw.run('kind', ['get', 'clusters'])).stdout).toBe('calico-ipam\n');
      expect(tw.world.api?.mode?.()).not.toBe('down');
      const r = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.replace(/\s+/g, ' ')).toContain('node(s) already exist for a cluster with the name "calico-ipam"');
      expect((await tw.run('containerlab', ['destroy', '-t', tw.topology, '--cleanup'])).exitCode).toBe(0);
      expect((await tw.run('kind', ['get', 'clusters'])).stdout).toBe('');
    } finally {
      await tw.close();
    }
  });

  for (const [fault, mode] of [
    ['api-down', 'down'],
    ['api-flaky', 'flaky'],
  ] as const) {
    test(`${fault}: the API is '${mode}' right after it comes up, then 'up'`, async () => {
      const tw = await startTestWorld({ faults: [fault], timeScale: 0.01 });
      tw.env['CLAB_VERSION_CHECK'] = 'disable'; // stands in for lab, which always sets it
      try {
        const modes: string[] = [];
        const api = tw.world.api as NonNullable<typeof tw.world.api> & { mode(): string };
        const origSet = api.setMode.bind(api);
        api.setMode = (m) => {
          modes.push(m);
          origSet(m);
        };
        const r = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
        expect(r.exitCode, r.stderr).toBe(0);
        await waitFor(() => modes.at(-1) === 'up');
        expect(modes).toEqual([mode, 'up']);
      } finally {
        await tw.close();
      }
    });
  }
});
