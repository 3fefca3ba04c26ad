export declare const clamdPeer: {
  name: string;
  available: boolean;
  install: string;
};
export interface ClamdServer {
  readonly port: number;
  stop(): Promise<void>;
}
/**
 * A real clamd on a free loopback port that loads only signatures of the test's own (there is
 * no internet for signature updates, and none is needed): `signatures` maps a name to the text
 * a message must contain (clamd reports `<name>.UNOFFICIAL`). `settings` are more clamd.conf
 * lines (`StreamMaxLength 64K`). Resolves once clamd said its database is loaded; the caller
 * waits for it to answer PING (clamd binds its socket just after).
 */
export declare function startClamd(
  signatures: Readonly<Record<string, string>>,
  settings?: readonly string[],
): Promise<ClamdServer>;
