import type { KerioConfigEntry, KerioListItem } from '@mailyard/mailstore-interface';
import type {
  AttachmentRule,
  CustomRule,
  CustomRuleType,
  DnsBlacklist,
} from '@mailyard/spam-scoring';
import type { Reader } from './cfg-variables.js';
import { v } from './cfg-variables.js';
import type { SpamConfig } from './server-config.js';
import { StartupError } from './startup-error.js';

/*
 * mailserver.cfg's spam and antivirus section (Kerio 13 and 14): the spam filter, SPF, DKIM,
 * DMARC and ARC, the DNS blacklists, custom rules, greylisting, the antivirus and the
 * attachment filter, read into SpamConfig and written back with comments.
 */

const RULE_TYPES: readonly CustomRuleType[] = [
  'empty',
  'missing',
  'address',
  'domain',
  'substring',
  'binary',
];

/** Kerio 13 and 14: the spam filter, greylisting, the antivirus and the attachment filter. */
export function readSpam(
  file: string,
  read: Reader,
  lists: ReadonlyMap<string, readonly KerioListItem[]>,
  defaults: SpamConfig,
): SpamConfig {
  const oneOf = <const T extends string>(name: string, choices: readonly T[], fallback: T): T => {
    const value = read.text(name, fallback).toLowerCase();
    const chosen = choices.find((choice) => choice === value);
    if (chosen === undefined)
      throw new StartupError(`${file}: ${name} is ${choices.join(' or ')}, not "${value}"`);
    return chosen;
  };
  const tagScore = read.score('SpamTagScore', defaults.tagScore, 0, 10);
  const blockScore = read.score('SpamBlockScore', defaults.blockScore, 0, 10);
  // Kerio's dialog: 9.9 is the highest block score that blocks; 10 turns blocking off.
  if (blockScore > 9.9 && blockScore < 10)
    throw new StartupError(`${file}: SpamBlockScore is at most 9.9, or 10 for "never block"`);
  const greylisting = defaults.greylisting;
  const antivirus = defaults.antivirus;
  return {
    enabled: read.flag('SpamRatingEnabled', defaults.enabled),
    rateTrusted: read.flag('SpamRateTrusted', defaults.rateTrusted),
    tagScore,
    blockScore,
    blockAction: oneOf('SpamBlockAction', ['discard', 'reject'], defaults.blockAction),
    quarantineAddress: read.text('SpamQuarantineAddress', defaults.quarantineAddress),
    // The tag's trailing space is its separator from the Subject: kept as written.
    subjectTag: read.raw('SpamSubjectTag', defaults.subjectTag),
    whitelistGroup: read.text('SpamWhitelistGroup', defaults.whitelistGroup),
    blacklistGroup: read.text('SpamBlacklistGroup', defaults.blacklistGroup),
    blacklistAction: oneOf('SpamBlacklistAction', ['block', 'score'], defaults.blacklistAction),
    blacklistScore: read.score('SpamBlacklistScore', defaults.blacklistScore, -10, 10),
    dnsBlacklists: lists.has('SpamDnsBlacklist')
      ? (lists.get('SpamDnsBlacklist') ?? []).map((item, index) =>
          readDnsBlacklist(file, item, index),
        )
      : defaults.dnsBlacklists,
    customRules: (lists.get('SpamCustomRule') ?? defaults.customRules.map(writeCustomRule)).map(
      (item, index) => readCustomRule(file, item, index),
    ),
    contentRules: read.text('SpamAssassinRules', defaults.contentRules),
    bayes: read.flag('SpamBayes', defaults.bayes),
    bayesAutoLearn: read.flag('SpamBayesAutoLearn', defaults.bayesAutoLearn),
    maxContentBytes: read.count('SpamMaxContentSize', defaults.maxContentBytes),
    junkWithoutScript: read.flag('SpamToJunk', defaults.junkWithoutScript),
    greylisting: {
      enabled: read.flag('GreylistEnabled', greylisting.enabled),
      delaySeconds: read.count('GreylistDelaySeconds', greylisting.delaySeconds),
      retryWindowHours: read.count('GreylistRetryWindowHours', greylisting.retryWindowHours, 1),
      autoWhitelistAfter: read.count('GreylistAutoWhitelistAfter', greylisting.autoWhitelistAfter),
      exemptGroup: read.text('GreylistExemptGroup', greylisting.exemptGroup),
    },
    spf: {
      enabled: read.flag('SpfEnabled', defaults.spf.enabled),
      action: oneOf('SpfAction', ['log', 'block', 'score'], defaults.spf.action),
      score: read.score('SpfScore', defaults.spf.score, -10, 10),
      exemptGroup: read.text('SpfExemptGroup', defaults.spf.exemptGroup),
    },
    mailAuth: {
      enabled: read.flag('SpamMailAuth', defaults.mailAuth.enabled),
      dmarcReject: oneOf('SpamDmarcReject', ['score', 'reject'], defaults.mailAuth.dmarcReject),
    },
    bounceBlocked: read.flag('SpamBlockBounce', defaults.bounceBlocked),
    antivirus: {
      enabled: read.flag('AntivirusEnabled', antivirus.enabled),
      clamd: read.text('AntivirusClamd', antivirus.clamd),
      action: oneOf('AntivirusAction', ['discard', 'reject', 'strip'], antivirus.action),
      unscannable: oneOf('AntivirusUnscannable', ['deliver', 'reject'], antivirus.unscannable),
      timeoutMs: read.count('AntivirusTimeoutMs', antivirus.timeoutMs, 1),
      maxBytes: read.count('AntivirusMaxSize', antivirus.maxBytes, 1),
      warnSender: read.flag('AntivirusWarnSender', antivirus.warnSender),
      forwardOriginal: read.text('AntivirusForwardOriginal', antivirus.forwardOriginal),
      forwardFiltered: read.text('AntivirusForwardFiltered', antivirus.forwardFiltered),
    },
    attachments: {
      enabled: read.flag('AttachmentFilterEnabled', defaults.attachments.enabled),
      rules: lists.has('AttachmentRule')
        ? (lists.get('AttachmentRule') ?? []).map((item, index) =>
            readAttachmentRule(file, item, index),
          )
        : defaults.attachments.rules,
    },
  };
}

function listScore(file: string, where: string, value: string | undefined): number {
  const text = value?.trim() ?? '0';
  if (!/^-?\d{1,3}(\.\d{1,3})?$/.test(text))
    throw new StartupError(`${file}: ${where} Score is a number such as 2.5, not "${text}"`);
  return Number(text);
}

function listFlag(item: KerioListItem): boolean {
  return item.Enabled?.trim() !== '0';
}

function readDnsBlacklist(file: string, item: KerioListItem, index: number): DnsBlacklist {
  const where = `SpamDnsBlacklist item ${index + 1}`;
  const suffix = item.Suffix?.trim().toLowerCase() ?? '';
  const kind = item.Kind?.trim().toLowerCase() ?? 'ip';
  const action = item.Action?.trim().toLowerCase() ?? 'score';
  if (!suffix) throw new StartupError(`${file}: ${where} needs a Suffix`);
  if (kind !== 'ip' && kind !== 'domain')
    throw new StartupError(`${file}: ${where}: Kind is ip or domain, not "${kind}"`);
  if (action !== 'block' && action !== 'score')
    throw new StartupError(`${file}: ${where}: Action is block or score, not "${action}"`);
  const askDirectly = (item.AskDirectly ?? '')
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  return {
    name: item.Name?.trim() || suffix,
    suffix,
    kind,
    action:
      action === 'block'
        ? { kind: 'block' }
        : { kind: 'score', score: listScore(file, where, item.Score) },
    ...(askDirectly.length > 0 ? { askDirectly } : {}),
    ...(item.Description ? { description: item.Description } : {}),
    enabled: listFlag(item),
  };
}

function readCustomRule(file: string, item: KerioListItem, index: number): CustomRule {
  const where = `SpamCustomRule item ${index + 1}`;
  const header = item.Header?.trim() ?? '';
  const type = (item.Type?.trim().toLowerCase() ?? '') as CustomRuleType;
  const action = item.Action?.trim().toLowerCase() ?? '';
  if (!header || header.includes(':'))
    throw new StartupError(`${file}: ${where} needs a Header name, without a colon`);
  if (!RULE_TYPES.includes(type))
    throw new StartupError(`${file}: ${where}: Type is ${RULE_TYPES.join(', ')}, not "${type}"`);
  if (action !== 'allow' && action !== 'reject' && action !== 'score')
    throw new StartupError(`${file}: ${where}: Action is allow, reject or score, not "${action}"`);
  return {
    header,
    type,
    ...(item.Content !== undefined ? { content: item.Content.trim() } : {}),
    action:
      action === 'score'
        ? { kind: 'score', score: listScore(file, where, item.Score) }
        : { kind: action },
    ...(item.Description ? { description: item.Description } : {}),
    enabled: listFlag(item),
  };
}

function writeCustomRule(rule: CustomRule): KerioListItem {
  return {
    Header: rule.header,
    Type: rule.type,
    Content: rule.content ?? '',
    Action: rule.action.kind,
    Score: rule.action.kind === 'score' ? String(rule.action.score) : '0',
    Description: rule.description ?? '',
    Enabled: rule.enabled === false ? '0' : '1',
  };
}

function readAttachmentRule(file: string, item: KerioListItem, index: number): AttachmentRule {
  const where = `AttachmentRule item ${index + 1}`;
  const type = item.Type?.trim().toLowerCase() ?? '';
  const action = item.Action?.trim().toLowerCase() ?? '';
  const pattern = item.Pattern?.trim() ?? '';
  if (type !== 'filename' && type !== 'mimetype')
    throw new StartupError(`${file}: ${where}: Type is filename or mimetype, not "${type}"`);
  if (action !== 'block' && action !== 'accept')
    throw new StartupError(`${file}: ${where}: Action is block or accept, not "${action}"`);
  if (!pattern) throw new StartupError(`${file}: ${where} needs a Pattern`);
  return {
    type,
    pattern,
    action,
    ...(item.Description ? { description: item.Description } : {}),
    enabled: listFlag(item),
  };
}

export function formatSpam(spam: SpamConfig): (KerioConfigEntry | { comment: string })[] {
  const { greylisting, antivirus } = spam;
  return [
    {
      comment:
        'Spam filter (Admin Guide 13): rating on/off, trusted senders rated too, tag and block ' +
        'scores (0.0-10.0; a block score of 10 never blocks), what a blocked message gets ' +
        '(discard or reject), a quarantine copy, the Subject tag ([%s]: asterisks)',
    },
    v('SpamRatingEnabled', spam.enabled),
    v('SpamRateTrusted', spam.rateTrusted),
    v('SpamTagScore', spam.tagScore),
    v('SpamBlockScore', spam.blockScore),
    v('SpamBlockAction', spam.blockAction),
    v('SpamQuarantineAddress', spam.quarantineAddress),
    v('SpamSubjectTag', spam.subjectTag),
    { comment: 'A bounce (DSN) to the sender of each blocked message; Kerio advises against it' },
    v('SpamBlockBounce', spam.bounceBlocked),
    {
      comment:
        'IP groups: the whitelist (not rated) and the custom blacklist (block, or score); ' +
        'empty for none',
    },
    v('SpamWhitelistGroup', spam.whitelistGroup),
    v('SpamBlacklistGroup', spam.blacklistGroup),
    v('SpamBlacklistAction', spam.blacklistAction),
    v('SpamBlacklistScore', spam.blacklistScore),
    {
      comment:
        'Content: SpamAssassin rules (debian, a directory of .cf files, or none), the Bayes ' +
        'filter (one database in <store>/spam), the size above which content is not rated, ' +
        'and tagged mail to Junk E-mail for users without a Sieve script',
    },
    v('SpamAssassinRules', spam.contentRules),
    v('SpamBayes', spam.bayes),
    v('SpamBayesAutoLearn', spam.bayesAutoLearn),
    v('SpamMaxContentSize', spam.maxContentBytes),
    v('SpamToJunk', spam.junkWithoutScript),
    { comment: 'DNS blacklists: Kind ip (DNSBL) or domain (RHSBL), Action block or score' },
    {
      list: 'SpamDnsBlacklist',
      items: spam.dnsBlacklists.map((list) => ({
        Name: list.name,
        Suffix: list.suffix,
        Kind: list.kind,
        Action: list.action.kind,
        Score: list.action.kind === 'score' ? String(list.action.score) : '0',
        AskDirectly: (list.askDirectly ?? []).join(','),
        Description: list.description ?? '',
        Enabled: list.enabled === false ? '0' : '1',
      })),
    },
    {
      comment:
        'Custom rules, top-down: Header, Type (empty, missing, address, domain, substring, ' +
        'binary), Content, Action (allow, reject, score) and Score',
    },
    { list: 'SpamCustomRule', items: spam.customRules.map(writeCustomRule) },
    {
      comment:
        'Greylisting at RCPT (451 4.7.1 for a new sender, recipient and network): off by default',
    },
    v('GreylistEnabled', greylisting.enabled),
    v('GreylistDelaySeconds', greylisting.delaySeconds),
    v('GreylistRetryWindowHours', greylisting.retryWindowHours),
    v('GreylistAutoWhitelistAfter', greylisting.autoWhitelistAfter),
    v('GreylistExemptGroup', greylisting.exemptGroup),
    {
      comment:
        'SPF of the MAIL FROM domain (Admin Guide 13.5): a fail is logged, blocked (550 5.7.23) ' +
        'or scored; the exempt IP group (backup MX servers) is not checked',
    },
    v('SpfEnabled', spam.spf.enabled),
    v('SpfAction', spam.spf.action),
    v('SpfScore', spam.spf.score),
    v('SpfExemptGroup', spam.spf.exemptGroup),
    {
      comment:
        'DKIM, DMARC and ARC after DATA, scored (and an Authentication-Results field); a DMARC ' +
        'fail under p=reject is scored or rejected (550 5.7.1)',
    },
    v('SpamMailAuth', spam.mailAuth.enabled),
    v('SpamDmarcReject', spam.mailAuth.dmarcReject),
    {
      comment:
        'Antivirus (Admin Guide 14) through clamd (a socket path, or host:port): an infected ' +
        'message is discarded, rejected or stripped; an unscannable one delivered or rejected',
    },
    v('AntivirusEnabled', antivirus.enabled),
    v('AntivirusClamd', antivirus.clamd),
    v('AntivirusAction', antivirus.action),
    v('AntivirusUnscannable', antivirus.unscannable),
    v('AntivirusTimeoutMs', antivirus.timeoutMs),
    { comment: 'Bytes held in memory to scan a message; a larger one counts as unscannable' },
    v('AntivirusMaxSize', antivirus.maxBytes),
    {
      comment:
        'A warning to the sender of a message a virus or a blocked attachment was found in, and ' +
        'copies of the original and of the filtered message to an administrator (14.4, 14.5)',
    },
    v('AntivirusWarnSender', antivirus.warnSender),
    v('AntivirusForwardOriginal', antivirus.forwardOriginal),
    v('AntivirusForwardFiltered', antivirus.forwardFiltered),
    { comment: 'Attachment filter (14.5): Type filename or mimetype, Action block or accept' },
    v('AttachmentFilterEnabled', spam.attachments.enabled),
    {
      list: 'AttachmentRule',
      items: spam.attachments.rules.map((rule) => ({
        Type: rule.type,
        Pattern: rule.pattern,
        Action: rule.action,
        Description: rule.description ?? '',
        Enabled: rule.enabled === false ? '0' : '1',
      })),
    },
  ];
}
