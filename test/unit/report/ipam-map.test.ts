/**
 * The IPAM map renderer, judged by parsing what it draws: the healthy lesson lab (built from the
 * reference outputs), every IPAM fault of the simulated world (gathered from its store), aggregated
 * pools, absent inputs, the text map, the HTML page and writing the files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/calico/checks/index.js';
import { absent, type VerifyInputs } from '../../../src/calico/inputs.js';
import type { VerifyLab } from '../../../src/calico/lab.js';
import { runChecks } from '../../../src/calico/runner.js';
import type { CheckResult, IPAMBlockObject } from '../../../src/calico/types.js';
import { UsageError } from '../../../src/errors.js';
import { refsIn } from '../../../src/report/ipam-map/findings.js';
import { renderHtml } from '../../../src/report/ipam-map/html.js';
import { buildIpamMap } from '../../../src/report/ipam-map/model.js';
import { renderSvg } from '../../../src/report/ipam-map/svg.js';
import { renderSummaryText } from '../../../src/report/ipam-map/text.js';
import { writeAtomically, writeIpamMaps } from '../../../src/report/ipam-map/write.js';
import { buildJsonReport } from '../../../src/report/json.js';
import { ipamMapSummary } from '../../../src/report/summary.js';
import type { FaultId } from '../../../src/sim/context.js';
import { R } from '../../../src/sim/calico/refs.js';
import type { TestWorld } from '../../helpers/calico-sim.js';
import { affinity, block, FIRST_BLOCKS, healthyInputs, lessonLab, withValue } from '../verify/lesson-lab.js';
import { fillOf, marksOf, parseSvg, poolCells, simulatedInputs, type El } from './ipam-map-helpers.js';

const ipNum = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const cidrBase = (cidr: string): number => ipNum(cidr.split('/')[0]!);

function draw(inputs: VerifyInputs, lab: VerifyLab = lessonLab): { results: CheckResult[]; els: El[]; svg: string } {
  const results = runChecks(CHECKS, lab, inputs);
  const svg = renderSvg(buildIpamMap(lab, inputs, results), { standalone: true });
  return { results, els: parseSvg(svg), svg };
}

const claimed = (cells: El[]): El[] => cells.filter((c) => c.attrs['data-state'] !== 'free');
const legendColour = (els: El[], node: string): string | undefined => els.find((e) => e.attrs['class'] === 'legend-node' && e.attrs['data-node'] === node)?.attrs['data-colour'];
const cellAt = (cells: El[], cidr: string): El | undefined => cells.find((c) => c.attrs['data-cidr'] === cidr);

describe('healthy lesson lab', () => {
  const { els, svg } = draw(healthyInputs());
  const cells = poolCells(els);

  it('draws one cell per block slot of 192.168.0.0/16 (1,024 /26 slots), in address order, not aggregated', () => {
    expect(cells).toHaveLength(1024);
    expect(els.find((e) => e.attrs['data-pool'])?.attrs['data-aggregated']).toBe('false');
    // Row-major by position: each next cell starts 64 addresses later.
    const pos = (c: El): [number, number] => {
      const r = c.tag === 'rect' ? c : c.children.find((k) => k.attrs['class'] === 'fill')!;
      return [Number(r.attrs['y']), Number(r.attrs['x'])];
    };
    const sorted = [...cells].sort((a, b) => pos(a)[0] - pos(b)[0] || pos(a)[1] - pos(b)[1]);
    sorted.forEach((c, i) => expect(cidrBase(c.attrs['data-cidr']!)).toBe(ipNum('192.168.0.0') + i * 64));
    expect(new Set(cells.map((c) => pos(c)[0])).size).toBe(32);
  });

  it('the three claimed cells are the nodes\' per-host first blocks, each in its node\'s colour from the legend', () => {
    const mine = claimed(cells);
    expect(Object.fromEntries(mine.map((c) => [c.attrs['data-node'], c.attrs['data-cidr']]))).toEqual(FIRST_BLOCKS);
    const colours = mine.map((c) => fillOf(c));
    expect(new Set(colours).size).toBe(3);
    for (const c of mine) expect(fillOf(c)).toBe(legendColour(els, c.attrs['data-node']!));
    // letters in the cells and the legend, for readers who cannot tell the colours apart
    expect(mine.map((c) => c.children.find((k) => k.tag === 'text')?.text).sort()).toEqual(['A', 'B', 'C']);
  });

  it('usage per block as in the reference report (5/4/3 of 64) in data and tooltip', () => {
    const cp = cellAt(cells, '192.168.18.64/26')!;
    expect([cp.attrs['data-used'], cp.attrs['data-capacity']]).toEqual(['5', '64']);
    expect(cp.title).toBe('192.168.18.64/26 → calico-ipam-control-plane, 5/64 used');
    expect(cellAt(cells, '192.168.0.0/26')!.title).toMatch(/^192\.168\.0\.0\/26: free/);
    expect(cp.children.find((k) => k.attrs['class'] === 'usage')).toBeDefined();
  });

  it('has no marks, a title and a description naming the blocks', () => {
    expect(els.filter((e) => e.attrs['data-mark'] !== undefined && !e.parent?.attrs['data-legend'] && e.parent?.attrs['class'] !== 'legend')).toEqual([]);
    expect(els[0]!.attrs['role']).toBe('img');
    const desc = els.find((e) => e.tag === 'desc')!.text;
    for (const cidr of Object.values(FIRST_BLOCKS)) expect(desc).toContain(cidr);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});

/** What each fault of the simulated world must show, read off the world's own store. */
const FAULTS: { fault: FaultId; expect(w: TestWorld, els: El[], results: CheckResult[]): void }[] = [
  {
    fault: 'node-without-block',
    expect: (w, els) => {
      const have = new Set(w.store.list(R.ipamblocks).items.map((b) => (b.spec as { affinity?: string }).affinity));
      const lost = lessonLab.nodes.map((n) => n.name).filter((n) => !have.has(`host:${n}`));
      expect(lost).toHaveLength(1);
      expect(poolCells(els).some((c) => c.attrs['data-node'] === lost[0])).toBe(false);
      expect(els.find((e) => e.attrs['class'] === 'legend-node' && e.attrs['data-node'] === lost[0])?.attrs['data-marks']).toBe('fail');
    },
  },
  {
    fault: 'leaked-ip',
    expect: (w, els, results) => {
      const leaked = (results.find((r) => r.id === 'ipam-check')!.evidence['leakedIps'] as { ip: string }[])[0]!.ip;
      const holder = w.store.list(R.ipamblocks).items.map((b) => (b.spec as { cidr: string }).cidr).find((c) => { const b = cidrBase(c); return ipNum(leaked) >= b && ipNum(leaked) < b + 64; })!;
      expect(marksOf(cellAt(poolCells(els), holder)!)).toContain('fail');
      expect(cellAt(poolCells(els), holder)!.title).toContain(leaked);
    },
  },
  {
    fault: 'overlapping-blocks',
    expect: (w, els) => {
      const big = w.store.list(R.ipamblocks).items.map((b) => (b.spec as { cidr: string }).cidr).find((c) => c.endsWith('/25'))!;
      const halves = [big.replace(/\/25$/, '/26'), `${formatIp(cidrBase(big) + 64)}/26`];
      for (const h of halves) expect(marksOf(cellAt(poolCells(els), h)!), h).toContain('fail');
      expect(halves.map((h) => cellAt(poolCells(els), h)!.attrs['data-state'])).toContain('mixed');
    },
  },
  {
    fault: 'block-outside-pool',
    expect: (w, els) => {
      const outside = w.store.list(R.ipamblocks).items.map((b) => (b.spec as { cidr: string }).cidr).find((c) => !c.startsWith('192.168.'))!;
      const cell = els.find((e) => e.attrs['data-outside'] === 'true' && e.attrs['data-cidr'] === outside);
      expect(cell, outside).toBeDefined();
      expect(marksOf(cell!)).toContain('fail');
      expect(poolCells(els)).toHaveLength(1024);
    },
  },
  {
    fault: 'affinity-pending',
    expect: (w, els) => {
      const pending = w.store.list(R.blockaffinities).items.map((a) => a.spec as { state: string; cidr: string }).find((a) => a.state === 'pending')!;
      expect(marksOf(cellAt(poolCells(els), pending.cidr)!)).toContain('fail');
      expect(claimed(poolCells(els)).filter((c) => marksOf(c).includes('fail')).map((c) => c.attrs['data-cidr'])).toEqual([pending.cidr]);
    },
  },
  {
    fault: 'duplicate-pod-ip',
    expect: (w, els) => {
      const ips = w.store.list(R.pods).items.map((p) => (p.status as { podIP?: string }).podIP).filter((ip): ip is string => ip !== undefined && ip.startsWith('192.168.'));
      const dup = ips.find((ip, i) => ips.indexOf(ip) !== i)!;
      const cell = claimed(poolCells(els)).find((c) => { const b = cidrBase(c.attrs['data-cidr']!); return ipNum(dup) >= b && ipNum(dup) < b + 64; })!;
      expect(marksOf(cell)).toContain('fail');
    },
  },
  {
    fault: 'borrowed-ip',
    expect: (w, els) => {
      const cp = w.store.list(R.ipamblocks).items.map((b) => b.spec as { cidr: string; affinity: string }).find((b) => b.affinity === 'host:calico-ipam-control-plane')!;
      const cell = cellAt(poolCells(els), cp.cidr)!;
      expect(marksOf(cell)).toEqual(['warn', 'borrowed']);
      expect(cell.title).toMatch(/borrowed: 192\.168\.\d+\.\d+ → calico-ipam-worker2/);
      expect(claimed(poolCells(els)).filter((c) => marksOf(c).includes('fail'))).toEqual([]);
    },
  },
];

describe.each(FAULTS)('simulated fault $fault', ({ fault, expect: check }) => {
  let world: TestWorld | undefined;
  afterAll(() => world?.stop());
  it(`shows its mark on the map`, async () => {
    const s = await simulatedInputs([fault]);
    world = s.world;
    const { els, results } = draw(s.inputs);
    check(s.world, els, results);
  });
});

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

describe('aggregated pools and absent inputs', () => {
  const bigLab: VerifyLab = { ...lessonLab, podSubnet: '10.0.0.0/8', pool: { ...lessonLab.pool, cidr: '10.0.0.0/8' } };
  const bigInputs = (): VerifyInputs => {
    let i = healthyInputs();
    const blocks: IPAMBlockObject[] = [block('10.0.0.0/26', 'calico-ipam-control-plane', []), block('10.0.0.64/26', 'calico-ipam-worker', []), block('10.255.255.192/26', 'calico-ipam-worker2', [])];
    i = withValue(i, 'ipamBlocks', blocks);
    i = withValue(i, 'ippools', [{ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'big' }, spec: { cidr: '10.0.0.0/8', blockSize: 26 } }]);
    return withValue(i, 'blockAffinities', blocks.map((b) => affinity(b.spec!.affinity!.slice(5), b.spec!.cidr!)));
  };

  it('a /8 of /26 blocks (262,144) is drawn as 4,096 cells of /20 and says so', () => {
    const { els } = draw(bigInputs(), bigLab);
    const cells = poolCells(els, '10.0.0.0/8');
    expect(cells).toHaveLength(4096);
    expect(els.find((e) => e.attrs['data-pool'])?.attrs['data-aggregated']).toBe('true');
    expect(els.filter((e) => e.tag === 'text').map((e) => e.text).join('\n')).toMatch(/Aggregated: .*each cell is a \/20 \(64 block slots\)/);
    expect(cellAt(cells, '10.0.0.0/20')!.attrs['data-state']).toBe('mixed');
    expect(cellAt(cells, '10.255.240.0/20')!.attrs['data-node']).toBe('calico-ipam-worker2');
  });

  it('without IPAMBlocks the cells are unknown (not free) and the page says why', () => {
    const i = { ...healthyInputs(), ipamBlocks: absent<IPAMBlockObject[]>('the API answered 403 Forbidden') };
    const { els } = draw(i);
    const cells = poolCells(els);
    expect(cells).toHaveLength(1024);
    expect(new Set(cells.map((c) => c.attrs['data-state']))).toEqual(new Set(['unknown']));
    expect(els.filter((e) => e.attrs['class'] === 'note').map((e) => e.text).join()).toMatch(/IPAMBlocks were not read \(the API answered 403 Forbidden\)/);
  });

  it('without IPPools the grid is the lab\'s pool, with a note', () => {
    const { els } = draw({ ...healthyInputs(), ippools: absent('not in the snapshot') });
    expect(poolCells(els)).toHaveLength(1024);
    expect(els.filter((e) => e.attrs['class'] === 'note').map((e) => e.text).join()).toMatch(/IPPools were not read \(not in the snapshot\)/);
  });

  it('seven nodes: the palette repeats with a pattern, letters keep counting', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((x) => `node-${x}`);
    const lab: VerifyLab = { ...lessonLab, nodes: names.map((name) => ({ name, role: 'worker' })) };
    const blocks = names.map((name, k) => block(`192.168.${k}.0/26`, name, []));
    const { els } = draw(withValue(healthyInputs(), 'ipamBlocks', blocks), lab);
    const g = claimed(poolCells(els)).find((c) => c.attrs['data-node'] === 'node-g')!;
    expect(fillOf(g)).toBe(legendColour(els, 'node-a'));
    expect(g.children.some((k) => k.attrs['fill'] === 'url(#ipam-pat-1)')).toBe(true);
    expect(g.children.find((k) => k.tag === 'text')?.text).toBe('G');
  });
});

describe('findings → places', () => {
  it('reads dotted and dashed CIDRs, IPs and whole node names', () => {
    const r = refsIn('calico-ipam-worker-192-168-131-128-26: state pending; 192.168.18.74 and 10.0.0.0/8, calico-ipam-worker2.', ['calico-ipam-worker', 'calico-ipam-worker2', 'calico-ipam-control-plane']);
    expect(r.cidrs.map((c) => c.text).sort()).toEqual(['10.0.0.0/8', '192.168.131.128/26']);
    expect(r.ips).toEqual([ipNum('192.168.18.74')]);
    expect(r.nodes).toEqual(['calico-ipam-worker', 'calico-ipam-worker2']);
  });

  it('borrowed IPs come from the blocks themselves when there is no calicoctl report', () => {
    let i = healthyInputs();
    const blocks = (i.ipamBlocks.ok ? i.ipamBlocks.value : []).filter((b) => b.spec?.cidr !== '192.168.18.64/26');
    blocks.push(block('192.168.18.64/26', 'calico-ipam-control-plane', [
      { ip: '192.168.18.64', handle: 'vxlan-tunnel-addr-calico-ipam-control-plane', secondary: { node: 'calico-ipam-control-plane', type: 'vxlanTunnelAddress' } },
      { ip: '192.168.18.80', handle: 'k8s-pod-network.0123', secondary: { namespace: 'default', node: 'calico-ipam-worker2', pod: 'web-1' } },
    ]));
    i = { ...withValue(i, 'ipamBlocks', blocks), ipamCheck: absent('calicoctl is not pinned for this platform') };
    const map = buildIpamMap(lessonLab, i, runChecks(CHECKS, lessonLab, i));
    expect(map.borrowed).toEqual([{ ip: '192.168.18.80', node: 'calico-ipam-worker2', block: '192.168.18.64/26', blockNode: 'calico-ipam-control-plane' }]);
    expect(marksOf(cellAt(poolCells(parseSvg(renderSvg(map))), '192.168.18.64/26')!)).toContain('borrowed');
  });

  it('marks a block from a failing rule (rules[] on a result) and lists the rules on the page', () => {
    const inputs = healthyInputs();
    const results = runChecks(CHECKS, lessonLab, inputs).map((r) => (r.id === 'affinity-details'
      ? { ...r, status: 'fail' as const, rules: [{ id: 'confirmed', title: 'affinity confirmed', status: 'fail' as const, inputs: ['blockAffinities'], reason: 'calico-ipam-worker2-192-168-112-128-26: state pending' }, { id: 'in-pool', title: 'CIDR inside the pool', status: 'not-evaluated' as const, inputs: ['ippools'], reason: 'no IPPools' }] }
      : r));
    const map = buildIpamMap(lessonLab, inputs, results);
    const cell = cellAt(poolCells(parseSvg(renderSvg(map))), '192.168.112.128/26')!;
    expect(marksOf(cell)).toContain('fail');
    const html = renderHtml(buildJsonReport(lessonLab, results, { source: 'live', durationMs: 1, missingInputs: {} }), map);
    expect(html).toMatch(/<code>in-pool<\/code>.*not evaluated.*no IPPools/s);
    expect(html).toContain('1 of 2 rules ran.');
  });
});

describe('text map and HTML page', () => {
  const inputs = healthyInputs();
  const results = runChecks(CHECKS, lessonLab, inputs);
  const map = buildIpamMap(lessonLab, inputs, results);

  it('text: 32 rows of 32 characters, each node\'s letter where its block is', () => {
    const lines = renderSummaryText(map).split('\n');
    const rows = lines.filter((l) => /^192\.168\.\d+\.0 +[.A-Z!~*+?-]{32}$/.test(l));
    expect(rows).toHaveLength(32);
    const grid = rows.map((l) => l.slice(-32)).join('');
    for (const [letter, cidr] of [['A', FIRST_BLOCKS['calico-ipam-control-plane']!], ['B', FIRST_BLOCKS['calico-ipam-worker']!], ['C', FIRST_BLOCKS['calico-ipam-worker2']!]] as const) {
      expect(grid[(cidrBase(cidr) - ipNum('192.168.0.0')) / 64]).toBe(letter);
    }
    expect(grid.replace(/\./g, '')).toHaveLength(3);
    const summary = ipamMapSummary(renderSummaryText(map), 'ipam-map.html');
    expect(summary).toContain('```text');
    expect(summary).toContain('`ipam-map.html` in this run\'s artifacts');
  });

  it('HTML: one self-contained file — no scripts, no external fonts, styles or images — with the checklist and the map', () => {
    const html = renderHtml(buildJsonReport(lessonLab, results, { source: 'live', durationMs: 1, missingInputs: {} }), map);
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)|src=/i);
    expect(html.match(/https?:\/\/[^"'\s]*/g) ?? []).toEqual(['http://www.w3.org/2000/svg']);
    for (const c of CHECKS) expect(html).toContain(`id="check-${c.id}"`);
    expect(poolCells(parseSvg(html.slice(html.indexOf('<svg'), html.indexOf('</svg>') + 6)))).toHaveLength(1024);
    expect(html).toContain('<table>');
  });
});

describe('writing the files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipam-write-'));
  it('writes atomically (no temp file left) and creates the folder', async () => {
    const file = join(dir, 'sub', 'report.html');
    await writeAtomically('--html', file, '<!DOCTYPE html>');
    expect(await readFile(file, 'utf8')).toBe('<!DOCTYPE html>');
  });

  it('a path it cannot write is a usage error (exit 2) naming the flag', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    const bad = writeAtomically('--svg', join(dir, 'plain-file', 'map.svg'), '<svg/>');
    await expect(bad).rejects.toBeInstanceOf(UsageError);
    await expect(bad).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--svg: cannot write .*plain-file\/map\.svg/) });
    await expect(writeAtomically('--html', dir, 'x')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--html: .* is a directory/) });
  });
});

describe('writeIpamMaps (what verify calls)', () => {
  it('appends the text map and the note to $GITHUB_STEP_SUMMARY and writes both files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipam-summary-'));
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '### lab verify\n');
    const inputs = healthyInputs();
    const results = runChecks(CHECKS, lessonLab, inputs);
    const lines: string[] = [];
    await writeIpamMaps({ options: { html: 'out/map.html', svg: 'out/map.svg' }, cwd: dir, env: { GITHUB_STEP_SUMMARY: summary }, log: { verbose: (l) => lines.push(l) } }, { lab: lessonLab, inputs, results, source: 'live', durationMs: 5 });
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('### lab verify\n<details open><summary>IPAM map</summary>')).toBe(true);
    expect(text).toMatch(/^192\.168\.16\.0 +\.{9}A\.{22}$/m);
    expect(text).toContain('`map.html` in this run\'s artifacts');
    expect(await readFile(join(dir, 'out', 'map.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(await readFile(join(dir, 'out', 'map.svg'), 'utf8')).toMatch(/^<\?xml/);
    expect(lines).toHaveLength(2);
  });

  it('does nothing when neither a flag nor the step summary asks for the map', async () => {
    const inputs = healthyInputs();
    await expect(writeIpamMaps({ options: {}, cwd: '/nonexistent', env: {}, log: { verbose: () => undefined } }, { lab: lessonLab, inputs, results: [], source: 'live', durationMs: 0 })).resolves.toBeUndefined();
  });
});

describe('findings about the pool', () => {
  it('a CIDR over the whole pool, or inside it where no block is, marks the pool, not blocks', () => {
    const inputs = withValue(healthyInputs(), 'kindSubnets', ['192.168.64.0/20']);
    const results = runChecks(CHECKS, lessonLab, inputs);
    expect(results.find((r) => r.id === 'cidr-hygiene')!.status).toBe('fail');
    const map = buildIpamMap(lessonLab, inputs, results);
    expect(map.pools[0]!.marks.map((m) => m.check)).toContain('cidr-hygiene');
    expect(claimed(poolCells(parseSvg(renderSvg(map)))).filter((c) => marksOf(c).length > 0)).toEqual([]);
    expect(parseSvg(renderSvg(map)).find((e) => e.attrs['data-mark'] === 'pool')?.text).toMatch(/about the whole pool/);
  });
});
