import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'snapshot'>): Promise<number> {
  throw new StepFailedError('lab snapshot is not implemented yet');
}
