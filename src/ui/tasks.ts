/**
 * listr2 set-up shared by every command: rich renderer on a TTY, plain lines when not a TTY or when CI
 * is set, silent with --json (stdout then carries only the JSON document).
 */
import { Listr, type ListrTask, type ListrBaseClassOptions } from 'listr2';

export interface RendererChoice {
  json: boolean;
  env: NodeJS.ProcessEnv;
  stream: NodeJS.WriteStream;
}

export function rendererOptions(choice: RendererChoice): Pick<ListrBaseClassOptions, 'renderer' | 'fallbackRenderer' | 'silentRendererCondition' | 'fallbackRendererCondition' | 'rendererOptions' | 'fallbackRendererOptions'> {
  const ci = choice.env['CI'] !== undefined && choice.env['CI'] !== '' && choice.env['CI'] !== 'false';
  return {
    renderer: 'default',
    fallbackRenderer: 'simple',
    silentRendererCondition: choice.json,
    fallbackRendererCondition: ci || choice.stream.isTTY !== true,
    rendererOptions: { collapseSubtasks: false, showErrorMessage: false, timer: { condition: true } as never },
    fallbackRendererOptions: { timestamp: undefined as never, timer: { condition: true } as never },
  };
}

export function createTasks<Ctx>(tasks: ListrTask<Ctx>[], choice: RendererChoice, extra: Partial<ListrBaseClassOptions<Ctx>> = {}): Listr<Ctx> {
  return new Listr<Ctx>(tasks, {
    exitOnError: true,
    registerSignalListeners: false,
    ...rendererOptions(choice),
    rendererOptions: {
      ...rendererOptions(choice).rendererOptions,
    },
    ...extra,
  } as ListrBaseClassOptions<Ctx>);
}
