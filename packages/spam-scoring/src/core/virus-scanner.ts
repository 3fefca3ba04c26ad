/** What an antivirus says about a message. */
export type ScanResult =
  { readonly infected: false } | { readonly infected: true; readonly signature: string };

/**
 * An antivirus engine, as Kerio's external antivirus plug-in: given a message, is it infected?
 * Rejects when the scan could not be made (engine down, a size limit, a timeout): Kerio's
 * "part cannot be scanned", which the application handles by its own setting.
 */
export interface VirusScanner {
  scan(message: Uint8Array): Promise<ScanResult>;
}
