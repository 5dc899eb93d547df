/**
 * listr2 set-up shared by every command: rich renderer on a TTY, plain lines when not a TTY or when CI
 * is set, silent with --json. Task lines go to stderr (stdout carries only data: tables, JSON).
 */
import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput, type ListrTask, type ListrBaseClassOptions } from 'listr2';

export interface RendererChoice {
  json: boolean;
  env: NodeJS.ProcessEnv;
  stream: NodeJS.WriteStream;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false' && env['CI'] !== '0';
}

export function rendererOptions(choice: RendererChoice): Pick<ListrBaseClassOptions, 'renderer' | 'fallbackRenderer' | 'silentRendererCondition' | 'fallbackRendererCondition' | 'rendererOptions' | 'fallbackRendererOptions'> {
  const output = new ProcessOutput(choice.stream, choice.stream);
  const logger = new ListrLogger({ processOutput: output, useIcons: true });
  return {
    renderer: 'default',
    fallbackRenderer: 'simple',
    silentRendererCondition: choice.json,
    fallbackRendererCondition: isCi(choice.env) || choice.stream.isTTY !== true,
    rendererOptions: { collapseSubtasks: false, showErrorMessage: false, timer: PRESET_TIMER, logger, persistentOutput: false } as never,
    fallbackRendererOptions: { timer: PRESET_TIMER, logger } as never,
  };
}

export function createTasks<Ctx>(tasks: ListrTask<Ctx>[], choice: RendererChoice, extra: Partial<ListrBaseClassOptions<Ctx>> = {}): Listr<Ctx> {
  return new Listr<Ctx>(tasks, {
    exitOnError: true,
    registerSignalListeners: false,
    ...rendererOptions(choice),
    ...extra,
  } as ListrBaseClassOptions<Ctx>);
}
