import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'verify'>): Promise<number> {
  throw new StepFailedError('lab verify is not implemented yet');
}
