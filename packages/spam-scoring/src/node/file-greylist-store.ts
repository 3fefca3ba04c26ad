import { readFile } from 'node:fs/promises';
import { type GreylistOptions, GreylistPolicy, type GreylistState } from '../core/greylist.js';
import { writeAtomically } from './atomic-file.js';

const FORMAT = 'mailyard-greylist';

/** The greylist file is not one this store wrote, or is damaged. */
export class GreylistStoreError extends Error {
  override readonly name = 'GreylistStoreError';
}

/**
 * Greylisting's state in a JSON file, so that a restart does not defer every sender again. A
 * missing file (ENOENT, and only that) starts empty; any other error fails the load.
 */
export async function loadGreylist(
  path: string,
  options: GreylistOptions = {},
): Promise<GreylistPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new GreylistPolicy(options);
    throw error;
  }
  let file: { format?: string; state?: GreylistState };
  try {
    file = JSON.parse(text) as typeof file;
  } catch (error) {
    throw new GreylistStoreError(`${path} is not a greylist file: ${(error as Error).message}`);
  }
  if (
    file?.format !== FORMAT ||
    !Array.isArray(file.state?.triplets) ||
    !Array.isArray(file.state?.clients)
  )
    throw new GreylistStoreError(`${path} is not a greylist file of format ${FORMAT}`);
  return GreylistPolicy.from(file.state, options);
}

/** Writes the policy's state atomically. */
export async function saveGreylist(path: string, policy: GreylistPolicy): Promise<void> {
  await writeAtomically(path, JSON.stringify({ format: FORMAT, state: policy.state() }));
}
