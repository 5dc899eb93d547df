import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'doctor'>): Promise<number> {
  throw new StepFailedError('lab doctor is not implemented yet');
}
