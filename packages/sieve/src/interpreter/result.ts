import type { ExtensionRegistry } from '../compiler/registry.js';
import type { SieveAction } from './actions.js';
import type { RuntimeLimits } from './limits.js';

/**
 * The actions a run (or several runs appended to one another, as Dovecot's multiscript does)
 * has collected, with RFC 5228's rules applied as they come in: an action that repeats an
 * earlier one is dropped (section 2.10.3), one that cannot stand beside an earlier one is an
 * error (section 2.10.4, RFC 5429 section 2.2), and the implicit keep is cancelled by the
 * actions that say so (section 2.10.2).
 */
export class SieveResult {
  private readonly list: SieveAction[] = [];
  private cancelled = false;
  private redirects = 0;

  /** The actions in the order they were taken, without the implicit keep. */
  get actions(): readonly SieveAction[] {
    return this.list;
  }

  /** Whether the implicit keep is still in force. */
  get implicitKeep(): boolean {
    return !this.cancelled;
  }

  /**
   * Adds an action. Returns an error message when it conflicts with an earlier one or a budget
   * is exceeded (the action is then not added).
   */
  add(action: SieveAction, registry: ExtensionRegistry, limits: RuntimeLimits): string | undefined {
    const definition = registry.action(action.type);
    for (const earlier of this.list) {
      const conflict =
        definition?.conflicts?.(action, earlier) ??
        registry.action(earlier.type)?.conflicts?.(earlier, action);
      if (conflict) return conflict;
    }
    for (const earlier of this.list) {
      if (definition?.duplicates?.(action, earlier)) {
        if (definition.cancelsImplicitKeep(action)) this.cancelled = true;
        return undefined;
      }
    }
    if (this.list.length >= limits.maxActions) {
      return `total number of actions exceeds the limit of ${limits.maxActions}`;
    }
    if (action.type === 'redirect') {
      if (this.redirects >= limits.maxRedirects)
        return `number of redirect actions exceeds the limit of ${limits.maxRedirects}`;
      this.redirects++;
    }
    this.list.push(action);
    if (definition?.cancelsImplicitKeep(action) ?? true) this.cancelled = true;
    return undefined;
  }

  /** Empties the result: no action, implicit keep in force (the testsuite's `test_result_reset`). */
  clear(): void {
    this.list.length = 0;
    this.cancelled = false;
    this.redirects = 0;
  }
}
