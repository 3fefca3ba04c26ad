import { DovecotSandbox, appendCommands } from '@mailyard/test-kit';
import { COMPARISON_MESSAGES } from './interop/dovecot-fixtures.js';
const d = new DovecotSandbox();
try {
  await d.run(appendCommands(COMPARISON_MESSAGES));
  const { output } = await d.run(process.argv[2]!.replace(/\\n/g, '\r\n'));
  process.stdout.write(output.toString('latin1'));
} finally {
  d.close();
}
