/**
 * Conditions every match of a costly pattern implies, for patterns re2js must run (unbounded
 * repeats) and whose required literals are too common or none: a text failing its condition is
 * skipped without the full regex. Keyed by the exact Perl source with its flags as an inline
 * group before it (`/x/i` is `(?i)x`), so a changed rule simply loses its condition.
 *
 * Each condition is a V8 regex that runs in linear time (every repeat is bounded, or followed by
 * what it cannot match) and that accepts a superset of what the rule's pattern can match in:
 * where it is looser than Perl (V8's `\s` also takes no-break and Unicode spaces, `^` with `m`
 * also starts after `\r`), that only lets more texts through to the full regex. Checked against
 * the full regex on generated texts, near misses included, in test/necessary-conditions.test.ts.
 */

/** The Cyrillic look-alikes __UNICODE_OBFU_ASC counts (а е о р с in UTF-8). */
const CYRILLIC_LOOKALIKE = String.raw`(?:\xd0[\xb0\xb5\xbe]|\xd1[\x80\x81])`;

export const NECESSARY_CONDITIONS: ReadonlyMap<string, RegExp> = new Map([
  [
    // __BOGUS_MIME_HDR (full): "Content-" is in every message; "Content-X-" (or Y, Z) is not.
    String.raw`\bContent-[XYZ]-[a-z]{6,15}:\s+[a-z]{6,15}\b`,
    /Content-[XYZ]-/,
  ],
  [
    // __RAND_HEADER (ALL): both alternatives of the name are letters{3,}-letters{3,}, and
    // the same exceptions are looked ahead at the same line start, then a value starting with a
    // digit after spaces. Most headers fail it (MIME-Version and Content-Length are excepted).
    String.raw`(?ism)^(?!Accept-Language|Authentication-Results|Content-|DomainKey-Signature|DKIM-|List-|MIME-|Received-SPF|Return-Path|Thread-|User-Agent|Tracking-Code)(?:[a-z]{4,}-[a-z]{3,}|[a-z]{3,}-[a-z]{4,}):\s+\d(?=\S{6,}\s*$)[\da-f]*(?:[-.]\w+)*\s*$`,
    /^(?!Accept-Language|Authentication-Results|Content-|DomainKey-Signature|DKIM-|List-|MIME-|Received-SPF|Return-Path|Thread-|User-Agent|Tracking-Code)[a-z]{3,}-[a-z]{3,}:\s+\d/im,
  ],
  [
    // __UNICODE_OBFU_ASC (body): the last look-alike of the first run, 1 to 8 characters, the
    // first of the second run. Caseless as the rule is (Ð/ð, Ñ/ñ, µ/μ fold alike in V8 and re2js).
    String.raw`(?i)[a-z0-9\s](?:\xd0[\xb0\xb5\xbe]|\xd1[\x80\x81])+[a-z0-9]{1,8}(?:\xd0[\xb0\xb5\xbe]|\xd1[\x80\x81])+[a-z0-9\s]`,
    new RegExp(`${CYRILLIC_LOOKALIKE}[^]{1,8}${CYRILLIC_LOOKALIKE}`, 'i'),
  ],
  [
    // __PHOTO_RETOUCHING (body): its required literals include "your ", "edit" and "service",
    // in most paragraphs; yet every alternative also holds one of these (`your (?:imag...|pics)`,
    // `photo\s?shop`, `...(?:image|photo|pic)s`, `improv(?:e|ing)`, `cor+ecting`, ...).
    String.raw`(?i)\b(?:(?:retouching|(?:image|photo|pic)s? (?:[a-z]{1,15} ){0,3}(?:edit(?:ing|ors)|team|(?:cut+|mask|clip+|clean|crop+|resiz|enhanc|etch)ing|cut+(?:ing)?[-\s]?out|enhancement|manipulation|restoration|compositing|working|(?:color|contrast|brightnes+|background|make-?up) (?:cor+ection|change)|solution|work|services?)|(?<!that\s)(?<!\.\s)your (?:imag(?:es|ing)|pics)|photo\s?shop (?:expert|service)s?|(?:deliver (?:the|your) |(?:(?:send|throw|ship|drop|deliver|give|provide|e-?mail) us|(?:cut+(?:ing)?[-\s]?out|masking|(?:test|edit)(?:ing)?) (?:for|of|on|with)) (?:(?:an?|one|your|some|sample|test|example|the) )+)(?:image|photo|pic)s?|(?:proces+|edit)(?:\sover|\smore th[ae]n)? \d{2,5}\D? (?:image|photo|pic)s|improv(?:e|ing) (?:(?:image|photo|picture|pic) (?:quality|lighting)|(?:(?:image|photo|picture|pic) )?(?:resolution|contrast|background|color))|cor+ecting (?:color|contrast|brightnes+|background))\b|(?:e-?com+erce|website|jew[el]+r(?:[y's]+|ies)|model+(?:s|ing)?|products?|portraits?|graduation['s]*|school['s]*|bab(?:[y's]+|ies)|famil(?:[y's]+|ies)|kids|wedding|beauty|glamou?r|catalog['s]*|store['s]*|shop['s]*|(?:cut+(?:ing)?[-\s]?out|clip+ing\spath|(?:all|any) kinds? of|enhance|retouch|edit(?:ing)?)[,;]?(?:\s[a-z]{1,15}){0,4})\s(?:image|photo|pic)s?(?:[.,?]|$|\sand\b|\sor\b|\setc\b)|\b(?:imag(?:es|ing)|photos)\s\d+$)`,
    /retouching|imag|photo|pic|improv|ecting/i,
  ],
  // Speed (perf/spam-speed-4):
  [
    // __UC_GIBB_OBFU (body, case-sensitive, no literal): a run of 16 or more capitals between
    // words. Without a literal, re2js ran it on every paragraph; few have 16 capitals in a row.
    String.raw`\b[A-Za-z][a-z]{0,20}[,;)]?\s[A-Z]{16,}[a-z]?\s[A-Za-z][a-z]{1,15}\b`,
    /[A-Z]{16}/,
  ],
]);

/** The condition for a Perl pattern and its flags, or null: none known. */
export function necessaryCondition(pattern: string, flags: string): RegExp | null {
  return NECESSARY_CONDITIONS.get(flags === '' ? pattern : `(?${flags})${pattern}`) ?? null;
}
