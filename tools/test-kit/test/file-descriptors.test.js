import { closeSync, openSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { exhaustFileDescriptors, fileLimit, openDescriptors } from '../src/index.js';
const filled = [];
afterEach(() => {
    for (const fd of filled.splice(0))
        closeSync(fd);
});
/** Takes every free descriptor number below the highest open one, as on a busy CI machine. */
function closeTheGaps() {
    const highest = Math.max(...openDescriptors());
    for (;;) {
        const fd = openSync('/dev/null', 'r');
        filled.push(fd);
        if (fd > highest)
            return;
    }
}
describe('exhaustFileDescriptors', () => {
    it('makes open() fail with EMFILE, and gives everything back', () => {
        const before = fileLimit();
        const release = exhaustFileDescriptors();
        let code;
        try {
            openSync('/dev/null', 'r');
        }
        catch (error) {
            code = error.code;
        }
        finally {
            release();
        }
        expect(code).toBe('EMFILE');
        expect(fileLimit()).toEqual(before);
        closeSync(openSync('/dev/null', 'r'));
    });
    it('can restore the limit in a process with no free descriptor below its highest one', () => {
        closeTheGaps();
        const before = fileLimit();
        const release = exhaustFileDescriptors();
        expect(() => openSync('/dev/null', 'r')).toThrow(/EMFILE/);
        release();
        expect(fileLimit()).toEqual(before);
    });
});
//# sourceMappingURL=file-descriptors.test.js.map