import { describe, expect, it } from 'vitest';
import { closest, editDistance, parseCli } from '../../../src/cli/options.js';
import { UsageError } from '../../../src/errors.js';

function usageOf(argv: string[]): UsageError {
  try {
    parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseCli(${argv.join(' ')}) did not throw`);
}

describe('unknown flags suggest the closest one', () => {
  // argv → the message and the `Try:` line a user sees.
  const table: [string[], string, string][] = [
    [['deploy', '--topolgy', 'x'], "deploy: unknown option '--topolgy'", 'did you mean `--topology`? (see `lab deploy --help` for its options)'],
    [['deploy', '--topolgy=x'], "deploy: unknown option '--topolgy'", 'did you mean `--topology`? (see `lab deploy --help` for its options)'],
    [['deploy', '--prelaod'], "deploy: unknown option '--prelaod'", 'did you mean `--preload`? (see `lab deploy --help` for its options)'],
    [['deploy', '--calico-verison', 'v3.30.0'], "deploy: unknown option '--calico-verison'", 'did you mean `--calico-version`? (see `lab deploy --help` for its options)'],
    [['destroy', '--yse'], "destroy: unknown option '--yse'", 'did you mean `--yes`? (see `lab destroy --help` for its options)'],
    [['verify', '--chek', 'nodes'], "verify: unknown option '--chek'", 'did you mean `--check`? (see `lab verify --help` for its options)'],
    [['status', '--preload'], "status: unknown option '--preload'", '--preload is an option of `lab deploy`, not of `lab status` (see `lab status --help` for its options)'],
    [['status', '--output', 'x'], "status: unknown option '--output'", '--output is an option of `lab snapshot`, `lab collect`, not of `lab status` (see `lab status --help` for its options)'],
    [['deploy', '--frobnicate'], "deploy: unknown option '--frobnicate'", 'see `lab deploy --help` for its options'],
    [['deploy', '-x'], "deploy: unknown option '-x'", 'see `lab deploy --help` for its options'],
  ];
  it.each(table)('%j', (argv, message, hint) => {
    const e = usageOf(argv);
    expect(e.message).toBe(message);
    expect(e.hint).toBe(hint);
    expect(e.exitCode).toBe(2);
  });

  it('unknown commands use the same closeness', () => {
    expect(usageOf(['deplyo']).hint).toMatch(/^did you mean `lab deploy`\?/);
    expect(usageOf(['stauts']).hint).toMatch(/^did you mean `lab status`\?/);
    expect(usageOf(['imgaes']).hint).toMatch(/^did you mean `lab images`\?/);
    expect(usageOf(['bogus']).hint).toMatch(/^commands: deploy, /);
  });

  it('a known flag still parses', () => {
    expect(parseCli(['deploy', '--topology', 'x'])).toMatchObject({ kind: 'command', command: 'deploy', options: { topology: 'x' } });
  });
});

describe('editDistance / closest', () => {
  it.each([
    ['topolgy', 'topology', 1],
    ['prelaod', 'preload', 1],
    ['json', 'json', 0],
    ['', 'abc', 3],
    ['yes', 'verbose', 5],
  ] as const)('%s → %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('refuses far-away words', () => {
    expect(closest('xyz', ['yes', 'json'])).toBeUndefined();
    expect(closest('jsno', ['json', 'junit'])).toBe('json');
  });
});
