/**
 * Helpers for the IPAM map tests: parse an SVG the map rendered into a flat list of elements with
 * their attributes (fast-xml-parser, preserving order), and gather verify inputs from the simulated
 * world's store in-process (the same `gatherInputs` the live path uses, its sources backed by the
 * store and the simulated calicoctl).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { gatherInputs, type GatherSources } from '../../../src/calico/gather.js';
import type { VerifyInputs } from '../../../src/calico/inputs.js';
import type { FaultId } from '../../../src/sim/context.js';
import { testWorld, type TestWorld } from '../../helpers/calico-sim.js';

export interface El {
  tag: string;
  attrs: Record<string, string>;
  /** Concatenated text of the element's own text children and its <title>. */
  text: string;
  title: string | undefined;
  parent: El | undefined;
  children: El[];
}

type Node = Record<string, unknown>;

export function parseSvg(svg: string): El[] {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, trimValues: false });
  const tree = parser.parse(svg) as Node[];
  const out: El[] = [];
  const walk = (nodes: Node[], parent: El | undefined): void => {
    for (const node of nodes) {
      const tag = Object.keys(node).find((k) => k !== ':@');
      if (!tag || tag === '#text' || tag === '?xml') continue;
      const attrs = (node[':@'] ?? {}) as Record<string, string>;
      const kids = node[tag] as Node[];
      const el: El = { tag, attrs, text: '', title: undefined, parent, children: [] };
      out.push(el);
      parent?.children.push(el);
      el.text = kids.filter((k) => '#text' in k).map((k) => String(k['#text'])).join('');
      const title = kids.find((k) => 'title' in k);
      if (title) el.title = ((title['title'] as Node[]).find((k) => '#text' in k)?.['#text'] as string | undefined) ?? '';
      walk(kids, el);
    }
  };
  walk(tree, undefined);
  return out;
}

/** Cells of the pool grid (free rects and claimed groups), in document order. */
export function poolCells(els: El[], pool = '192.168.0.0/16'): El[] {
  return els.filter((e) => e.attrs['class'] === 'cell' && e.attrs['data-cidr'] !== undefined && ancestor(e, (p) => p.attrs['data-pool'] === pool));
}

export function ancestor(e: El, pred: (p: El) => boolean): boolean {
  for (let p = e.parent; p; p = p.parent) if (pred(p)) return true;
  return false;
}

/** The fill of a claimed cell's main rect. */
export function fillOf(cell: El): string | undefined {
  return cell.children.find((c) => c.tag === 'rect' && c.attrs['class'] === 'fill')?.attrs['fill'];
}

export function marksOf(cell: El): string[] {
  return (cell.attrs['data-marks'] ?? '').split(' ').filter(Boolean);
}

/** A settled simulated lab with the given faults, and its inputs gathered like `lab verify` does. */
export async function simulatedInputs(faults: FaultId[]): Promise<{ world: TestWorld; inputs: VerifyInputs }> {
  const world = testWorld({ faults });
  world.applyManifests();
  await world.settled();
  const dir = mkdtempSync(join(tmpdir(), 'ipam-map-'));
  const sources: GatherSources = {
    kube: {
      list: async <T>(apiVersion: string, resource: string) => {
        const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
        return { items: world.store.list({ group, resource }).items as unknown as T[] };
      },
    },
    containers: () => Promise.reject(new Error('no containerlab in this test')),
    kindSubnets: () => Promise.resolve(undefined),
    ipamShowText: async () => (await world.run(['ipam', 'show', '--show-blocks'])).stdout,
    ipamCheckText: async () => {
      const r = await world.run(['ipam', 'check', '-o', 'report.json'], dir);
      if (r.code !== 0) throw new Error(r.stderr);
      return readFileSync(join(dir, 'report.json'), 'utf8');
    },
    hostRoutesText: () => Promise.reject(new Error('no host routes in this test')),
  };
  try {
    return { world, inputs: await gatherInputs(sources) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
