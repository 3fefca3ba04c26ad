import type { Logger } from '@mailyard/mailstore-interface';
import type { ManageSieveCommand } from '../protocol/managesieve-command.js';
import {
  type ResponseCode,
  response,
  scriptListResponse,
  scriptResponse,
} from '../protocol/response.js';
import { readScriptName, readScriptText } from '../protocol/script-name.js';
import {
  type SievePutOutcome,
  SieveScriptNameError,
  quotaOutcome,
} from '../store/sieve-script-store.js';
import type { ManageSieveContext } from './managesieve-engine.js';
import type { ManageSieveScriptChange } from './managesieve-hooks.js';
import type { SieveCheckResult } from './script-checker.js';

/** The commands that work on a user's scripts, available once logged in. */
export type ScriptCommand = Extract<
  ManageSieveCommand,
  {
    name:
      | 'LISTSCRIPTS'
      | 'HAVESPACE'
      | 'PUTSCRIPT'
      | 'CHECKSCRIPT'
      | 'GETSCRIPT'
      | 'DELETESCRIPT'
      | 'RENAMESCRIPT'
      | 'SETACTIVE';
  }
>;

/** What the script commands need of the session they run in. */
export interface ScriptCommandSession {
  /** Queues an answer. */
  send(bytes: Buffer): void;
  /** Answers `NO` for a command the client got wrong, and counts it. */
  failCommand(text: string, code?: ResponseCode): void;
  /** Tells the application (the `onScriptChange` hook). */
  changed(user: string, change: ManageSieveScriptChange): Promise<void>;
  readonly logger: Logger;
}

/**
 * The script commands of RFC 5804 (2.5 to 2.12) over the store, the checker and the quota:
 * each answers through its session, and a store or checker failure is `NO (TRYLATER)`, never
 * thrown.
 */
export class ScriptCommands {
  constructor(
    private readonly context: ManageSieveContext,
    private readonly session: ScriptCommandSession,
  ) {}

  /** Runs a script command for the logged-in `user`. */
  async run(command: ScriptCommand, user: string): Promise<void> {
    switch (command.name) {
      case 'LISTSCRIPTS':
        return this.storeCall(user, async () => {
          const { scripts, active } = await this.context.options.store.list(user);
          this.session.send(
            scriptListResponse(
              scripts.map((s) => ({ name: s.name, active: s.name === active })),
              'Listscripts completed',
            ),
          );
        });
      case 'HAVESPACE':
        return this.haveSpace(user, command.script, command.size);
      case 'PUTSCRIPT':
        return this.putScript(user, command.script, command.content);
      case 'CHECKSCRIPT':
        return this.checkOnly(user, command.content);
      case 'GETSCRIPT': {
        const name = this.scriptName(command.script);
        if (name === null) return;
        return this.storeCall(user, async () => {
          const content = await this.context.options.store.get(user, name);
          if (content === null) {
            return this.session.send(response('NO', 'No such script', 'NONEXISTENT'));
          }
          this.session.send(scriptResponse(Buffer.from(content, 'utf8'), 'Getscript completed'));
        });
      }
      case 'DELETESCRIPT': {
        const name = this.scriptName(command.script);
        if (name === null) return;
        return this.storeCall(user, async () => {
          const outcome = await this.context.options.store.delete(user, name);
          if (outcome === 'nonexistent') {
            return this.session.send(response('NO', 'No such script', 'NONEXISTENT'));
          }
          if (outcome === 'active') {
            return this.session.send(
              response('NO', 'The active script cannot be deleted', 'ACTIVE'),
            );
          }
          await this.changed(user, { action: 'delete', name });
          this.session.send(response('OK', 'Deletescript completed'));
        });
      }
      case 'RENAMESCRIPT': {
        const from = this.scriptName(command.from);
        if (from === null) return;
        const to = this.scriptName(command.to);
        if (to === null) return;
        return this.storeCall(user, async () => {
          const outcome = await this.context.options.store.rename(user, from, to);
          if (outcome === 'nonexistent') {
            return this.session.send(response('NO', 'No such script', 'NONEXISTENT'));
          }
          if (outcome === 'exists') {
            return this.session.send(
              response('NO', 'A script with that name exists', 'ALREADYEXISTS'),
            );
          }
          await this.changed(user, { action: 'rename', name: to, from });
          this.session.send(response('OK', 'Renamescript completed'));
        });
      }
      case 'SETACTIVE':
        return this.setActive(user, command.script);
    }
  }

  /** A script name as RFC 5804 1.6 allows it, or null after answering `NO` for it. */
  private scriptName(bytes: Uint8Array): string | null {
    const name = readScriptName(bytes, this.context.limits.scriptName);
    if (name === null) this.session.failCommand('Invalid script name');
    return name;
  }

  private async haveSpace(user: string, script: Uint8Array, size: number): Promise<void> {
    const name = this.scriptName(script);
    if (name === null) return;
    const { limits } = this.context;
    if (size > limits.maxScriptSize) return this.quotaRefusal('too-large');
    return this.storeCall(user, async () => {
      const { scripts } = await this.context.options.store.list(user);
      const outcome = quotaOutcome(scripts, name, size, {
        maxScripts: limits.maxScripts,
        maxStorage: limits.maxStorage,
      });
      if (outcome !== 'stored') return this.quotaRefusal(outcome);
      this.session.send(response('OK', 'Putscript would succeed'));
    });
  }

  private async putScript(user: string, scriptName: Uint8Array, content: Buffer): Promise<void> {
    const name = this.scriptName(scriptName);
    if (name === null) return;
    const checked = await this.check(user, content);
    if (checked === null) return;
    const { text, warnings } = checked;
    const { limits } = this.context;
    return this.storeCall(user, async () => {
      const outcome = await this.context.options.store.put(user, name, text, {
        maxScripts: limits.maxScripts,
        maxStorage: limits.maxStorage,
      });
      if (outcome !== 'stored') return this.quotaRefusal(outcome);
      await this.changed(user, { action: 'put', name });
      this.session.send(this.checkedResponse(warnings, 'Putscript completed'));
    });
  }

  private async checkOnly(user: string, content: Buffer): Promise<void> {
    const checked = await this.check(user, content);
    if (checked === null) return;
    this.session.send(this.checkedResponse(checked.warnings, 'Script is valid'));
  }

  /** `OK (WARNINGS)` with the warnings when there are some (RFC 5804 1.3). */
  private checkedResponse(warnings: readonly string[], text: string): Buffer {
    return warnings.length > 0
      ? response('OK', warnings.join('\r\n'), 'WARNINGS')
      : response('OK', text);
  }

  /**
   * The size, the encoding and the checker's verdict on a script (PUTSCRIPT, CHECKSCRIPT);
   * null after answering `NO` for it.
   */
  private async check(
    user: string,
    content: Buffer,
  ): Promise<{ text: string; warnings: readonly string[] } | null> {
    if (content.length > this.context.limits.maxScriptSize) {
      this.quotaRefusal('too-large');
      return null;
    }
    const text = readScriptText(content);
    if (text === null) {
      this.session.send(response('NO', 'Script is not valid UTF-8'));
      return null;
    }
    const verdict = await this.runChecker(text, user);
    if (verdict === null) return null;
    if (!verdict.ok) {
      // RFC 5804 2.6: a human-readable description of the errors; a literal when multi-line.
      this.session.send(response('NO', verdict.errors.join('\r\n') || 'Script is not valid'));
      return null;
    }
    return { text, warnings: verdict.warnings };
  }

  private async runChecker(text: string, user: string): Promise<SieveCheckResult | null> {
    const checker = this.context.options.checkScript;
    if (!checker) return { ok: true, warnings: [] };
    try {
      return await checker(text, user);
    } catch (error) {
      this.session.logger.error('managesieve script checker failed', { user, error });
      this.session.send(response('NO', 'Cannot check the script now', 'TRYLATER'));
      return null;
    }
  }

  private async setActive(user: string, script: Uint8Array): Promise<void> {
    const store = this.context.options.store;
    if (script.length === 0) {
      return this.storeCall(user, async () => {
        await store.setActive(user, null);
        await this.changed(user, { action: 'deactivate' });
        this.session.send(response('OK', 'Script deactivated'));
      });
    }
    const name = this.scriptName(script);
    if (name === null) return;
    return this.storeCall(user, async () => {
      const content = await store.get(user, name);
      if (content === null)
        return this.session.send(response('NO', 'No such script', 'NONEXISTENT'));
      // The checker may have changed since the script was stored (extensions turned off): a
      // script it now refuses is not made the one every delivery runs.
      const verdict = await this.runChecker(content, user);
      if (verdict === null) return;
      if (!verdict.ok) {
        return this.session.send(
          response('NO', verdict.errors.join('\r\n') || 'Script is not valid'),
        );
      }
      const outcome = await store.setActive(user, name);
      if (outcome === 'nonexistent') {
        return this.session.send(response('NO', 'No such script', 'NONEXISTENT'));
      }
      await this.changed(user, { action: 'activate', name });
      this.session.send(this.checkedResponse(verdict.warnings, 'Setactive completed'));
    });
  }

  private quotaRefusal(outcome: Exclude<SievePutOutcome, 'stored'> | 'too-large'): void {
    switch (outcome) {
      case 'too-large':
        return this.session.send(response('NO', 'Script too large', 'QUOTA/MAXSIZE'));
      case 'too-many-scripts':
        return this.session.send(response('NO', 'Too many scripts', 'QUOTA/MAXSCRIPTS'));
      case 'over-storage':
        return this.session.send(response('NO', 'Script storage quota exceeded', 'QUOTA'));
    }
  }

  /**
   * Runs a store operation: a name the store cannot keep is the client's `NO`; any other
   * failure is ours, `NO (TRYLATER)`, and nothing changed (the store's promise).
   */
  private async storeCall(user: string, operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (error instanceof SieveScriptNameError) {
        return this.session.send(response('NO', error.message));
      }
      this.session.logger.error('managesieve script store failed', { user, error });
      this.session.send(
        response('NO', 'Script storage is unavailable; try again later', 'TRYLATER'),
      );
    }
  }

  private changed(user: string, change: ManageSieveScriptChange): Promise<void> {
    return this.session.changed(user, change);
  }
}
