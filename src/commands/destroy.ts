import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'destroy'>): Promise<number> {
  throw new StepFailedError('lab destroy is not implemented yet');
}
