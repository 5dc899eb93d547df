/**
 * The harness's watch (src/real/observer.ts) against a small HTTPS API that speaks the list/watch
 * protocol: /readyz, a list with a resourceVersion, a watch stream of newline-delimited events, 410
 * Gone and a collection that is not served yet.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kube } from '../../src/real/kube.js';
import { generateRealPki, type RealPki } from '../../src/real/pki.js';
import { API, marksOf, observeCluster, type Observed } from '../../src/real/observer.js';

const node = (name: string, ready: boolean, rv: string) => ({
  metadata: { name, uid: `uid-${name}`, resourceVersion: rv, managedFields: [{ manager: 'kwok' }] },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('marksOf', () => {
  it('marks a condition the first time it is True, once, and never for a deletion', () => {
    const seen = new Set<string>();
    const crd = (established: string) => ({ metadata: { name: 'installations.operator.tigera.io' }, status: { conditions: [{ type: 'Established', status: established }] } });
    expect(marksOf(API.crds, 'ADDED', crd('False'), 1, false, seen)).toEqual([]);
    expect(marksOf(API.crds, 'MODIFIED', crd('True'), 2, false, seen)).toEqual([{ name: 'crd-established:installations.operator.tigera.io', at: 2, listed: false }]);
    expect(marksOf(API.crds, 'MODIFIED', crd('True'), 3, false, seen)).toEqual([]);
    const ts = { metadata: { name: 'calico' }, status: { conditions: [{ type: 'Available', status: 'True' }] } };
    expect(marksOf(API.tigerastatuses, 'DELETED', ts, 4, false, seen)).toEqual([]);
    expect(marksOf(API.tigerastatuses, 'ADDED', ts, 5, true, seen)).toEqual([{ name: 'tigerastatus-available:calico', at: 5, listed: true }]);
    // installations carry no condition the harness marks
    expect(marksOf(API.installations, 'ADDED', { metadata: { name: 'default' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 6, false, seen)).toEqual([]);
  });
});

describe('observeCluster', () => {
  let dir: string;
  let pki: RealPki;
  let server: Server;
  let port = 0;
  let ready = false;
  const streams: ServerResponse[] = [];
  const quiet: ServerResponse[] = [];
  const watchVersions: string[] = [];
  let nodesListed = 0;
  let statusListed = 0;
  let goneOnce = true;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-observer-'));
    pki = generateRealPki(join(dir, 'pki'), '10.96.0.1');
    server = createServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: readFileSync(pki.caCert), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      if (url.pathname === '/readyz') {
        res.writeHead(ready ? 200 : 500).end(ready ? 'ok' : 'not yet');
        return;
      }
      if (url.pathname === API.nodes.path && url.searchParams.get('watch') !== '1') {
        nodesListed += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ metadata: { resourceVersion: nodesListed === 1 ? '10' : '20' }, items: [node('a', false, '10')] }));
        return;
      }
      if (url.pathname === API.nodes.path) {
        watchVersions.push(url.searchParams.get('resourceVersion') ?? '');
        res.writeHead(200, { 'content-type': 'application/json' });
        if (goneOnce && url.searchParams.get('resourceVersion') === '12') {
          goneOnce = false;
          res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410 } })}\n`);
          return;
        }
        res.write(''); // headers out: the stream is open
        streams.push(res);
        return;
      }
      if (url.pathname === API.tigerastatuses.path && url.searchParams.get('watch') === '1') {
        res.writeHead(200, { 'content-type': 'application/json' }).write('');
        quiet.push(res);
        return;
      }
      if (url.pathname === API.tigerastatuses.path) {
        statusListed += 1;
        // not served until the third list (its CRD is not Established yet)
        if (statusListed < 3) res.writeHead(404).end('{"kind":"Status","code":404}');
        else res.writeHead(200).end(JSON.stringify({ metadata: { resourceVersion: '5' }, items: [] }));
        return;
      }
      res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of [...streams, ...quiet]) s.end();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const until = async (what: string, test: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('marks api-up at the first ready answer, lists, then sees each event as it happens', async () => {
    let kube: Kube | undefined;
    const observer = observeCluster(() => kube, { resources: [API.nodes, API.tigerastatuses], intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    kube = new Kube(`https://127.0.0.1:${port}`, pki);
    await new Promise((r) => setTimeout(r, 30));
    expect(observer.marks).toEqual([]); // /readyz said 500
    ready = true;
    await until('the watch stream', () => streams.length === 1);
    const up = observer.marks.find((m) => m.name === 'api-up');
    expect(up?.listed).toBe(false);
    expect(observer.events).toEqual([expect.objectContaining({ type: 'ADDED', name: 'a', listed: true, managers: ['kwok'] })]);
    expect(watchVersions).toEqual(['10']);

    const before = performance.now();
    streams[0]!.write(`${JSON.stringify({ type: 'MODIFIED', object: node('a', true, '11') })}\n`);
    await until('node-ready:a', () => observer.marks.some((m) => m.name === 'node-ready:a'));
    const mark = observer.marks.find((m) => m.name === 'node-ready:a')!;
    expect(mark.listed).toBe(false);
    expect(mark.at).toBeGreaterThanOrEqual(before);

    // a bookmark moves the version; the stream ends; the watch resumes from it and gets 410 → lists again
    streams[0]!.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } })}\n`);
    streams[0]!.end();
    await until('the re-listed stream', () => streams.length === 2);
    expect(watchVersions).toEqual(['10', '12', '20']);
    expect(observer.stats).toMatchObject({ resumed: 1, relisted: 1, errors: 0 });
    // the re-list shows the node again as a change, not as a new object
    expect(observer.events.map((e: Observed) => `${e.type} ${e.name} ${e.listed}`)).toEqual(['ADDED a true', 'MODIFIED a false', 'MODIFIED a true']);
    // the not-yet-served collection was listed until it was served, 404s not counted as errors
    await until('the tigerastatus list', () => statusListed >= 3);
    await observer.stop();
    expect(observer.stats.errors).toBe(0);
    kube.close();
  });
});
