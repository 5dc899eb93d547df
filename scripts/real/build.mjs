#!/usr/bin/env node
/**
 * `npm run real:build`: builds the real components of the real world (issue 11) from pinned Go module
 * versions into `${XDG_CACHE_HOME:-~/.cache}/lab/real/<component>-<version>/bin/`, and writes
 * `${cache}/lab/real/manifest.json` (component → version → binary paths + sha256) for the real-world
 * harness. Maintainer script: runs with zx (`zx scripts/real/build.mjs`) or plain node.
 *
 *   zx scripts/real/build.mjs [--only <component>]... [--all] [--offline] [--clean] [--list]
 *
 *   --only c    build only component c (kind, containerlab, kubernetes, etcd, kwok, calico, or a binary
 *               name such as kube-apiserver or calicoctl); may repeat
 *   --all       also the 'next' set (operator v1.40.3, Calico v3.31.x) besides the base set
 *   --offline   GOPROXY=off: rebuild from a warm module cache only, never ask the proxy
 *   --clean     remove the cache (only the --only components when given) and exit
 *   --list      print the components and whether each is built, then exit
 *
 * Idempotent: a component whose binaries exist and whose recorded recipe hash (go.mod, go.sum,
 * packages, ldflags, env, Go version) matches is skipped. Each build's wall time (and peak memory,
 * with GNU time) is logged and recorded. Always GOTOOLCHAIN=local (a module that wants a newer Go
 * fails loudly) and CGO_ENABLED=0. Exit: 0 all requested components built or skipped as missing
 * upstream, 1 a build failed, 2 bad options.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { COMPONENTS } from './components.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const cacheRoot = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lab', 'real');

const running = new Set();
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    for (const child of running) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    console.error(`real:build: ${signal}, stopped`);
    process.exit(code);
  });
}

/** Runs a command, appending its output to a log file; resolves to { code, seconds, maxRssKb }. */
function run(cmd, args, { cwd, env, log }) {
  return new Promise((done) => {
    const timed = existsSync('/usr/bin/time');
    const timeFile = `${log}.time`;
    const argv = timed ? ['-f', '%e %M', '-o', timeFile, 'nice', '-n', '10', cmd, ...args] : [cmd, ...args];
    const start = Date.now();
    {
      const fd = openSync(log, 'a');
      // Its own process group, so an interrupt or `timeout` stops the whole go build, not just us.
      const child = spawn(timed ? '/usr/bin/time' : cmd, timed ? argv : args, { cwd, env, stdio: ['ignore', fd, fd], detached: true });
      running.add(child);
      child.on('exit', () => running.delete(child));
      child.on('error', (e) => {
        closeSync(fd);
        done({ code: 127, seconds: 0, error: e.message });
      });
      child.on('close', async (code) => {
        closeSync(fd);
        const seconds = (Date.now() - start) / 1000;
        let maxRssKb;
        if (timed) {
          const t = await readFile(timeFile, 'utf8').catch(() => '');
          const m = /(\S+) (\d+)\s*$/.exec(t.trim());
          if (m) maxRssKb = Number(m[2]);
          await rm(timeFile, { force: true });
        }
        done({ code: code ?? 1, seconds, maxRssKb });
      });
    }
  });
}

function capture(cmd, args, env = process.env) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', () => done({ code: 127, out: '' }));
    child.on('close', (code) => done({ code: code ?? 1, out }));
  });
}

const sha256 = async (file) => createHash('sha256').update(await readFile(file)).digest('hex');
const dirName = (c) => `${c.name}-${c.version}`;

function goEnv(c, offline) {
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -trimpath -buildvcs=false' };
  if (offline) env.GOPROXY = 'off';
  return { ...env, ...(c.env ?? {}) };
}

/** The recipe hash: everything that decides the bytes of the binaries. */
async function recipeHash(c, goVersion) {
  const h = createHash('sha256');
  h.update(JSON.stringify({ name: c.name, version: c.version, binaries: c.binaries, env: c.env ?? {}, goVersion }));
  for (const f of ['go.mod', 'go.sum']) h.update(await readFile(join(here, 'go', c.recipe, f)));
  return h.digest('hex');
}

async function readRecord(dir) {
  try {
    return JSON.parse(await readFile(join(dir, 'recipe.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

async function buildGo(c, { offline, goVersion, log }) {
  const dir = join(cacheRoot(), dirName(c));
  const hash = await recipeHash(c, goVersion);
  const old = await readRecord(dir);
  const present = c.binaries.every((b) => existsSync(join(dir, 'bin', b.out)));
  if (old?.recipeHash === hash && old.status === 'ok' && present) return { status: 'skipped', dir };
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(log, `# ${c.name} ${c.version} (${new Date().toISOString()}, ${goVersion})\n`);
  const env = goEnv(c, offline);
  const steps = [];
  for (const b of c.binaries) {
    const tmp = join(dir, 'bin', `.${b.out}.tmp`);
    const ldflags = ['-s', '-w', ...b.ldflags].join(' ');
    const r = await run('go', ['build', '-ldflags', ldflags, '-o', tmp, b.pkg], { cwd: join(here, 'go', c.recipe), env, log });
    steps.push({ binary: b.out, seconds: r.seconds, maxRssKb: r.maxRssKb, code: r.code });
    console.log(`  ${b.out}: ${r.code === 0 ? 'built' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(1)} s` +
      (r.maxRssKb ? `, peak ${(r.maxRssKb / 1024).toFixed(0)} MiB` : ''));
    if (r.code !== 0) {
      await rm(tmp, { force: true });
      await writeRecord(dir, { ...record(c, hash, goVersion, steps), status: 'failed', log });
      return { status: 'failed', dir };
    }
    await rename(tmp, join(dir, 'bin', b.out));
    for (const link of b.links ?? []) {
      await rm(join(dir, 'bin', link), { force: true });
      await symlink(b.out, join(dir, 'bin', link));
    }
  }
  await writeRecord(dir, { ...record(c, hash, goVersion, steps), status: 'ok', log, sha256: await binSums(dir) });
  return { status: 'built', dir };
}

const record = (c, recipeHash, goVersion, steps) => ({
  name: c.name,
  version: c.version,
  recipe: c.recipe ? `scripts/real/go/${c.recipe}` : undefined,
  recipeHash,
  goVersion,
  builtAt: new Date().toISOString(),
  steps,
});
const writeRecord = (dir, rec) => writeFile(join(dir, 'recipe.json'), `${JSON.stringify(rec, null, 2)}\n`);

async function debVersion(pkg) {
  const r = await capture('dpkg-query', ['-W', '-f=${Status} ${Version}', pkg]);
  const m = /install ok installed (\S+)/.exec(r.out);
  return m ? m[1] : undefined;
}

async function buildApt(c, { log }) {
  let version = await debVersion(c.package);
  if (!version) {
    console.log(`  apt-get install ${c.package}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await writeFile(log, `# apt-get install ${c.package}\n`);
    let r = await run('apt-get', ['install', '-y', '-q', c.package], { env, log });
    if (r.code !== 0) {
      await run('apt-get', ['update', '-q'], { env, log });
      r = await run('apt-get', ['install', '-y', '-q', c.package], { env, log });
    }
    version = await debVersion(c.package);
    if (!version) return { status: 'failed', version: 'unknown' };
  }
  const comp = { ...c, version };
  const dir = join(cacheRoot(), dirName(comp));
  const old = await readRecord(dir);
  const present = c.binaries.every((b) => existsSync(join(dir, 'bin', b.out)));
  if (old?.recipeHash === `deb:${c.package}=${version}` && present) return { status: 'skipped', dir, version };
  await mkdir(join(dir, 'bin'), { recursive: true });
  for (const b of c.binaries) {
    await copyFile(b.from, join(dir, 'bin', b.out));
    await chmod(join(dir, 'bin', b.out), 0o755);
  }
  await writeRecord(dir, { name: c.name, version, debian: `${c.package}=${version}`, recipeHash: `deb:${c.package}=${version}`, status: 'ok', builtAt: new Date().toISOString(), sha256: await binSums(dir) });
  return { status: 'built', dir, version };
}

/** sha256 of every binary in <dir>/bin (recorded once, at build time). */
async function binSums(dir) {
  const sums = {};
  for (const f of await readdir(join(dir, 'bin'))) if (!f.startsWith('.')) sums[f] = await sha256(join(dir, 'bin', f));
  return sums;
}

/** manifest.json from what the cache holds now (so an --only run keeps the others). */
async function writeManifest(goVersion) {
  const root = cacheRoot();
  const components = {};
  const entries = existsSync(root) ? await readdir(root, { withFileTypes: true }) : [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const rec = await readRecord(join(root, e.name));
    if (!rec) continue;
    const binaries = {};
    if (rec.status === 'ok' && rec.sha256 === undefined) {
      rec.sha256 = await binSums(join(root, e.name)); // a record from before sums were kept
      await writeRecord(join(root, e.name), rec);
    }
    if (rec.status === 'ok') {
      for (const f of await readdir(join(root, e.name, 'bin'))) {
        if (f.startsWith('.')) continue;
        const p = join(root, e.name, 'bin', f);
        binaries[f] = { path: p, sha256: rec.sha256?.[f] ?? (await sha256(p)) };
      }
    }
    (components[rec.name] ??= {})[rec.version] = {
      status: rec.status,
      dir: join(root, e.name),
      ...(rec.debian ? { debian: rec.debian } : {}),
      ...(rec.recipe ? { recipe: rec.recipe } : {}),
      binaries,
      ...(rec.status !== 'ok' ? { log: rec.log } : {}),
    };
  }
  for (const c of COMPONENTS.filter((x) => x.kind === 'missing')) {
    (components[c.name] ??= {})[c.version] ??= { status: 'missing', reason: c.reason, binaries: {} };
  }
  const manifest = { schema: 1, goVersion, writtenAt: new Date().toISOString(), cache: root, components };
  await mkdir(root, { recursive: true });
  const file = join(root, 'manifest.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}

function select(only, all) {
  const inSet = COMPONENTS.filter((c) => all || c.set === 'base');
  if (only.length === 0) return inSet;
  const unknown = only.filter((o) => !COMPONENTS.some((c) => c.name === o || c.binaries?.some((b) => b.out === o)));
  if (unknown.length) throw new UsageError(`unknown component ${unknown.join(', ')}; known: ${[...new Set(COMPONENTS.map((c) => c.name))].join(', ')}`);
  return inSet.filter((c) => only.includes(c.name) || c.binaries?.some((b) => only.includes(b.out)));
}

class UsageError extends Error {}

async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string', multiple: true, default: [] },
      all: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
      clean: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
  });
  const chosen = select(values.only, values.all);
  const root = cacheRoot();
  if (values.clean) {
    if (values.only.length === 0) await rm(root, { recursive: true, force: true });
    else {
      const dirs = existsSync(root) ? await readdir(root) : [];
      for (const c of chosen.filter((x) => x.kind !== 'missing')) {
        // a Debian package's directory carries its installed version: every <name>-* of it
        const mine = c.version ? [dirName(c)] : dirs.filter((d) => d.startsWith(`${c.name}-`));
        for (const d of mine) await rm(join(root, d), { recursive: true, force: true });
      }
    }
    console.log(`cleaned ${values.only.length ? chosen.map(dirName).join(', ') : root}`);
    if (values.only.length) await writeManifest((await capture('go', ['env', 'GOVERSION'])).out.trim());
    return 0;
  }
  const gv = await capture('go', ['env', 'GOVERSION'], { ...process.env, GOTOOLCHAIN: 'local' });
  const goVersion = gv.code === 0 ? gv.out.trim() : undefined;
  if (values.list) {
    for (const c of chosen) {
      const rec = c.version ? await readRecord(join(root, dirName(c))) : undefined;
      console.log(`${c.name} ${c.version ?? `(Debian ${c.package})`}: ${c.kind === 'missing' ? `missing — ${c.reason}` : (rec?.status ?? 'not built')}`);
    }
    return 0;
  }
  console.log(`real components → ${root} (${goVersion ?? 'no Go toolchain'}${values.offline ? ', GOPROXY=off' : ''})`);
  await mkdir(join(root, 'logs'), { recursive: true });
  let failed = 0;
  const total = Date.now();
  for (const c of chosen) {
    if (c.kind === 'missing') {
      console.log(`${c.name} ${c.version}: MISSING — ${c.reason}`);
      continue;
    }
    const log = join(root, 'logs', `${c.name}-${c.version ?? c.package}.log`);
    if (c.kind === 'go' && !goVersion) {
      console.log(`${c.name} ${c.version}: FAILED — no Go toolchain (go env GOVERSION failed)`);
      failed++;
      continue;
    }
    console.log(`${c.name} ${c.version ?? `(Debian ${c.package})`}:`);
    const t = Date.now();
    const r = c.kind === 'apt' ? await buildApt(c, { log }) : await buildGo(c, { offline: values.offline, goVersion, log });
    const secs = ((Date.now() - t) / 1000).toFixed(1);
    const what = r.status === 'skipped' ? 'up to date (recipe hash matches)' : r.status === 'built' ? `built in ${secs} s` : `FAILED after ${secs} s, log ${log}`;
    console.log(`  ${c.name} ${r.version ?? c.version}: ${what}`);
    if (r.status === 'failed') failed++;
    await writeManifest(goVersion); // after each one: a long run's finished parts are usable at once
  }
  const file = await writeManifest(goVersion);
  console.log(`total ${((Date.now() - total) / 1000).toFixed(1)} s; manifest ${file}`);
  return failed ? 1 : 0;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url) || process.argv.some((a) => a.endsWith('scripts/real/build.mjs'))) {
  const self = process.argv.findIndex((a) => a.endsWith('build.mjs'));
  main(process.argv.slice(self + 1)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`Error: ${e.message}`);
      process.exit(e instanceof UsageError || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
    },
  );
}
