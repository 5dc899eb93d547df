#!/usr/bin/env node
/**
 * The one entry point: parses argv, loads only the command that runs, and owns error printing and exit
 * codes. Nothing else in `src/` prints errors or calls process.exit.
 */
import { readFileSync } from 'node:fs';
import { parseCli, type CommandName } from './cli/options.js';
import { helpText } from './cli/help.js';
import { ExitCode, InterruptedError, LabError, errorMessage } from './errors.js';
import { killGracefulChildren } from './tools/children.js';
import { createLogger } from './ui/log.js';
import type { CommandContext, CommandModule } from './commands/context.js';

const loaders: Record<CommandName, () => Promise<CommandModule<never>>> = {
  deploy: () => import('./commands/deploy.js'),
  destroy: () => import('./commands/destroy.js'),
  status: () => import('./commands/status.js'),
  verify: () => import('./commands/verify.js'),
  snapshot: () => import('./commands/snapshot.js'),
  doctor: () => import('./commands/doctor.js'),
  collect: () => import('./commands/collect.js'),
  images: () => import('./commands/images.js'),
  lessons: () => import('./commands/lessons.js'),
  demo: () => import('./commands/demo.js'),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function printError(error: unknown, verbose: boolean, log: ReturnType<typeof createLogger>): number {
  if (error instanceof LabError) {
    log.error(error.message);
    for (const line of error.details) log.info(`  ${line}`);
    if (error.hint) log.info(`${log.style('cyan', 'Try:')} ${error.hint}`);
    let cause: unknown = error.cause;
    for (let depth = 0; cause !== undefined && depth < 5; depth++) {
      log.info(`${log.style('gray', 'Caused by:')} ${errorMessage(cause)}`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (verbose && error.stack) log.info(log.style('gray', error.stack));
    return error.exitCode;
  }
  log.error(`internal error: ${errorMessage(error)}`);
  log.info('This is a bug in lab, not in your setup: please report it with the output of the same command run with --verbose.');
  if (error instanceof Error && error.stack) log.info(log.style('gray', error.stack));
  return 70;
}

export async function main(argv: string[]): Promise<number> {
  const env = process.env;
  const verboseFlag = argv.includes('--verbose') || argv.includes('-v');
  const log = createLogger(process.stderr, env, verboseFlag);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) {
      // Children still cleaning up after the first interrupt (containerlab) are killed now; say what that leaves.
      const left = killGracefulChildren();
      process.stderr.write(`\nInterrupted again: exiting now.${left.map((l) => `\n  ${l}`).join('')}\n`);
      process.exit(ExitCode.interrupted);
    }
    controller.abort(new InterruptedError(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let json = false;
  try {
    const parsed = parseCli(argv);
    if (parsed.kind === 'help') {
      process.stdout.write(helpText(parsed.command));
      return ExitCode.ok;
    }
    if (parsed.kind === 'version') {
      process.stdout.write(`${version()}\n`);
      return ExitCode.ok;
    }
    json = parsed.options['json'] === true;
    const module = await loaders[parsed.command]();
    const ctx: CommandContext = {
      options: parsed.options as never,
      positionals: parsed.positionals,
      signal: controller.signal,
      env,
      cwd: process.cwd(),
      stdout: process.stdout,
      stderr: process.stderr,
      log,
    };
    const code = await (module as CommandModule).run(ctx);
    return code ?? ExitCode.ok;
  } catch (error) {
    const reason = controller.signal.aborted && !(error instanceof LabError) ? controller.signal.reason : error;
    const code = printError(reason, verboseFlag, log);
    if (json) {
      const e = reason instanceof LabError ? reason : undefined;
      process.stdout.write(
        `${JSON.stringify({ ok: false, exitCode: code, error: { type: e?.name ?? 'InternalError', message: errorMessage(reason), hint: e?.hint, details: e?.details ?? [] } }, null, 2)}\n`,
      );
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// A reader that stops early (`lab images | head -3`) closes the pipe: stop quietly, as Unix tools do,
// instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  throw error;
});
const code = await main(process.argv.slice(2));
process.exitCode = code;
