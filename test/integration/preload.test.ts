/** `lab deploy --preload`: every node gets every Calico image from the host and pulls none itself. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

describe('lab deploy --preload', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('loads every Calico image into every node; the nodes pull nothing', async () => {
    const list = await t.runLab(['images', '--json', '--topology', t.topology]);
    expect(list.exitCode, list.stderr).toBe(0);
    const calico = (JSON.parse(list.stdout) as { images: { image: string; role: string }[] }).images.filter((i) => i.role === 'calico').map((i) => i.image);
    expect(calico.length).toBeGreaterThan(0);

    const r = await t.runLab(['deploy', '--preload', '--topology', t.topology, '--timeout', '60s']);
    expect(r.exitCode, r.stderr).toBe(0);

    const nodes = [...t.world.host.nodeImages.keys()].sort();
    expect(nodes).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    for (const node of nodes) {
      const have = t.world.host.nodeImages.get(node)!;
      for (const image of calico) expect(have.has(image), `${node} has ${image}`).toBe(true);
    }
    expect(t.world.host.nodePulls).toEqual([]);
  });
});
