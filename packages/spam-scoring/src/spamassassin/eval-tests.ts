import { type MimePart, isMultipart, mediaType } from '@mailyard/mime';
import type { SaConfig, SaRuleKind } from './cf-parser.js';
import { checkForAsciiTextIllegal } from './ascii-text-eval-tests.js';
import { checkForShiftedDate, checkOutlookMessageId } from './date-eval-tests.js';
import {
  checkForFakeAolRelayInRcvd,
  checkForForgedEudoramailReceivedHeaders,
  checkForForgedGmailReceivedHeaders,
  checkForForgedJunoReceivedHeaders,
  checkForForgedReceivedTrail,
  checkForForgedHotmailReceivedHeaders,
  checkForForgedYahooReceivedHeaders,
  checkForMsnGroupsHeaders,
  checkForNoHotmailReceivedHeaders,
} from './forged-received-eval-tests.js';
import {
  checkFreemailFrom,
  checkFreemailHeader,
  checkFreemailReplyto,
} from './freemail-eval-tests.js';
import {
  checkHttpsIpMismatch,
  checkIframeSrc,
  htmlEval,
  htmlImageOnly,
  htmlImageRatio,
  htmlRange,
  htmlTextMatch,
  htmlTagBalance,
  htmlTagExists,
  htmlTest,
  htmlTitleSubjectRatio,
} from './html-eval-tests.js';
import { checkBase64Length } from './base64-length-eval-tests.js';
import { checkFromInList, checkReplytoInList } from './address-lists.js';
import { FROM_NAME_EVALS } from './from-name-spoof.js';
import { checkHttpsHttpMismatch } from './https-http-mismatch.js';
import { checkUriHostListed } from './uri-host-lists.js';
import {
  checkForFarawayCharset,
  checkForFarawayCharsetInHeaders,
  htmlCharsetFaraway,
  mimeFarawayCharset,
} from './faraway-charset-eval-tests.js';
import { checkIllegalChars } from './illegal-chars-eval-tests.js';
import { checkHeaderCountRange } from './header-count-range.js';
import {
  checkBlankLineRatio,
  checkForUppercase,
  checkMaNonText,
  checkMimeMultipartRatio,
} from './mime-body-eval-tests.js';
import { bytesToBinaryString } from './binary-string.js';
import { checkBodyLength } from './body-length-eval-tests.js';
import {
  imageCount,
  imageNamed,
  imageSizeExact,
  imageSizeRange,
  imageToTextRatio,
  pixelCoverage,
} from './image-info-eval-tests.js';
import { htmlStatistics } from './html-statistics.js';
import type { SaMessageView } from './message-view.js';
import { checkMsgParseFlags } from './message-parse-flags.js';
import { checkAbundantUnicodeRatio } from './unicode-ratio-eval-tests.js';
import {
  multipartAlternativeDifference,
  multipartAlternativeDifferenceCount,
} from './multipart-alternative-eval-tests.js';
import {
  checkAllTrusted,
  checkForNoRdnsDotcomHelo,
  checkNoRelays,
  checkRelaysUnparseable,
  gatedThroughReceivedHeaderRemover,
  heloIpMismatch,
} from './received-eval-tests.js';
import { checkRatwareEnvelopeFrom } from './ratware-envelope-from.js';
import { checkRatwareNameId } from './ratware-name-id.js';
import { similarRecipients, sortedRecipients } from './recipient-eval-tests.js';
import { checkEqualFromDomains, checkMailfromMatchesRcvd } from './sender-domain-eval-tests.js';
import { checkStockInfo } from './stock-info.js';
import { checkForToInSubject, tvdVerticalWords } from './text-shape-eval-tests.js';
import { checkUnresolvedTemplate } from './unresolved-template.js';
import { WELCOMELIST_EVAL_TESTS } from './welcomelist-eval-tests.js';

/** A Perl `eval:` test written again in TypeScript: the view and the call's arguments. */
export type SaEvalTest = (view: SaMessageView, args: readonly string[]) => number;

interface MimeFacts {
  readonly base64: number;
  /**
   * MIMEEval's `mime_qp_count`: once a quoted-printable leaf has lines, the count of the printable
   * characters written as escapes in them (qpExcessive), not of the quoted-printable parts.
   */
  readonly qp: number;
  readonly html: number;
  readonly text: number;
  readonly attachment: number;
  readonly qpLongLine: boolean;
  readonly base64Text: boolean;
  readonly badIsoCharset: boolean;
}

const mimeFacts = new WeakMap<SaMessageView, MimeFacts>();

/** MIMEEval's per-part counts (`_check_mime_header`, `_check_attachments`), once per message. */
function factsOf(view: SaMessageView): MimeFacts {
  let facts = mimeFacts.get(view);
  if (facts) return facts;
  const counts = {
    base64: 0,
    qp: 0,
    qpLines: 0,
    qpExcessive: 0,
    html: 0,
    text: 0,
    attachment: 0,
    qpLongLine: false,
    base64Text: false,
    badIsoCharset: false,
  };
  const visit = (part: MimePart) => {
    if (isMultipart(part)) return part.parts.forEach(visit);
    const type = mediaType(part);
    const cte = (part.encoding ?? '').toLowerCase();
    const charset =
      part.contentType.parameters.find((p) => p.name.toLowerCase() === 'charset')?.value ?? '';
    const disposition = part.disposition?.type.toLowerCase() ?? '';
    if (type === 'text/html') counts.html++;
    else if (type.startsWith('text')) counts.text++;
    if (cte.includes('base64')) counts.base64++;
    else if (cte.includes('quoted-printable')) counts.qp++;
    if (disposition.includes('attachment')) counts.attachment++;
    if (
      type.startsWith('text') &&
      cte.includes('base64') &&
      (!charset ||
        /us-ascii|ansi_x3\.4-19(?:68|86)|iso-ir-6|iso_646\.irv:1991|ascii|iso646-us|^us$|ibm367|cp367|csascii/i.test(
          charset,
        )) &&
      !/^(?:attachment|inline)/.test(disposition)
    )
      counts.base64Text = true;
    if (/iso-\S+-\S+\b/i.test(charset) && !/iso-(?:8859-\d{1,2}|2022-(?:jp|kr))\b/i.test(charset))
      counts.badIsoCharset = true;
    if (cte === 'quoted-printable') {
      // RFC 5322's 78 characters, plus the line's newline, as MIMEEval counts.
      const body = view.bytes.subarray(part.bodyStart, part.end);
      let lineStart = 0;
      for (let i = 0; i <= body.length; i++) {
        if (i === body.length || body[i] === 0x0a) {
          const length = i - lineStart - (i > lineStart && body[i - 1] === 0x0d ? 1 : 0);
          if (length + 1 > 79) counts.qpLongLine = true;
          if (i > lineStart || i < body.length) {
            const line = bytesToBinaryString(body.subarray(lineStart, i));
            if (!line.startsWith('SPAM: ')) {
              counts.qpLines++;
              counts.qpExcessive += excessiveQpEscapes(line);
            }
          }
          lineStart = i + 1;
        }
      }
    }
    if (part.message) visit(part.message.body);
  };
  visit(view.summary.body);
  // As _check_attachments ends: once quoted-printable lines were read, the count is theirs.
  if (counts.qpLines > 0) counts.qp = counts.qpExcessive;
  facts = counts;
  mimeFacts.set(view, facts);
  return facts;
}

/** Escapes of printable characters a quoted-printable encoder need not have written. */
const NEEDLESS_ESCAPE = /=(?:09|3[0-9ABCEF]|[2456][0-9A-F]|7[0-9A-E])/g;

/**
 * MIMEEval's count of needless escapes in one quoted-printable line: `=41` for `A` and the like,
 * less the escaped tabs and spaces that end the line (`>=20=20` is how encoders keep trailing
 * white space). The trailing run is found from the end, not with Perl's `((?:=09|=20)+)\s*$`,
 * which a long run of escapes before another character would make quadratic.
 */
function excessiveQpEscapes(line: string): number {
  if (!line.includes('=')) return 0;
  const count = line.match(NEEDLESS_ESCAPE)?.length ?? 0;
  if (count === 0) return 0;
  let end = line.length;
  while (end > 0 && ' \t\n\r\f\v'.includes(line[end - 1]!)) end--;
  let trailing = 0;
  while (end >= 3 && (line.startsWith('=09', end - 3) || line.startsWith('=20', end - 3))) {
    trailing++;
    end -= 3;
  }
  return count - trailing;
}

const CHECK_FOR_MIME: Readonly<Record<string, (facts: MimeFacts) => boolean>> = {
  mime_base64_count: (f) => f.base64 > 0,
  mime_qp_count: (f) => f.qp > 0,
  mime_qp_long_line: (f) => f.qpLongLine,
  mime_attachment: (f) => f.attachment > 0,
  mime_base64_encoded_text: (f) => f.base64Text,
  mime_bad_iso_charset: (f) => f.badIsoCharset,
  // Message.pm stops reading a multipart's parts at the 1,000th and marks the Message object
  // `mimepart_limit_exceeded`, but check_for_mime reads the per-message status, where nothing
  // sets it: in SpamAssassin 4.0.1 MIMEPART_LIMIT_EXCEEDED never fires (checked with
  // spamassassin on 1,100 parts, test/address-and-uri-lists.test.ts), and here neither.
  mimepart_limit_exceeded: () => false,
};

/** The rule files list relays whose bounces are one's own (VBounce.pm's settings). */
const hasBounceRelays = (config: SaConfig) =>
  config.ignored.has('welcomelist_bounce_relays') || config.ignored.has('whitelist_bounce_relays');

/**
 * The `eval:` tests of SpamAssassin's plugins that are written here again, by function name.
 * An `eval:` rule whose function is not here does not run (and is reported); one whose
 * arguments are not understood neither. `kind` is the rule's (body, rawbody...), for the few
 * tests that read the text their rule's kind gives them.
 */
export const SA_EVAL_TESTS: Readonly<
  Record<
    string,
    (args: readonly string[], config: SaConfig, kind?: SaRuleKind) => SaEvalTest | null
  >
> = {
  // HeaderEval's: no To (nor Apparently-To) header at all. An empty `To: ` is a header, which
  // SpamAssassin's get() returns as a newline, not '': the rule does not fire on it.
  check_for_missing_to_header: () => (view) =>
    (view.header('To', null) ?? view.header('Apparently-To', null)) === null ? 1 : 0,
  subject_is_all_caps: () => (view) => {
    let subject = (view.header('Subject', null) ?? '').trim();
    subject = subject.replace(/^(?:(?:Re|Fwd|Fw|Aw|Antwort|WG|SV|VB|VS|VL):\s*)+/i, '');
    if (!/\s/.test(subject) || subject.length < 10) return 0;
    // Charsets whose text reads as capitals (SpamAssassin's CHARSETS_LIKELY_TO_FP_AS_CAPS).
    if (
      /=\?[-_a-z0-9]*(?:koi|jp|jis|euc|gb|big5|isoir|cp1251|windows-1251|georgianps|pt154|tis)[-_a-z0-9]*\?/i.test(
        view.header('Subject', 'raw') ?? '',
      )
    )
      return 0;
    const letters = subject.replace(/[^a-zA-Z]/g, '');
    return letters.length > 0 && letters === letters.toUpperCase() ? 1 : 0;
  },
  // HeaderEval's: the envelope sender is the From address (two absent ones match, as there).
  check_for_matching_env_and_hdr_from: () => (view) =>
    (view.header('EnvelopeFrom', 'addr') ?? '').toLowerCase() ===
    (view.header('From', 'addr') ?? '').toLowerCase()
      ? 1
      : 0,
  check_for_mime: (args, config) => {
    // The one that reads the configuration (ok_locales): faraway-charset-eval-tests.ts.
    if (args[0] === 'mime_faraway_charset') return mimeFarawayCharset(config);
    const test = CHECK_FOR_MIME[args[0] ?? ''];
    return test ? (view) => (test(factsOf(view)) ? 1 : 0) : null;
  },
  // MIMEEval's PP_MIME_FAKE_ASCII_TEXT (ascii-text-eval-tests.ts), run since round 8: a 5-fold
  // cross validation gave 2 fewer false negatives at 1 more false positive, below SpamAssassin's.
  check_for_ascii_text_illegal: () => checkForAsciiTextIllegal,
  check_for_mime_html: () => (view) => (factsOf(view).html > 0 ? 1 : 0),
  check_for_mime_html_only: () => (view) => {
    const facts = factsOf(view);
    return facts.html > 0 && facts.text === 0 ? 1 : 0;
  },
  check_for_shifted_date: checkForShiftedDate,
  check_freemail_from: checkFreemailFrom,
  check_freemail_header: checkFreemailHeader,
  check_freemail_replyto: checkFreemailReplyto,
  // DKIM.pm's check_dkim_dependable is 1 only once signatures were obtained and verified
  // (and, if there are any, the message was not truncated): never with -L, which verifies
  // none, so END_FUTURE_EMAILS, COMPENSATION and PHP_NOVER_MUA, which read it under `!`, can
  // fire there. Here likewise: 1 only when the engine's mailauth test verified the message.
  check_dkim_dependable: () => (view) => (view.envelope.dkimVerified === true ? 1 : 0),
  // VBounce.pm: both are 0 unless the files list relays of one's own
  // (`welcomelist_bounce_relays`, not read here: then they do not run). Debian's list none, so
  // BOUNCE_MESSAGE, VBOUNCE_MESSAGE, ANY_BOUNCE_MESSAGE and the metas over them
  // (__NOT_A_PERSON, read under `!` by __KHOP_NO_FULL_NAME, COMPENSATION...) run exactly.
  have_any_bounce_relays: (_args, config) => (hasBounceRelays(config) ? null : () => 0),
  check_welcomelist_bounce_relays: (_args, config) => (hasBounceRelays(config) ? null : () => 0),
  check_whitelist_bounce_relays: (_args, config) => (hasBounceRelays(config) ? null : () => 0),
  check_all_trusted: () => checkAllTrusted,
  check_no_relays: () => checkNoRelays,
  check_relays_unparseable: () => checkRelaysUnparseable,
  helo_ip_mismatch: () => heloIpMismatch,
  check_for_no_rdns_dotcom_helo: () => checkForNoRdnsDotcomHelo,
  gated_through_received_hdr_remover: () => gatedThroughReceivedHeaderRemover,
  check_outlook_message_id: () => checkOutlookMessageId,
  check_for_forged_yahoo_received_headers: () => checkForForgedYahooReceivedHeaders,
  check_for_forged_hotmail_received_headers: () => checkForForgedHotmailReceivedHeaders,
  check_for_no_hotmail_received_headers: () => checkForNoHotmailReceivedHeaders,
  check_for_forged_gmail_received_headers: () => checkForForgedGmailReceivedHeaders,
  check_for_forged_juno_received_headers: () => checkForForgedJunoReceivedHeaders,
  check_for_forged_eudoramail_received_headers: () => checkForForgedEudoramailReceivedHeaders,
  check_for_fake_aol_relay_in_rcvd: () => checkForFakeAolRelayInRcvd,
  check_for_forged_received_trail: () => checkForForgedReceivedTrail,
  check_for_msn_groups_headers: () => (view) => (checkForMsnGroupsHeaders(view) ? 1 : 0),
  check_equal_from_domains: () => checkEqualFromDomains,
  check_mailfrom_matches_rcvd: () => checkMailfromMatchesRcvd,
  check_ratware_envelope_from: () => checkRatwareEnvelopeFrom,
  check_ratware_name_id: () => checkRatwareNameId,
  check_unresolved_template: () => checkUnresolvedTemplate,
  check_illegal_chars: checkIllegalChars,
  check_msg_parse_flags: checkMsgParseFlags,
  check_header_count_range: checkHeaderCountRange,
  check_stock_info: checkStockInfo,
  sorted_recipients: sortedRecipients,
  similar_recipients: similarRecipients,
  tvd_vertical_words: tvdVerticalWords,
  check_body_length: checkBodyLength,
  check_mime_multipart_ratio: checkMimeMultipartRatio,
  check_ma_non_text: () => checkMaNonText,
  check_for_uppercase: checkForUppercase,
  check_blank_line_ratio: checkBlankLineRatio,
  image_count: imageCount,
  pixel_coverage: pixelCoverage,
  image_to_text_ratio: (args, _config, kind) => imageToTextRatio(args, kind),
  image_size_exact: imageSizeExact,
  image_size_range: imageSizeRange,
  image_named: imageNamed,
  check_base64_length: checkBase64Length,
  check_abundant_unicode_ratio: checkAbundantUnicodeRatio,
  check_for_to_in_subject: checkForToInSubject,
  html_image_only: htmlImageOnly,
  html_image_ratio: htmlImageRatio,
  html_tag_exists: htmlTagExists,
  html_tag_balance: htmlTagBalance,
  html_title_subject_ratio: htmlTitleSubjectRatio,
  html_range: htmlRange,
  html_eval: htmlEval,
  html_text_match: htmlTextMatch,
  multipart_alternative_difference: multipartAlternativeDifference,
  multipart_alternative_difference_count: multipartAlternativeDifferenceCount,
  check_iframe_src: () => checkIframeSrc,
  check_https_http_mismatch: checkHttpsHttpMismatch,
  check_from_in_list: checkFromInList,
  check_replyto_in_list: checkReplytoInList,
  check_uri_host_listed: checkUriHostListed,
  // WLBLEval's: the lists `blocklist_uri_host` and `welcomelist_uri_host` fill (and their old
  // names, which SpamAssassin keeps until 4.1).
  ...Object.fromEntries(
    [
      ['check_uri_host_in_blocklist', 'BLOCK'],
      ['check_uri_host_in_blacklist', 'BLOCK'],
      ['check_uri_host_in_welcomelist', 'WELCOME'],
      ['check_uri_host_in_whitelist', 'WELCOME'],
    ].map(([name, list]) => [
      name,
      (_: readonly string[], config: SaConfig) => checkUriHostListed([list!], config),
    ]),
  ),
  ...FROM_NAME_EVALS,
  check_https_ip_mismatch: () => checkHttpsIpMismatch,
  // URIEval's: an HTML link cut at MAX_URI_LENGTH. PerMsgStatus also reports a URI of the text
  // cut so, which never happens: it reads the text in lines of at most 2,048 octets
  // (`spamassassin` gives no URI_TRUNCATED for a 9,000-octet URI in a text/plain part).
  check_uri_truncated: () => (view) =>
    htmlStatistics(view).some((html) => html.uriTruncated) ? 1 : 0,
  // HTML_MESSAGE: HTML.pm parsed a part, which Node.pm's rendered() asks of a text/html part
  // whose text is not empty (an empty one is not HTML to it).
  html_test: (args) =>
    args[0] === 'html'
      ? (view) => (view.htmlSources().some((source) => source !== '') ? 1 : 0)
      : htmlTest(args),
  check_for_faraway_charset: checkForFarawayCharset,
  check_for_faraway_charset_in_headers: checkForFarawayCharsetInHeaders,
  html_charset_faraway: htmlCharsetFaraway,
  // WLBLEval's and WelcomeListSubject's list checks (welcomelist-eval-tests.ts).
  ...WELCOMELIST_EVAL_TESTS,
};

/** Parses `eval:name('a', "b", 3)` into the function's name and its arguments. */
export function parseEvalCall(spec: string): { name: string; args: string[] } | null {
  const call = /^eval:(\w+)\s*\((.*)\)\s*$/.exec(spec.trim());
  if (!call) return null;
  const args = [...call[2]!.matchAll(/'([^']*)'|"([^"]*)"|([^,\s]+)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
  return { name: call[1]!, args };
}
