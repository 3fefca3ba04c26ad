/** RFC 5802 saslname, also in OAUTHBEARER's GS2 header: `=2C` is a comma, `=3D` an equals sign; any other `=` is an error (null). */
export function decodeSaslName(text: string): string | null {
  if (/=(?!2C|3D)/.test(text)) return null;
  return text.replaceAll('=2C', ',').replaceAll('=3D', '=');
}
