/**
 * Human-facing log lines on stderr (stdout is reserved for data: tables, JSON documents).
 * Colour only on a TTY and never when NO_COLOR is set.
 */
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Only with --verbose. */
  verbose(message: string): void;
  readonly isVerbose: boolean;
  readonly color: boolean;
  style(style: Style, text: string): string;
}

export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

export function createLogger(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, verbose: boolean): Logger {
  const color = useColor(stream, env);
  const style = (s: Style, text: string): string => (color ? styleText(s, text, { validateStream: false }) : text);
  const write = (line: string): void => {
    stream.write(line.endsWith('\n') ? line : `${line}\n`);
  };
  return {
    info: (m) => write(m),
    warn: (m) => write(`${style('yellow', 'Warning:')} ${m}`),
    error: (m) => write(`${style('red', 'Error:')} ${m}`),
    verbose: (m) => {
      if (verbose) write(style('gray', m));
    },
    isVerbose: verbose,
    color,
    style,
  };
}
