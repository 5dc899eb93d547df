/**
 * Bench rows for one more lesson than 01 (default: 02, a lesson with workloads): per run, a fresh
 * world where `lab deploy --topology <copy of the lesson folder>` runs cold (Calico, then the lesson's
 * workloads applied and waited for), then `lab verify` and `lab destroy`. The same measurements as
 * lesson 01's cold deploy and 3-node verify, so the rows compare: what the workloads steps add.
 */
import { makeLabDir } from './labdir.mjs';
import { tail } from './child.mjs';

/**
 * @param {{ startWorld: Function, root: string, lesson?: string, runs: number, scale: number,
 *   lab: (world: unknown, labDir: unknown, args: string[], extra?: object) => Promise<any>, summarize: (r: any) => object,
 *   log: (line: string) => void, errors: string[] }} o
 * @returns {Promise<{ lesson: string, samples: object[] }>}
 */
export async function benchLesson(o) {
  const lesson = o.lesson ?? '02';
  const samples = [];
  for (let i = 0; i < o.runs; i += 1) {
    const sample = { index: i };
    samples.push(sample);
    const world = await o.startWorld({ timeScale: o.scale });
    const labDir = await makeLabDir(o.root, { lesson });
    sample.lesson = labDir.topology.split('/').at(-2);
    try {
      o.log(`lesson ${sample.lesson} run ${i + 1}/${o.runs}: lab deploy…`);
      world.api?.resetRequestCount();
      const d = await o.lab(world, labDir, ['deploy', '--topology', labDir.topology, '--json'], { rss: true });
      const cp = world.criticalPath();
      sample.deploy = { ...o.summarize(d), criticalPath: cp, excessMs: d.wallMs - cp.realMs, requests: world.api ? world.api.requestCount() : null };
      if (d.code !== 0) throw new Error(`lab deploy exited ${d.code}: ${tail(d.stderr, 8)}`);
      o.log(`  deploy ${(d.wallMs / 1000).toFixed(2)} s, critical path ${(cp.realMs / 1000).toFixed(2)} s`);

      world.api?.resetRequestCount();
      const v = await o.lab(world, labDir, ['verify', '--topology', labDir.topology, '--json'], { rss: true });
      sample.verify = { ...o.summarize(v), requests: world.api ? world.api.requestCount() : null };
      if (v.code !== 0) o.errors.push(`lesson ${sample.lesson} run ${i + 1}: lab verify exited ${v.code}: ${tail(v.stderr, 8)}`);

      const x = await o.lab(world, labDir, ['destroy', '--topology', labDir.topology, '--yes']);
      if (x.code !== 0) o.errors.push(`lesson ${sample.lesson} run ${i + 1}: lab destroy exited ${x.code}: ${tail(x.stderr, 8)}`);
    } catch (error) {
      o.errors.push(`lesson ${sample.lesson} run ${i + 1}: ${error.message}`);
    } finally {
      await world.stop();
      await labDir.remove();
    }
  }
  return { lesson, samples };
}
