import { StepFailedError } from '../errors.js';
import type { CommandContext } from './context.js';

export async function run(_ctx: CommandContext<'collect'>): Promise<number> {
  throw new StepFailedError('lab collect is not implemented yet');
}
