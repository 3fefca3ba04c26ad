/**
 * Rule patterns RE2 cannot run as written that an equivalent pattern it can run replaces, keyed
 * by the rule's exact source in its file (before ReplaceTags), so that a changed rule falls back
 * to "does not run". Each replacement matches where the original does (the same texts); each is
 * checked against Perl on generated texts in test/rewritten-patterns.test.ts.
 */
export const REWRITTEN_PATTERNS: ReadonlyMap<string, string> = new Map([
  [
    // __LOTSA_MONEY_01 (under LOTS_OF_MONEY, MONEY_FORM_SHORT, ADVANCE_FEE_*_NEW_MONEY): a
    // lookbehind at the end, `[\dOo](?<!\.00)`, with lookaheads inside <NUM_NOT_DATE_IP>, so
    // the pattern runs neither forwards nor backwards. The amount's run has at least 6
    // characters, so the lookbehind reads only the run's last three: written out as the three
    // ways not to end in ".00" (last not 0; last 0 and the one before not 0; "00" after other
    // than a dot).
    '/(?:(?i:sum\\sof\\s)[\\(\\[]?|<CURRENCY>\\s?)[\\s\\.]?<NUM_NOT_DATE_IP>[\\d.,\\sOo]{5,20}[\\dOo](?<!\\.00)\\b/',
    '/(?:(?i:sum\\sof\\s)[\\(\\[]?|<CURRENCY>\\s?)[\\s\\.]?<NUM_NOT_DATE_IP>(?:[\\d.,\\sOo]{5,20}[1-9Oo]|[\\d.,\\sOo]{4,19}[1-9.,\\sOo]0|[\\d.,\\sOo]{3,18}[\\d,\\sOo]00)\\b/',
  ],
  [
    // __FILL_THIS_FORM_PARTIAL_RAW (counted by __FILL_THIS_FORM, under ADVANCE_FEE_*_NEW_MONEY
    // and FORM_FRAUD_*): an atomic group at the line start, `(?>\s{0,50})`, takes every space
    // there up to 50 and gives none back. The same as 50 spaces, or fewer with no space after.
    '/^(?>\\s{0,50})<FF_LNNO>?<FF_YOUR>(?:<FF_ALL><ANDOR>?){1,3}<FF_SUFFIX>(?:<FF_BLANK1>|(?:[-=_.,:;*\\s]|=20|&nbsp;|<\\/\\w+>){0,4}$)/im',
    '/^(?:\\s{50}|\\s{0,49}(?!\\s))<FF_LNNO>?<FF_YOUR>(?:<FF_ALL><ANDOR>?){1,3}<FF_SUFFIX>(?:<FF_BLANK1>|(?:[-=_.,:;*\\s]|=20|&nbsp;|<\\/\\w+>){0,4}$)/im',
  ],
]);
