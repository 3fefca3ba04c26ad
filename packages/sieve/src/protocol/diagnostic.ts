/** Where something is in a script: 1-based line and column (columns count UTF-16 code units). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * One problem found in a script. Compilation collects every one it can find (the parser recovers
 * after an error and goes on) rather than stopping at the first, so a user fixes a script in one
 * round trip.
 */
export interface SieveDiagnostic extends SourcePosition {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/**
 * A diagnostic as one line of text: `name: line 3, column 7: error: unknown command 'frob'`
 * (without `name: ` when no name is given), the form ManageSieve replies and the runner's stderr
 * use.
 */
export function formatSieveDiagnostic(diagnostic: SieveDiagnostic, name?: string): string {
  const prefix = name === undefined ? '' : `${name}: `;
  return `${prefix}line ${diagnostic.line}, column ${diagnostic.column}: ${diagnostic.severity}: ${diagnostic.message}`;
}

/** Collects diagnostics up to a cap, so that a hostile script cannot fill memory with errors. */
export class DiagnosticSink {
  readonly diagnostics: SieveDiagnostic[] = [];
  private errorCount = 0;
  private capped = false;

  constructor(private readonly maxErrors: number) {}

  error(position: SourcePosition, message: string): void {
    if (this.capped) return;
    if (this.errorCount >= this.maxErrors) {
      this.capped = true;
      this.diagnostics.push({
        severity: 'error',
        line: position.line,
        column: position.column,
        message: `too many errors (more than ${this.maxErrors}); the rest of the script is not checked`,
      });
      this.errorCount++;
      return;
    }
    this.errorCount++;
    this.diagnostics.push({
      severity: 'error',
      line: position.line,
      column: position.column,
      message,
    });
  }

  warning(position: SourcePosition, message: string): void {
    if (this.capped) return;
    this.diagnostics.push({
      severity: 'warning',
      line: position.line,
      column: position.column,
      message,
    });
  }

  get errors(): number {
    return this.errorCount;
  }

  /** Whether the cap was reached: nothing more is worth checking. */
  get full(): boolean {
    return this.capped;
  }
}
