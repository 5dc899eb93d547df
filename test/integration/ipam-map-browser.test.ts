/**
 * The IPAM map as a person sees it: the built CLI deploys the simulated lab (with the borrowed-ip
 * fault, so there is something to mark) and writes `lab verify --html/--svg`; Debian's headless
 * Chromium (driven by playwright-core, which downloads no browser) opens the page and we check what is
 * on it — a cell per block, the legend, the three nodes' blocks, the marks — that the page asked the
 * network for nothing, and save the map's screenshot as docs/ipam-map.png (shown in the README).
 * A failing mark (leaked-ip, rendered in-process from the simulated store) is checked the same way.
 * Skipped, saying so, where /usr/bin/chromium is absent (`.ci/run` installs it).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/calico/checks/index.js';
import { runChecks } from '../../src/calico/runner.js';
import { renderHtml } from '../../src/report/ipam-map/html.js';
import { buildIpamMap } from '../../src/report/ipam-map/model.js';
import { buildJsonReport } from '../../src/report/json.js';
import { repoRoot, startTestWorld, type TestWorld } from '../helpers/world.js';
import { simulatedInputs } from '../unit/report/ipam-map-helpers.js';
import { lessonLab } from '../unit/verify/lesson-lab.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPED test/integration/ipam-map-browser.test.ts: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does this)`);

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function open(browser: Browser, file: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  return { page, requests };
}

describe.skipIf(!haveChromium)(`the HTML report in headless Chromium (${CHROMIUM})`, () => {
  let t: TestWorld;
  let browser: Browser;
  let html: string;
  let svg: string;

  beforeAll(async () => {
    t = await startTestWorld({ faults: ['borrowed-ip'] });
    const d = await t.runLab(['deploy', '--topology', t.topology], { timeoutMs: 110_000 });
    expect(d.exitCode, d.stderr).toBe(0);
    html = join(t.labDir, 'out', 'report.html');
    svg = join(t.labDir, 'out', 'ipam-map.svg');
    const v = await t.runLab(['verify', '--topology', t.topology, '--html', html, '--svg', svg]);
    expect(v.exitCode, v.stderr).toBe(0); // a borrowed IP is a warning
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a bad --html path is a usage error naming the flag (exit 2)', async () => {
    const r = await t.runLab(['verify', '--topology', t.topology, '--check', 'node-blocks', '--html', t.topology + '/report.html']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--html: cannot write .*calico-ipam\.clab\.yaml\/report\.html/);
  });

  it('shows a cell per block slot, the legend and the three nodes\' blocks; asks the network for nothing', async () => {
    const { page, requests } = await open(browser, html);
    const claimedCells = page.locator('svg.ipam-map g.pool [data-state="node"]');
    const claimed: [string, string][] = [];
    let visible = true;
    for (const c of await claimedCells.all()) {
      claimed.push([(await c.getAttribute('data-node'))!, (await c.getAttribute('data-cidr'))!]);
      const box = await c.boundingBox();
      visible &&= box !== null && box.width >= 14 && box.height >= 14;
    }
    const seen = {
      cells: await page.locator('svg.ipam-map g.pool [data-cidr]').count(),
      claimed,
      legend: await page.locator('svg.ipam-map .legend-node').allTextContents(),
      visible,
    };
    expect(seen.cells).toBe(1024);
    expect(seen.visible).toBe(true);
    const nodes = Object.fromEntries(seen.claimed);
    expect(Object.keys(nodes).sort()).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    // the map's blocks are the ones the world's store holds
    const store = t.world.store.list({ group: 'crd.projectcalico.org', resource: 'ipamblocks' }).items.map((b) => b.spec as { cidr: string; affinity: string });
    for (const [node, cidr] of Object.entries(nodes)) expect(store).toContainEqual(expect.objectContaining({ cidr, affinity: `host:${node}` }));
    expect(seen.legend).toHaveLength(3);
    for (const node of Object.keys(nodes)) expect(seen.legend.some((l) => l.includes(node))).toBe(true);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await expect(page.getByRole('heading', { name: 'Checklist' }).isVisible()).resolves.toBe(true);

    // the screenshot the README shows
    mkdirSync(join(repoRoot, 'docs'), { recursive: true });
    writeFileSync(join(repoRoot, 'docs', 'ipam-map.png'), await page.locator('figure svg.ipam-map').screenshot());
    await page.close();
  });

  it('marks the borrowed IP on the control-plane\'s block, with a tooltip naming it', async () => {
    const { page } = await open(browser, html);
    const cell = page.locator('svg.ipam-map g.pool [data-marks~="borrowed"]');
    await expect(cell.count()).resolves.toBe(1);
    expect(await cell.getAttribute('data-node')).toBe('calico-ipam-control-plane');
    expect(await cell.locator('title').textContent()).toMatch(/borrowed: 192\.168\.\d+\.\d+ → calico-ipam-worker2/);
    expect((await cell.locator('[data-mark="borrowed"]').boundingBox())?.width).toBeGreaterThan(2);
    await expect(page.getByText('Borrowed IPs', { exact: true }).isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('the --svg file is the same map, standalone', async () => {
    const text = await readFile(svg, 'utf8');
    expect(text.startsWith('<?xml')).toBe(true);
    const { page } = await open(browser, svg);
    await expect(page.locator('g.pool [data-cidr]').count()).resolves.toBe(1024);
    await page.close();
  });

  it('a failing check (leaked-ip) shows its vermillion mark on the block holding the IP', async () => {
    const s = await simulatedInputs(['leaked-ip']);
    try {
      const results = runChecks(CHECKS, lessonLab, s.inputs);
      const file = join(t.labDir, 'out', 'leaked.html');
      writeFileSync(file, renderHtml(buildJsonReport(lessonLab, results, { source: 'test', durationMs: 0, missingInputs: {} }), buildIpamMap(lessonLab, s.inputs, results)));
      const leaked = (results.find((r) => r.id === 'ipam-check')!.evidence['leakedIps'] as { ip: string }[])[0]!.ip;
      const { page } = await open(browser, file);
      const marked = page.locator('svg.ipam-map g.pool [data-marks~="fail"]');
      await expect(marked.count()).resolves.toBe(1);
      expect(await marked.locator('title').textContent()).toContain(leaked);
      expect(await marked.locator('[data-mark="fail"]').getAttribute('fill')).toBe('#D55E00');
      await expect(page.getByText('✖ failed', { exact: true }).isVisible()).resolves.toBe(true);
      await page.close();
    } finally {
      s.world.stop();
    }
  });
});
