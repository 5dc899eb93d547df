/**
 * `lab images`: list every image the lab needs (`--json` too); `--save <file>` pulls what is missing
 * and writes all of them into one archive (for the Docker daemon's platform, on Docker ≥ 28); `--load <file>` loads such an archive (CI caches it).
 */
import { UsageError } from '../errors.js';
import { labImages, loadImages, saveImages } from '../images/index.js';
import { loadLab } from '../lab/load.js';
import type { CommandContext } from './context.js';

export async function run(ctx: CommandContext<'images'>): Promise<number> {
  const o = ctx.options;
  if (o.save !== undefined && o.load !== undefined) {
    throw new UsageError('--save and --load cannot be used together', { hint: 'run `lab images --load <file>` and `lab images --save <file>` as two commands' });
  }
  if (o.load !== undefined) {
    // Loading needs no lab files: the archive says what it holds.
    const r = await loadImages(o.load, { signal: ctx.signal, log: ctx.log, env: ctx.env, onProgress: (l) => ctx.log.verbose(l) });
    if (o.json) ctx.stdout.write(`${JSON.stringify({ ok: true, loaded: r.file }, null, 2)}\n`);
    else ctx.log.info(`loaded the images in ${r.file}`);
    return 0;
  }
  const lab = await loadLab({ topology: o.topology, lesson: o.lesson, pins: o.pins, calicoVersion: o['calico-version'], cwd: ctx.cwd, env: ctx.env });
  const images = labImages(lab);
  if (o.save !== undefined) {
    const r = await saveImages(lab, o.save, { signal: ctx.signal, log: ctx.log, env: ctx.env, onProgress: (l) => ctx.log.info(l) });
    if (o.json) ctx.stdout.write(`${JSON.stringify({ ok: true, file: r.file, images: r.images, pulled: r.pulled, platform: r.platform ?? null }, null, 2)}\n`);
    else ctx.log.info(`saved ${r.images.length} images (${r.pulled.length} pulled now) ${r.platform ? `for ${r.platform}` : 'for every platform the engine holds (Docker < 28 has no `save --platform`)'} to ${r.file}`);
    return 0;
  }
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ lab: lab.name, calicoVersion: lab.calico.version, images }, null, 2)}\n`);
  } else {
    for (const i of images) ctx.stdout.write(`${i.image}\n`);
  }
  return 0;
}
