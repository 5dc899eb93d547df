/**
 * Step "preload" (--preload only): load the pinned images into the nodes before Calico starts.
 * Bounded by the overall deadline. Idempotent: images already in a node are not loaded again.
 */
import type { Lab } from '../../lab/model.js';
import { optionalModule } from '../optional.js';
import type { Step } from './context.js';

export const preloadStep: Step = {
  name: 'preload',
  title: () => 'Preload images into the nodes',
  run: async (c, task) => {
    const mod = await optionalModule<{ preloadImages(lab: Lab, o: unknown): Promise<unknown> }>('../images/preload.js');
    if (!mod) return 'skipped: image preloading is not available in this build';
    await mod.preloadImages(c.lab, { signal: c.o.signal, log: c.o.log, env: c.o.env, offline: c.o.offline, deadline: c.deadline.at, onOutput: (l: string) => (task.output = l) });
  },
};
