import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'images'>): Promise<number> {
  throw new StepFailedError('lab images is not implemented yet');
}
