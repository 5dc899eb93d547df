/**
 * Run a command in a pod's container through the API server's `pods/<name>/exec` subresource, the
 * way `kubectl exec` does: client-node 1.4's `Exec` (WebSocket; it offers v5.channel.k8s.io first,
 * then v4, …), stdout/stderr collected, the exit code read from the status channel (a metav1.Status:
 * Success → 0; Failure/NonZeroExitCode → details.causes[ExitCode]). Every call has a deadline.
 * client-node is imported only when an exec runs. A refused upgrade only says its HTTP code, so the
 * pod is read once to explain it (pod missing, not running, no such container; 403 is RBAC).
 */
import { Writable, Readable } from 'node:stream';
import type https from 'node:https';
import { InterruptedError, LabError, ExitCode, TimeoutError, type LabErrorOptions } from '../errors.js';
import { loadClientNode, type KubeClient } from './client.js';
import { podProblem } from './diagnose.js';

export interface ExecRequest {
  namespace: string;
  pod: string;
  /** Default: the pod's only container (the API server refuses when there are several). */
  container?: string;
  command: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type ExecFailure = 'pod-not-found' | 'pod-not-running' | 'container-missing' | 'forbidden' | 'refused' | 'connection' | 'protocol';

/** An exec that could not run the command (not: a command that ran and exited non-zero). */
export class ExecError extends LabError {
  constructor(
    readonly failure: ExecFailure,
    message: string,
    options: LabErrorOptions = {},
  ) {
    super(ExitCode.checksFailed, message, options);
  }
}

interface V1StatusLike {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** The exit code a status-channel Status stands for; undefined for a Failure that is not an exit code. */
export function exitCodeOf(status: V1StatusLike): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : undefined;
}

const b64 = (v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return Buffer.isBuffer(one) ? one.toString('base64') : typeof one === 'string' ? Buffer.from(one).toString('base64') : undefined;
};

/**
 * client-node's WebSocketHandler is not exported by its index; it is built here with our own streams
 * because its default ones are process.stdout/stderr, which it would end() on a v5 close frame.
 */
function loadHandler(): Promise<typeof import('@kubernetes/client-node/dist/web-socket-handler.js')> {
  return import('@kubernetes/client-node/dist/web-socket-handler.js');
}

/** A client-node KubeConfig with the KubeClient's server, CA, client certificate or bearer token. */
async function kubeConfigOf(kube: KubeClient): Promise<import('@kubernetes/client-node').KubeConfig> {
  const { KubeConfig } = await loadClientNode();
  const { server, tls } = kube.connection();
  const headers = (tls.headers ?? {}) as Record<string, string>;
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['Authorization'] ?? headers['authorization'] ?? '')?.[1];
  const drop = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [drop({ name: 'lab', server: server.toString().replace(/\/$/, ''), caData: b64(tls.ca), skipTLSVerify: (tls as https.RequestOptions).rejectUnauthorized === false, tlsServerName: tls.servername })],
    users: [drop({ name: 'lab', certData: b64(tls.cert), keyData: b64(tls.key), token: bearer })],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'lab' }],
    currentContext: 'lab',
  });
  return kc;
}

function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
}

interface Socket {
  close(): void;
  terminate?(): void;
  on?(event: 'close', listener: () => void): void;
}

/** Run `command` in the pod; resolves with its output and exit code, whatever the code. */
export async function execInPod(kube: KubeClient, r: ExecRequest): Promise<ExecResult> {
  const where = `${r.namespace}/${r.pod}${r.container ? ` (container ${r.container})` : ''}`;
  if (r.signal?.aborted) throw new InterruptedError(`interrupted before exec in ${where}`);
  const [{ Exec }, { WebSocketHandler }] = await Promise.all([loadClientNode(), loadHandler()]);
  const kc = await kubeConfigOf(kube);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = collector(out);
  const stderr = collector(err);
  const handler = new WebSocketHandler(kc, undefined, { stdin: Readable.from([]), stdout, stderr });
  const exec = new Exec(kc, handler);
  return new Promise<ExecResult>((resolve, reject) => {
    let socket: Socket | undefined;
    let done = false;
    const finish = (e: Error | undefined, result?: ExecResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      r.signal?.removeEventListener('abort', onAbort);
      if (e) {
        socket?.terminate?.() ?? socket?.close();
        reject(e);
      } else resolve(result!);
    };
    const timer = setTimeout(() => finish(new TimeoutError(`exec in ${where} did not finish within ${Math.round(r.timeoutMs / 100) / 10} s`, { details: [`command: ${r.command.join(' ')}`], hint: 'the pod or its node may be overloaded; run with --verbose, or raise --timeout' })), r.timeoutMs);
    const onAbort = (): void => finish(new InterruptedError(`interrupted during exec in ${where}`));
    r.signal?.addEventListener('abort', onAbort, { once: true });
    const onStatus = (status: V1StatusLike): void => {
      const code = exitCodeOf(status);
      if (code === undefined) finish(new ExecError('refused', `exec in ${where} failed: ${status.message ?? status.reason ?? 'the status channel reported a failure'}`, { hint: 'the container may have stopped while the command ran; check the pod with kubectl describe pod' }));
      else finish(undefined, { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code });
    };
    exec.exec(r.namespace, r.pod, r.container ?? '', [...r.command], stdout, stderr, null, false, onStatus).then(
      (ws: unknown) => {
        socket = ws as Socket;
        if (done) socket.close();
        socket.on?.('close', () => finish(new ExecError('protocol', `exec in ${where}: the connection closed before the command's exit status arrived`, { hint: 'the API server or kubelet dropped the stream; retry, and check the node is Ready' })));
      },
      (e: unknown) => {
        if (done) return;
        explainRefusal(kube, r, where, e).then((x) => finish(x), (x: unknown) => finish(x instanceof Error ? x : new Error(String(x))));
      },
    );
  });
}

/** Why the API server refused the exec upgrade: the HTTP code from ws's error, then the pod itself. */
async function explainRefusal(kube: KubeClient, r: ExecRequest, where: string, cause: unknown): Promise<Error> {
  const text = cause instanceof Error ? cause.message : String((cause as { message?: unknown } | undefined)?.message ?? cause);
  const code = Number(/Unexpected server response: (\d+)/.exec(text)?.[1] ?? NaN);
  if (Number.isNaN(code)) return new ExecError('connection', `exec in ${where}: cannot connect to the API server: ${text}`, { cause, hint: 'check the cluster is up (lab status) and the kubeconfig points at it' });
  if (code === 403) {
    return new ExecError('forbidden', `exec in ${where} is forbidden (HTTP 403)`, { cause, hint: `the kubeconfig's user needs RBAC create on pods/exec in namespace ${r.namespace} (kubectl auth can-i create pods/exec -n ${r.namespace})` });
  }
  const pod = await kube.get<{ spec?: { containers?: { name: string }[]; nodeName?: string }; status?: { phase?: string } } & Parameters<typeof podProblem>[0]>('v1', 'pods', r.pod, r.namespace);
  if (!pod) return new ExecError('pod-not-found', `pod ${r.namespace}/${r.pod} not found`, { cause, hint: `list the pods with kubectl get pods -n ${r.namespace}; the pod may have been replaced (its name changes)` });
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  if (r.container !== undefined && !names.includes(r.container)) {
    return new ExecError('container-missing', `pod ${r.namespace}/${r.pod} has no container ${r.container}`, { cause, hint: `its containers: ${names.join(', ') || '(none)'}` });
  }
  if (r.container === undefined && names.length > 1) {
    return new ExecError('container-missing', `pod ${r.namespace}/${r.pod} has ${names.length} containers: name one`, { cause, hint: `its containers: ${names.join(', ')}` });
  }
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') {
    const problem = podProblem(pod);
    const why = problem !== undefined && problem !== phase ? `: ${problem}` : '';
    return new ExecError('pod-not-running', `pod ${r.namespace}/${r.pod} is not running (phase ${phase}${why})`, { cause, hint: 'wait for the pod to be Running (kubectl get pod -w), or look at kubectl describe pod' });
  }
  return new ExecError('refused', `exec in ${where} was refused (HTTP ${code})`, { cause, hint: 'run with --verbose; kubectl exec to the same pod shows the API server\'s message' });
}
