import { commands, type CommandName, type OptionSpec } from './options.js';

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`;
    return [flag, spec.description + (spec.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

export function helpText(command?: CommandName): string {
  if (command) {
    const spec = commands[command];
    const usage = command === 'demo' ? 'lab demo [options]\n       lab demo exec [options] -- <command…>' : `lab ${command} [options]`;
    const notes = 'notes' in spec && typeof spec.notes === 'string' ? ['', spec.notes] : [];
    return [`Usage: ${usage}`, '', spec.summary, '', 'Options:', ...optionLines(spec.options), ...notes, ''].join('\n');
  }
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'Usage: lab <command> [options]',
    '',
    'The Kubernetes networking labs as code: containerlab + kind + Calico, deployed, verified, destroyed.',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    '',
    'Run `lab <command> --help` for its options. `lab --version` prints the version.',
    'Exit codes: 0 ok · 1 checks or a step failed · 2 usage or bad input · 3 missing prerequisite or failed download · 4 timeout · 130 interrupted',
    '',
  ].join('\n');
}

