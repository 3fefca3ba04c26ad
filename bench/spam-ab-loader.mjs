// `node --import ./spam-ab-loader.mjs`: registers spam-ab-hooks.mjs (see there) in this thread;
// worker threads inherit the flag and register it in theirs.
import { register } from 'node:module';

register('./spam-ab-hooks.mjs', import.meta.url);
