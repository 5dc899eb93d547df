import { describe, expect, it } from 'vitest';
import { parseCommand, readCapture, type CapturePart } from '../../../src/calico/readers/index.js';
import { ctx, fixture } from './fixtures.js';

const summary = (parts: CapturePart[]): [string, string, string | undefined, string | undefined][] =>
  parts.map((p) => [p.source, p.reader, p.command, p.host]);

describe('transcripts', () => {
  it('splits a lesson session at its user@host prompts and routes each output by its command', () => {
    const r = readCapture('lesson01.txt', fixture('transcript-lesson01.txt'), ctx);
    expect(summary(r.parts)).toEqual([
      ['lesson01.txt:2', 'containerlab-inspect-table', 'containerlab inspect -t calico-ipam.clab.yaml', undefined],
      ['lesson01.txt:17', 'tigerastatus-table', 'kubectl get tigerastatus', undefined],
      ['lesson01.txt:22', 'nodes-table', 'kubectl get nodes', undefined],
      ['lesson01.txt:27', 'ipam-show', 'calicoctl ipam show', undefined],
      ['lesson01.txt:33', 'blockaffinities-table', 'kubectl get blockaffinities', undefined],
      ['lesson01.txt:38', 'kube-objects', 'kubectl get blockaffinities -o yaml', undefined],
      ['lesson01.txt:77', 'blockaffinities-jsonpath', expect.stringContaining("-o=jsonpath='{range .items[*]}"), undefined],
    ]);
    expect(r.parts.every((p) => p.via === 'command')).toBe(true);
    // `export KUBECONFIG=…` printed nothing, and the last prompt is empty: neither is a part or a problem.
    expect(r.ignored).toEqual([]);
    const ts = r.parts.find((p) => p.reader === 'tigerastatus-table');
    expect(ts?.reader === 'tigerastatus-table' && ts.value.map((row) => row.name)).toEqual(['apiserver', 'calico', 'ippools']);
    const listing = r.parts.find((p) => p.reader === 'blockaffinities-jsonpath');
    expect(listing?.reader === 'blockaffinities-jsonpath' && listing.value.map((l) => l.node)).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
  });

  it('names the node of a root@<node> shell and of docker exec <node>, never of a pod shell', () => {
    const r = readCapture('shells.txt', fixture('transcript-node-shells.txt'), ctx);
    expect(summary(r.parts)).toEqual([
      ['shells.txt:3', 'ip-route', 'ip route', 'calico-ipam-worker2'],
      ['shells.txt:11', 'ip-route-json', 'ip -j route', 'calico-ipam-worker2'],
      ['shells.txt:15', 'ip-route', 'docker exec calico-ipam-worker ip route', 'calico-ipam-worker'],
      ['shells.txt:25', 'ip-route', 'ip route', undefined],
      ['shells.txt:29', 'pods-table', 'kubectl get pods -A -o wide | grep csi-node-driver', undefined],
    ]);
    expect(r.parts[3]!.pod).toBe('multitool');
    expect(r.parts.map((p) => p.filtered)).toEqual([undefined, undefined, undefined, undefined, true]);
    // grep removed the header: the command says which columns the rows have.
    const grepped = r.parts[4]!;
    expect(grepped.reader === 'pods-table' && grepped.value.map((p) => [p.namespace, p.name, p.ip, p.node])).toEqual([
      ['calico-system', 'csi-node-driver-7xk2p', '192.168.18.65', 'calico-ipam-control-plane'],
      ['calico-system', 'csi-node-driver-m4q8d', '192.168.131.129', 'calico-ipam-worker'],
      ['calico-system', 'csi-node-driver-sbj5n', '192.168.112.129', 'calico-ipam-worker2'],
    ]);
    // `exit` echoed "exit": no reader for it.
    expect(r.ignored.map((i) => i.source)).toEqual(['shells.txt:13']);
  });

  it('a filtered output that the command does not explain is ignored, saying it went through a pipe', () => {
    const r = readCapture('g.txt', '$ kubectl get nodes | grep worker\ncalico-ipam-worker          Ready    <none>          10m   v1.28.0\n', ctx);
    expect(r.parts).toEqual([]);
    expect(r.ignored[0]!.reason).toMatch(/^`kubectl get nodes \| grep worker`: looks like kubectl get nodes but cannot be read: .*\(its output went through a pipe\)$/);
  });

  it('a host that is not a lab node is not a host', () => {
    const r = readCapture('x.txt', 'root@laptop:/# ip route\ndefault via 10.0.0.1 dev wlan0 \n', ctx);
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]!.host).toBeUndefined();
  });

  it('YAML comments and Corefile text are output, not prompts; a failing command is ignored with its error', () => {
    const r = readCapture('mixed.txt', fixture('transcript-yaml-comments.txt'), ctx);
    expect(r.parts.map((p) => [p.reader, p.command, p.via])).toEqual([
      ['kube-objects', 'cat calico-cni-config/custom-resources.yaml', 'content'],
      ['kube-objects', 'kubectl -n kube-system get configmap coredns -o yaml', 'command'],
      ['ipam-show', 'calicoctl ipam show --show-blocks', 'command'],
      ['ipam-check-text', 'calicoctl ipam check --show-problem-ips', 'command'],
      ['ip-route', 'ip route', 'command'],
    ]);
    const cr = r.parts[0]!;
    expect(cr.reader === 'kube-objects' && cr.value.kinds).toEqual(['Installation operator.tigera.io/v1', 'APIServer operator.tigera.io/v1']);
    const check = r.parts[3]!;
    expect(check.reader === 'ipam-check-text' && check.value.problemIpsListed).toBe('yes');
    expect(r.ignored).toHaveLength(2);
    expect(r.ignored[0]!.reason).toContain('the output says: error: the server doesn\'t have a resource type "tigerastatus"');
    expect(r.ignored[1]!.reason).toBe('`kubectl get svc -A`: no reader for this command, and the output is not a format verify reads');
  });

  it('a file without prompts is read by its content', () => {
    const r = readCapture('show.txt', fixture('calicoctl-ipam-show-and-blocks.txt'), ctx);
    expect(r.parts.map((p) => [p.source, p.reader, p.via, p.command])).toEqual([['show.txt:1', 'ipam-show', 'content', undefined]]);
    const v = r.parts[0]!;
    expect(v.reader === 'ipam-show' && v.value.tables.length).toBe(2);
  });

  it('every fixture without prompts is recognised by its content as the reader written for it', () => {
    const expected: Record<string, string> = {
      'kubectl-get-tigerastatus.txt': 'tigerastatus-table',
      'kubectl-get-tigerastatus-blank.txt': 'tigerastatus-table',
      'kubectl-get-tigerastatus-message.txt': 'tigerastatus-table',
      'kubectl-describe-tigerastatus.txt': 'tigerastatus-describe',
      'kubectl-get-nodes.txt': 'nodes-table',
      'kubectl-get-nodes-wide.txt': 'nodes-table',
      'kubectl-get-nodes-apiserver-down.txt': 'nodes-table',
      'kubectl-get-pods-A-wide.txt': 'pods-table',
      'kubectl-get-pods-A.txt': 'pods-table',
      'kubectl-get-pods-n-calico-system-wide.txt': 'pods-table',
      'kubectl-get-blockaffinities.txt': 'blockaffinities-table',
      'kubectl-get-blockaffinities-v3.txt': 'blockaffinities-table',
      'blockaffinities-jsonpath-tabs.txt': 'blockaffinities-jsonpath',
      'blockaffinities-jsonpath-spaces.txt': 'blockaffinities-jsonpath',
      'calicoctl-ipam-show-blocks-orphan.txt': 'ipam-show',
      'calicoctl-ipam-show-blocks-big-pool.txt': 'ipam-show',
      'calicoctl-ipam-check-problems.txt': 'ipam-check-text',
      'calicoctl-ipam-check-show-problem-ips.txt': 'ipam-check-text',
      'containerlab-inspect-exited.txt': 'containerlab-inspect-table',
      'containerlab-inspect-ascii.txt': 'containerlab-inspect-table',
      'ip-route-worker2.txt': 'ip-route',
      'ip-route-worker-vxlan.txt': 'ip-route',
      'ip-route-worker2.json': 'ip-route-json',
    };
    for (const [file, reader] of Object.entries(expected)) {
      const r = readCapture(file, fixture(file), ctx);
      expect({ file, readers: r.parts.map((p) => p.reader), ignored: r.ignored }).toEqual({ file, readers: [reader], ignored: [] });
    }
  });

  it('one unreadable part never throws for the file; text matching no format is ignored with a reason', () => {
    const text = '$ calicoctl ipam show\n| GROUPING | CIDR |\n$ kubectl get nodes\n' + fixture('kubectl-get-nodes.txt');
    const r = readCapture('t.txt', text, ctx);
    expect(r.parts.map((p) => p.reader)).toEqual(['nodes-table']);
    expect(r.ignored).toEqual([{ source: 't.txt:2', reason: expect.stringMatching(/^`calicoctl ipam show`: looks like calicoctl ipam show but cannot be read: /) }]);
    expect(readCapture('notes.txt', 'remember to check the pods\n', ctx)).toEqual({ parts: [], ignored: [{ source: 'notes.txt:1', reason: 'not a format verify reads' }] });
  });

  it('other prompt forms: $, # with a known tool, [user@host dir]$, ➜ and a continued command line', () => {
    const routes = fixture('ip-route-worker2.txt');
    const forms = [
      `$ ip route\n${routes}`,
      `# ip route\n${routes}`,
      `[root@calico-ipam-worker2 /]# ip route\n${routes}`,
      `➜  lab git:(main) ✗ ip route\n${routes}`,
      `user@host:~$ sudo ip \\\n  route\n${routes}`,
    ];
    const watched = `$ watch -n 5 kubectl get tigerastatus\nEvery 5.0s: kubectl get tigerastatus            host: Wed Dec  2 05:41:07 2026\n\n${fixture('kubectl-get-tigerastatus.txt')}`;
    expect(readCapture('w.txt', watched, ctx).parts.map((p) => [p.reader, p.source])).toEqual([['tigerastatus-table', 'w.txt:4']]);
    for (const f of forms) expect(readCapture('f.txt', f, ctx).parts.map((p) => [p.reader, p.source])).toEqual([['ip-route', expect.stringMatching(/^f\.txt:[23]$/)]]);
    expect(readCapture('f.txt', forms[2]!, ctx).parts[0]!.host).toBe('calico-ipam-worker2');
    // `# ip pools: …` is a comment: `pools` is no ip subcommand.
    expect(readCapture('c.yaml', '# ip pools: one /16\n# kubectl get tigerastatus shows it\napiVersion: v1\nkind: List\nitems: []\n', ctx).parts.map((p) => p.reader)).toEqual(['kube-objects']);
  });
});

describe('terminal recordings and the other tool outputs', () => {
  it('reads a coloured, CRLF capture (as `script` records it) with the same line numbers', () => {
    const plain = fixture('transcript-lesson01.txt');
    const coloured = plain
      .replace(/^user@host:~\/lab\$ /gm, '\x1b]0;user@host: ~/lab\x07\x1b[01;32muser@host\x1b[00m:\x1b[01;34m~/lab\x1b[00m$ ')
      .replace(/\n/g, '\r\n');
    const a = readCapture('a.txt', plain, ctx);
    const b = readCapture('a.txt', coloured, ctx);
    expect(b.ignored).toEqual([]);
    expect(b.parts).toEqual(a.parts);
  });

  it('reads `docker network inspect kind` and /proc/net/route by command and by content', () => {
    const net = JSON.stringify([{ Name: 'kind', Id: 'x', IPAM: { Driver: 'default', Config: [{ Subnet: 'fc00:f853:ccd:e793::/64' }, { Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] } }], null, 4);
    const proc = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010012AC\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n';
    const r = readCapture('t.txt', `$ docker network inspect kind\n${net}\n$ cat /proc/net/route\n${proc}`, ctx);
    expect(r.ignored).toEqual([]);
    expect(r.parts.map((p) => [p.reader, p.value])).toEqual([
      ['docker-network-inspect', [{ name: 'kind', subnets: ['fc00:f853:ccd:e793::/64', '172.18.0.0/16'] }]],
      ['proc-net-route', [{ dst: 'default', dev: 'eth0' }, { dst: '172.18.0.0/16', dev: 'eth0' }]],
    ]);
    expect(readCapture('n.json', net, ctx).parts.map((p) => [p.reader, p.via])).toEqual([['docker-network-inspect', 'content']]);
  });
});

describe('command lines', () => {
  it('looks through sudo, env assignments, docker exec and kubectl exec; folds aliases', () => {
    expect(parseCommand('sudo -E KUBECONFIG=x k get po -A -owide')).toMatchObject({ tool: 'kubectl', words: ['get', 'po'] });
    expect(parseCommand('sudo -E KUBECONFIG=x k get po -A -owide')!.flags.get('o')).toBe('wide');
    expect(parseCommand('docker exec -it -u root calico-ipam-worker2 ip -4 route show')).toMatchObject({ tool: 'ip', words: ['route', 'show'], container: 'calico-ipam-worker2' });
    expect(parseCommand('kubectl exec -n default multitool -- ip route')).toMatchObject({ tool: 'ip', pod: 'multitool' });
    expect(parseCommand('kubectl calico ipam show --show-blocks')).toMatchObject({ tool: 'calicoctl', words: ['ipam', 'show'] });
    expect(parseCommand('clab inspect --format=json')!.flags.get('format')).toBe('json');
    expect(parseCommand("kubectl get blockaffinities -o=jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{end}'")!.flags.get('o')).toBe('jsonpath={range .items[*]}{.metadata.name}{"\\t"}{end}');
    expect(parseCommand('kubectl get pods -A | grep calico')).toMatchObject({ tool: 'kubectl', piped: true });
  });
});
