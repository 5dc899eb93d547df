import type { CommandName, OptionsOf } from '../cli/options.js';
import type { Logger } from '../ui/log.js';

/** What every command gets from the entry point. Commands return an exit code (0 or 1) or throw a LabError. */
export interface CommandContext<C extends CommandName = CommandName> {
  options: OptionsOf<C>;
  positionals: string[];
  /** Aborted on Ctrl-C / SIGTERM; its `reason` is an InterruptedError. Pass it to every wait and child process. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  log: Logger;
}

export type CommandModule<C extends CommandName = CommandName> = {
  run(ctx: CommandContext<C>): Promise<number | void>;
};
