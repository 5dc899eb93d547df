/**
 * `lab verify --html <file>` / `--svg <file>` and the map in the GitHub step summary: build the map
 * once from what verify read and judged, write each file atomically (a temp file in the same folder,
 * then rename), and append the text map to $GITHUB_STEP_SUMMARY. A path that cannot be written is a
 * usage error naming the flag (exit 2).
 */
import { appendFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { VerifyInputs } from '../../calico/inputs.js';
import type { VerifyLab } from '../../calico/lab.js';
import type { CheckResult } from '../../calico/types.js';
import { errorMessage, UsageError } from '../../errors.js';

export interface MapRequest {
  options: { html?: string | undefined; svg?: string | undefined };
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: { verbose(line: string): void };
}

export interface VerifyOutcome {
  lab: VerifyLab;
  inputs: VerifyInputs;
  results: readonly CheckResult[];
  source: string;
  durationMs: number;
  missingInputs?: Record<string, string>;
}

/** Write `text` to `file` atomically; any failure → UsageError naming `flag`. */
export async function writeAtomically(flag: string, file: string, text: string): Promise<void> {
  const isDir = await stat(file).then((s) => s.isDirectory(), () => false);
  if (isDir) throw new UsageError(`${flag}: ${file} is a directory`, { hint: `give a file name, e.g. ${flag} ${file.replace(/\/$/, '')}/report.${flag === '--svg' ? 'svg' : 'html'}` });
  const temp = resolve(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new UsageError(`${flag}: cannot write ${file}: ${errorMessage(error)}`, { hint: `give a path in a folder you can write to, e.g. ${flag} ./ipam-map.${flag === '--svg' ? 'svg' : 'html'}`, cause: error });
  }
}

export async function writeIpamMaps(req: MapRequest, v: VerifyOutcome): Promise<void> {
  const summaryFile = req.env['GITHUB_STEP_SUMMARY'];
  const { html, svg } = req.options;
  if (html === undefined && svg === undefined && !summaryFile) return;
  // The renderers load only when something is asked for (keeps `lab verify` start-up as it was).
  const [{ buildJsonReport }, { ipamMapSummary }, { renderHtml }, { buildIpamMap }, { renderSvg }, { renderSummaryText }] = await Promise.all([
    import('../json.js'), import('../summary.js'), import('./html.js'), import('./model.js'), import('./svg.js'), import('./text.js'),
  ]);
  const map = buildIpamMap(v.lab, v.inputs, v.results);
  if (html !== undefined) {
    const file = resolve(req.cwd, html);
    const report = buildJsonReport(v.lab, [...v.results], { source: v.source, durationMs: v.durationMs, missingInputs: v.missingInputs ?? {} });
    await writeAtomically('--html', file, renderHtml(report, map, { generatedAt: new Date().toISOString() }));
    req.log.verbose(`HTML report with the IPAM map: ${file}`);
  }
  if (svg !== undefined) {
    const file = resolve(req.cwd, svg);
    await writeAtomically('--svg', file, renderSvg(map, { standalone: true }));
    req.log.verbose(`IPAM map (SVG): ${file}`);
  }
  if (summaryFile) await appendFile(summaryFile, ipamMapSummary(renderSummaryText(map), html !== undefined ? basename(html) : undefined));
}
