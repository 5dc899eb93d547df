import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'status'>): Promise<number> {
  throw new StepFailedError('lab status is not implemented yet');
}
