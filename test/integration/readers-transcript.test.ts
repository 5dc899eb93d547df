/**
 * Transcripts built from the simulated lab's own outputs: deploy, run the lesson's commands (real
 * kubectl against the simulated API server, the simulated calicoctl and containerlab), paste them
 * into one terminal-like file with prompts, and read it back with src/calico/readers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipamShowToIpamShow, readCapture, type CapturePart, type ReaderId, type ReadValues } from '../../src/calico/readers/index.js';
import { hasKubectl, recordSession } from '../helpers/transcript.js';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

const NODES = ['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2'];
const BLOCKS: Record<string, string> = { 'calico-ipam-control-plane': '192.168.18.64/26', 'calico-ipam-worker': '192.168.131.128/26', 'calico-ipam-worker2': '192.168.112.128/26' };

const kubectlMissing = !hasKubectl();
if (kubectlMissing) console.warn('SKIPPED: readers-transcript needs a kubectl on PATH (real kubectl against the simulated API server)');

function value<K extends ReaderId>(parts: CapturePart[], reader: K): ReadValues[K] {
  const p = parts.find((x) => x.reader === reader);
  if (!p) throw new Error(`no ${reader} part; parts: ${parts.map((x) => x.reader).join(', ')}`);
  return p.value as ReadValues[K];
}

describe.skipIf(kubectlMissing)('a transcript of the simulated lab, read back', () => {
  let t: TestWorld;
  let transcript = '';
  beforeAll(async () => {
    t = await startTestWorld();
    const d = await t.runLab(['deploy', '--topology', t.topology]);
    expect(d.exitCode, d.stderr).toBe(0);
    transcript = await recordSession(t, [
      ['containerlab', ['inspect', '-t', 'topology/01-calico-ipam/calico-ipam.clab.yaml']],
      ['kubectl', ['get', 'tigerastatus']],
      ['kubectl', ['get', 'nodes', '-o', 'wide']],
      ['kubectl', ['get', 'pods', '-A', '-o', 'wide']],
      ['kubectl', ['get', 'blockaffinities']],
      ['kubectl', ['get', 'blockaffinities', '-o=jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.node}{"\\t"}{.spec.cidr}{"\\n"}{end}']],
      ['calicoctl', ['ipam', 'show']],
      ['calicoctl', ['ipam', 'show', '--show-blocks']],
      ['calicoctl', ['ipam', 'check']],
    ]);
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  it('every command of the session is read by the reader for it, nothing ignored', () => {
    const r = readCapture('session.txt', transcript, { nodeNames: NODES });
    expect({ ignored: r.ignored, readers: r.parts.map((p) => p.reader) }).toEqual({
      ignored: [],
      readers: ['containerlab-inspect-table', 'tigerastatus-table', 'nodes-table', 'pods-table', 'blockaffinities-table', 'blockaffinities-jsonpath', 'ipam-show', 'ipam-show', 'ipam-check-text'],
    });
    expect(r.parts.every((p) => p.via === 'command' && p.host === undefined)).toBe(true);
  });

  it('the values are the lab: three running kind nodes, Calico available, one /26 per node, 12 IPs in use', () => {
    const { parts } = readCapture('session.txt', transcript, { nodeNames: NODES });
    expect(value(parts, 'containerlab-inspect-table').map((c) => [c.name, c.state])).toEqual(NODES.map((n) => [n, 'running']));
    const ts = value(parts, 'tigerastatus-table');
    for (const name of ['apiserver', 'calico']) expect(ts.find((x) => x.name === name)).toMatchObject({ available: 'True', degraded: 'False' });
    expect(value(parts, 'nodes-table').map((n) => [n.name, n.status, n.version, n.internalIP?.startsWith('172.18.0.')])).toEqual(NODES.map((n) => [n, 'Ready', 'v1.28.0', true]));
    const pods = value(parts, 'pods-table');
    const coredns = pods.filter((p) => p.name.startsWith('coredns-'));
    expect(coredns.map((p) => p.ip?.startsWith('192.168.18.'))).toEqual([true, true]);
    expect(value(parts, 'blockaffinities-table').map((a) => [a.node, a.cidr])).toEqual(NODES.map((n) => [n, BLOCKS[n]]));
    expect(value(parts, 'blockaffinities-jsonpath').map((a) => [a.node, a.cidr])).toEqual(NODES.map((n) => [n, BLOCKS[n]]));
    const shows = parts.filter((p) => p.reader === 'ipam-show');
    const blocks = shows[1]!.reader === 'ipam-show' ? ipamShowToIpamShow(shows[1]!.value)! : undefined;
    expect(blocks?.rows.map((r) => [r.grouping, r.cidr, r.inUse])).toEqual([
      ['IP Pool', '192.168.0.0/16', 12],
      ['Block', '192.168.112.128/26', 3],
      ['Block', '192.168.131.128/26', 4],
      ['Block', '192.168.18.64/26', 5],
    ]);
    expect(value(parts, 'ipam-check-text')).toMatchObject({ problems: 0, complete: true, inUseIps: 12, blocks: 3 });
  });
});
