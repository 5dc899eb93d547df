import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'demo'>): Promise<number> {
  throw new StepFailedError('lab demo is not implemented yet');
}
