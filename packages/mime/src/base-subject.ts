/**
 * The base subject of RFC 5256 section 2.1, for SORT SUBJECT and THREAD=ORDEREDSUBJECT, from a
 * subject whose encoded words are already decoded (step 1's decoding is decodeEncodedWords).
 *
 * Case is kept: `Re: Hello` gives `Hello`. SORT and THREAD compare base subjects with a
 * case-insensitive collation (Dovecot uses i;unicode-casemap), which is the comparer's job.
 * Where RFC 5256 leaves room, this does what Dovecot's imap-base-subject.c does: a subj-blob
 * may hold any character but `[` and `]` (not only ASCII), and the leading and trailing
 * whitespace goes even when nothing else is removed.
 */
export function baseSubject(subject: string): string {
  return extractBaseSubject(subject).base;
}

/**
 * Whether extracting the base subject removed a reply or forward marker (`Re:`, `Fw:`, `Fwd:`,
 * a `(fwd)` trailer or a `[fwd: ...]` wrapper), which THREAD=REFERENCES needs (RFC 5256 section
 * 2.1, and step (4) of section 3 REFERENCES).
 */
export function isReplyOrForward(subject: string): boolean {
  return extractBaseSubject(subject).isReplyOrForward;
}

interface Extraction {
  readonly base: string;
  readonly isReplyOrForward: boolean;
}

/**
 * The steps of RFC 5256 section 2.1, each moving `start` or `end` inward over one string. Every
 * step either makes progress or ends its loop, and a run of leading blobs is crossed once (see
 * removeLeaders), so the whole takes time linear in the subject's length.
 */
function extractBaseSubject(subject: string): Extraction {
  // (1) Tabs and line breaks become spaces, and runs of spaces one space.
  const s = subject.replace(/[ \t\r\n]+/g, ' ');
  let start = 0;
  let end = s.length;
  let isReplyOrForward = false;
  for (;;) {
    // (2) Remove trailing subj-trailers: "(fwd)" and WSP.
    while (end > start) {
      if (s.charCodeAt(end - 1) === 0x20) end--;
      else if (end - start >= 5 && equalsIgnoringCase(s, end - 5, '(fwd)')) {
        end -= 5;
        isReplyOrForward = true;
      } else break;
    }
    // (3)-(5) Remove leading subj-leaders, and subj-blobs that leave a non-empty subject.
    const leaders = removeLeaders(s, start, end);
    start = leaders.start;
    isReplyOrForward ||= leaders.isReplyOrForward;
    // (6) Unwrap "[fwd:" subject "]" and start again from (2).
    if (
      end - start >= 6 &&
      equalsIgnoringCase(s, start, '[fwd:') &&
      s.charCodeAt(end - 1) === 0x5d
    ) {
      start += 5;
      end -= 1;
      isReplyOrForward = true;
      continue;
    }
    return { base: s.slice(start, end), isReplyOrForward };
  }
}

/**
 * Steps (3) to (5): repeatedly remove a leading space, a subj-leader (`*subj-blob subj-refwd`),
 * or a subj-blob that is not the whole rest. When blobs are not followed by a subj-refwd, the
 * RFC removes them one at a time, checking for a subj-leader after each; that check fails the
 * same way each time (the text after the blobs is unchanged), so they are removed all at once.
 */
function removeLeaders(
  s: string,
  from: number,
  end: number,
): { start: number; isReplyOrForward: boolean } {
  let start = from;
  let isReplyOrForward = false;
  for (;;) {
    let progressed = false;
    if (start < end && s.charCodeAt(start) === 0x20) {
      start++;
      progressed = true;
    }
    // The blobs at `start`, and where the last one begins.
    let afterBlobs = start;
    let lastBlob = -1;
    for (let next = blobEnd(s, afterBlobs, end); next >= 0; next = blobEnd(s, afterBlobs, end)) {
      lastBlob = afterBlobs;
      afterBlobs = next;
    }
    const afterRefwd = refwdEnd(s, afterBlobs, end);
    if (afterRefwd >= 0) {
      start = afterRefwd;
      isReplyOrForward = true;
      continue;
    }
    // Blobs go as long as something follows them; a subject made only of blobs keeps the last.
    const afterRemovableBlobs = afterBlobs < end ? afterBlobs : lastBlob;
    if (lastBlob >= 0 && afterRemovableBlobs > start) {
      start = afterRemovableBlobs;
      progressed = true;
    }
    if (!progressed) return { start, isReplyOrForward };
  }
}

/** subj-blob: `"[" *BLOBCHAR "]" *WSP` at `at`; the offset after it, or -1. */
function blobEnd(s: string, at: number, end: number): number {
  if (at >= end || s.charCodeAt(at) !== 0x5b /* [ */) return -1;
  let i = at + 1;
  while (i < end && s.charCodeAt(i) !== 0x5b && s.charCodeAt(i) !== 0x5d) i++;
  if (i >= end || s.charCodeAt(i) !== 0x5d /* ] */) return -1;
  i++;
  return i < end && s.charCodeAt(i) === 0x20 ? i + 1 : i;
}

/** subj-refwd: `("re" / ("fw" ["d"])) *WSP [subj-blob] ":"` at `at`; the offset after it, or -1. */
function refwdEnd(s: string, at: number, end: number): number {
  let i: number;
  if (equalsIgnoringCase(s, at, 're')) i = at + 2;
  else if (equalsIgnoringCase(s, at, 'fwd')) i = at + 3;
  else if (equalsIgnoringCase(s, at, 'fw')) i = at + 2;
  else return -1;
  if (i < end && s.charCodeAt(i) === 0x20) i++;
  const afterBlob = blobEnd(s, i, end);
  if (afterBlob >= 0) i = afterBlob;
  else if (i < end && s.charCodeAt(i) === 0x5b) return -1;
  return i < end && s.charCodeAt(i) === 0x3a /* : */ ? i + 1 : -1;
}

/** Whether lowercase `word` is at `at`, ASCII letters in either case (ABNF strings are). */
function equalsIgnoringCase(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = s.charCodeAt(at + i);
    const lower = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (lower !== word.charCodeAt(i)) return false;
  }
  return true;
}
