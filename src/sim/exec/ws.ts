/**
 * The `pods/<name>/exec` subresource over WebSocket, as a kube-apiserver serves it: the client offers
 * `v5.channel.k8s.io` / `v4.channel.k8s.io` (others are refused with 400); every message is one
 * channel byte + data — 1 stdout, 2 stderr, 3 status (a metav1.Status JSON: Success, or Failure
 * with reason NonZeroExitCode and details.causes [{reason: ExitCode, message: "<code>"}]); in v5
 * the client may send 255 <channel> to close its stdin. Errors before the upgrade are plain HTTP
 * responses with a Status body (404 unknown pod, 400 not running / bad container).
 * `ws` (client-node's dependency) is loaded here only.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '../apiserver/status.js';
import type { NetWorld } from './net.js';
import { planPodExec } from './pods.js';
import type { ExecOutput } from './shell.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;

interface WsSocket {
  protocol: string;
  send(data: Buffer, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(): void;
}
interface WsModule {
  WebSocketServer: new (o: { noServer: true; perMessageDeflate: false; handleProtocols: (protocols: Set<string>) => string | false }) => WsServer;
}

let server: WsServer | undefined;
function wsServer(): WsServer {
  if (!server) {
    const ws = createRequire(import.meta.url)('ws') as WsModule;
    server = new ws.WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false });
  }
  return server;
}

/** True when the request is an exec upgrade this module answers. */
export function isExecPath(pathname: string): boolean {
  return EXEC_PATH.test(pathname);
}

/** Write an HTTP error response with a Status body on a socket that has not been upgraded. */
export function rejectUpgrade(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  const text = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status.code] ?? 'Error';
  socket.end(`HTTP/1.1 ${status.code} ${text}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** The status channel's Status for an exit code. */
export function exitStatus(command: readonly string[], exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

const frame = (channel: number, data: string | Buffer): Buffer => Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8')]);

function answer(ws: WsSocket, command: string[], out: ExecOutput, tty: boolean): void {
  ws.on('error', () => undefined);
  ws.on('message', () => undefined); // stdin and v5's close-stdin (255 0) are read and dropped: no command here reads stdin
  const stdout = tty ? out.stdout + out.stderr : out.stdout;
  if (stdout !== '') ws.send(frame(1, stdout));
  if (!tty && out.stderr !== '') ws.send(frame(2, out.stderr));
  ws.send(frame(3, JSON.stringify(exitStatus(command, out.exitCode))), () => ws.close(1000));
}

/** Handle an `upgrade` request on the exec path. */
export function handleExecUpgrade(world: NetWorld, req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
  const m = EXEC_PATH.exec(url.pathname);
  if (!m) return rejectUpgrade(socket, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  const command = url.searchParams.getAll('command');
  const plan = planPodExec(world, { namespace: decodeURIComponent(m[1]!), pod: decodeURIComponent(m[2]!), container: url.searchParams.get('container') ?? undefined, command });
  if (!plan.ok) return rejectUpgrade(socket, plan.status);
  const upgrade = String(req.headers['upgrade'] ?? '');
  if (upgrade.toLowerCase() !== 'websocket') {
    // kubectl < 1.30 (and later ones with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false) upgrade to SPDY/3.1: not modelled
    return rejectUpgrade(socket, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `this simulated API server speaks exec over WebSocket only (${EXEC_PROTOCOLS.join(', ')}), not ${upgrade || 'a plain request'}`, reason: 'BadRequest', code: 400 });
  }
  if (!offeredProtocols(req).some((p) => (EXEC_PROTOCOLS as readonly string[]).includes(p))) {
    return rejectUpgrade(socket, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `none of the offered subprotocols are supported (this server speaks ${EXEC_PROTOCOLS.join(', ')})`, reason: 'BadRequest', code: 400 });
  }
  const tty = url.searchParams.get('tty') === 'true' || url.searchParams.get('tty') === '1';
  wsServer().handleUpgrade(req, socket, head, (ws) => answer(ws, command, plan.run(), tty));
}
