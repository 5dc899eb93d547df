/**
 * The world's control server: HTTP on 127.0.0.1. The client script posts one invocation per request;
 * the registered ToolHandler runs in the world's process and its output is streamed back as frames.
 * A connection closed before the exit frame (client killed) aborts the invocation's signal.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ToolHandler, ToolInvocation } from '../context.js';

export interface InvocationRecord {
  tool: string;
  argv: string[];
  cwd: string;
  exitCode?: number;
}

export interface Dispatcher {
  url: string;
  registerTool(name: string, handler: ToolHandler): void;
  /** Run a registered tool in-process (used by sudo and by tools that call other tools). */
  invoke(name: string, invocation: ToolInvocation): Promise<number>;
  has(name: string): boolean;
  /** Every invocation received, in order (for tests and diagnostics). */
  readonly history: InvocationRecord[];
  close(): Promise<void>;
}

interface Request {
  /** Set by clients that catch signals: POST /signal {id, signal} names this invocation. */
  id?: string;
  tool: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startDispatcher(worldSignal: AbortSignal): Promise<Dispatcher> {
  const tools = new Map<string, ToolHandler>();
  const history: InvocationRecord[] = [];
  const live = new Map<string, (signal: 'SIGINT' | 'SIGTERM') => void>();
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/signal') {
      void readBody(req).then((b) => {
        try {
          const { id, signal } = JSON.parse(b.toString('utf8')) as { id?: string; signal?: string };
          if (id !== undefined && (signal === 'SIGINT' || signal === 'SIGTERM')) live.get(id)?.(signal);
        } catch {
          // ignore a malformed notice
        }
        res.writeHead(204).end();
      });
      return;
    }
    if (req.method !== 'POST' || req.url !== '/run') {
      res.writeHead(404).end();
      return;
    }
    void (async () => {
      let body: Request;
      try {
        body = JSON.parse((await readBody(req)).toString('utf8')) as Request;
      } catch {
        res.writeHead(400).end();
        return;
      }
      const record: InvocationRecord = { tool: body.tool, argv: body.argv, cwd: body.cwd };
      history.push(record);
      const controller = new AbortController();
      let done = false;
      const onWorldStop = (): void => controller.abort(new Error('the simulated world stopped'));
      worldSignal.addEventListener('abort', onWorldStop, { once: true });
      res.on('close', () => {
        if (!done) controller.abort(new Error('the calling process went away'));
      });
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const frame = (f: Record<string, unknown>): void => {
        if (!res.destroyed && !res.writableEnded) res.write(`${JSON.stringify(f)}\n`);
      };
      const handlers: ((signal: 'SIGINT' | 'SIGTERM') => void)[] = [];
      if (body.id !== undefined) {
        live.set(body.id, (signal) => {
          // default disposition of SIGINT/SIGTERM: the program ends
          if (handlers.length === 0) controller.abort(new Error(`killed by ${signal}`));
          else for (const h of handlers) h(signal);
        });
      }
      const invocation: ToolInvocation = {
        argv: body.argv,
        cwd: body.cwd,
        env: body.env,
        stdin: Buffer.from(body.stdin ?? '', 'base64'),
        signal: controller.signal,
        onSignal: (handler) => void handlers.push(handler),
        out: (chunk) => frame({ o: Buffer.from(chunk).toString('base64') }),
        err: (chunk) => frame({ e: Buffer.from(chunk).toString('base64') }),
      };
      let code: number;
      try {
        code = await dispatch(body.tool, invocation);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        invocation.err(controller.signal.aborted ? '' : `${body.tool}: simulated world internal error: ${message}\n`);
        code = controller.signal.aborted ? 130 : 70;
      }
      done = true;
      if (body.id !== undefined) live.delete(body.id);
      record.exitCode = code;
      worldSignal.removeEventListener('abort', onWorldStop);
      frame({ x: code });
      res.end();
    })();
  });
  const dispatch = async (name: string, invocation: ToolInvocation): Promise<number> => {
    const handler = tools.get(name);
    if (!handler) {
      invocation.err(`${name}: command not found in the simulated world\n`);
      return 127;
    }
    return handler(invocation);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    registerTool: (name, handler) => void tools.set(name, handler),
    invoke: dispatch,
    has: (name) => tools.has(name),
    history,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
