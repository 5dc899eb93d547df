import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'deploy'>): Promise<number> {
  throw new StepFailedError('lab deploy is not implemented yet');
}
