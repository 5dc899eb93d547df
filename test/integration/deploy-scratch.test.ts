import { it } from 'vitest';
import { startTestWorld } from '../helpers/world.js';
it('scratch', async () => {
  const t = await startTestWorld();
  try {
    for (const args of [['deploy', '--verbose'], ['status'], ['deploy'], ['destroy']]) {
      const s = Date.now();
      const r = await t.runLab([...args, '--topology', t.topology]);
      console.log(`=== ${args.join(' ')} exit ${r.exitCode} ${Date.now() - s} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    }
  } finally { await t.close(); }
}, 120_000);
