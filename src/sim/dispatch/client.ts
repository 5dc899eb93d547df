/**
 * The self-contained client the shims on PATH exec: plain CommonJS written into the world's bin dir
 * (no dependency on dist/), run with the same node. It sends argv, cwd, env and (when the command can
 * read it) stdin to the world's control server and replays the streamed stdout/stderr, then exits
 * with the tool's exit code. If this process is killed, the server sees the connection close and
 * aborts the invocation.
 *
 * Protocol: POST <LAB_SIM_URL>/run with a JSON body {tool, argv, cwd, env, stdin(base64)}; the answer
 * is newline-delimited JSON frames: {"o": base64} stdout, {"e": base64} stderr, {"x": code} exit.
 */
export const CLIENT_SCRIPT = String.raw`'use strict';
// lab simulated world: client of the fake executables (generated; do not edit).
const http = require('node:http');
const tool = process.argv[2];
const argv = process.argv.slice(3);
const url = process.env.LAB_SIM_URL;
if (!tool || !url) {
  process.stderr.write((tool || 'lab-sim') + ': the simulated world is not running (LAB_SIM_URL is not set)\n');
  process.exit(127);
}

// Reading stdin only when the command can consume it: a product that spawns with an open stdin
// pipe and never closes it must not hang the fake tool.
function wantsStdin(name, args) {
  let a = args;
  if (name === 'sudo') {
    let i = 0;
    while (i < a.length && a[i].startsWith('-')) i++;
    name = a[i] || '';
    a = a.slice(i + 1);
  }
  if (name === 'docker' && a[0] === 'load') return !a.some((x) => x === '-i' || x === '--input' || x.startsWith('--input='));
  if (name === 'containerlab' || name === 'clab') return a.some((x, i) => x === 'stdin' && (a[i - 1] === '-t' || a[i - 1] === '--topo'));
  if (name === 'calicoctl') return a.includes('-') || a.includes('--filename=-');
  return false;
}

function readStdin() {
  return new Promise((resolve) => {
    if (process.stdin.isTTY || !wantsStdin(tool, argv)) return resolve(Buffer.alloc(0));
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

// containerlab catches SIGINT/SIGTERM (it cleans up, then exits) and sudo relays them to its command:
// for these the signal is passed to the world instead of ending this process. SIGKILL still ends it.
const id = require('node:crypto').randomBytes(8).toString('hex');
if (['containerlab', 'clab', 'sudo'].includes(tool)) {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      const notice = Buffer.from(JSON.stringify({ id, signal: sig }));
      const r = http.request(url.replace(/\/$/, '') + '/signal', { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': notice.length } }, (res) => res.resume());
      r.on('error', () => undefined);
      r.end(notice);
    });
  }
}

readStdin().then((stdin) => {
  const body = Buffer.from(JSON.stringify({ id, tool, argv, cwd: process.cwd(), env: process.env, stdin: stdin.toString('base64') }));
  let exitCode;
  const req = http.request(url.replace(/\/$/, '') + '/run', {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': body.length },
  }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    const frame = (line) => {
      if (line === '') return;
      const f = JSON.parse(line);
      if (f.o !== undefined) process.stdout.write(Buffer.from(f.o, 'base64'));
      if (f.e !== undefined) process.stderr.write(Buffer.from(f.e, 'base64'));
      if (f.x !== undefined) exitCode = f.x;
    };
    res.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        frame(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    res.on('end', () => {
      frame(buf);
      if (exitCode === undefined) {
        process.stderr.write(tool + ': lost the connection to the simulated world\n');
        exitCode = 255;
      }
      process.exitCode = exitCode;
    });
  });
  req.on('error', (e) => {
    process.stderr.write(tool + ': cannot reach the simulated world at ' + url + ': ' + e.message + '\n');
    process.exitCode = 255;
  });
  req.end(body);
});
`;

/** The `#!/bin/sh` shim for one tool name: execs the client with that name. */
export function shimScript(tool: string): string {
  return `#!/bin/sh\n# lab simulated world: fake ${tool}\nexec "$LAB_SIM_NODE" "$LAB_SIM_CLIENT" ${tool} "$@"\n`;
}
