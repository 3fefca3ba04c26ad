import type { ArgumentNode, CommandNode, TestNode } from '../protocol/ast.js';
import { DiagnosticSink } from '../protocol/diagnostic.js';
import { Lexer } from '../protocol/lexer.js';
import { DEFAULT_PARSE_LIMITS } from '../protocol/parse-limits.js';
import { parseScript } from '../protocol/parser.js';
import {
  type AddressLine,
  type Rule,
  type RuleActions,
  type RuleCondition,
  type RuleList,
  type RuleMatch,
  type SizeUnit,
  OUT_OF_OFFICE_RULE_NAME,
  SPAM_RULE_NAME,
} from './rule-model.js';
import { MATCH_FORMS, RULES_HEADER, RULE_MARKER, ruleToSieve } from './rules-to-sieve.js';

/**
 * Reads a user's Sieve script back into the rule model (rules.md 1.9). The script is cut at the
 * `# rule:[...]` marker lines; each piece that reads as a rule *and* that `rulesToSieve` would
 * write byte for byte becomes that rule, and every other piece (hand-edited, or outside any
 * marker) becomes a `custom` rule holding its exact text. Checking by writing the rule again
 * keeps the reader simple and lenient while guaranteeing the round trip: nothing in the script
 * is lost or changed by reading and writing it, whatever a user typed.
 */
export function sieveToRules(script: string): RuleList {
  const pieces = splitAtMarkers(script);
  const { capabilities, rest } = readRequires(pieces.prefix);
  const rules: Rule[] = [];
  if (rest.trim() !== '') rules.push({ kind: 'custom', text: rest });
  for (const piece of pieces.rules) rules.push(readRule(piece) ?? { kind: 'custom', text: piece });
  const needed = new Set<string>();
  for (const rule of rules) ruleToSieve(rule, needed);
  const extraCapabilities = [...capabilities].filter((name) => !needed.has(name));
  return extraCapabilities.length > 0 ? { rules, extraCapabilities } : { rules };
}

/** The text before the first marker line, and each marker line with what follows up to the next. */
function splitAtMarkers(script: string): { prefix: string; rules: string[] } {
  const starts: number[] = [];
  if (script.startsWith(RULE_MARKER)) starts.push(0);
  for (let at = script.indexOf(`\n${RULE_MARKER}`); at >= 0;) {
    starts.push(at + 1);
    at = script.indexOf(`\n${RULE_MARKER}`, at + 1);
  }
  const prefix = script.slice(0, starts[0] ?? script.length);
  const rules = starts.map((start, i) => script.slice(start, starts[i + 1] ?? script.length));
  return { prefix, rules };
}

/**
 * Takes the generated header and the leading `require` commands off the text before the first
 * rule, and returns the capabilities they name and what is left (hand-written Sieve, kept as a
 * custom rule). Requires are written again, merged, at the top of the next script.
 */
function readRequires(prefix: string): { capabilities: Set<string>; rest: string } {
  let text = prefix.startsWith(`${RULES_HEADER}\n`)
    ? prefix.slice(RULES_HEADER.length + 1)
    : prefix;
  const capabilities = new Set<string>();
  const sink = new DiagnosticSink(DEFAULT_PARSE_LIMITS.maxErrors);
  const lexer = new Lexer(text, sink, DEFAULT_PARSE_LIMITS);
  const lineStarts = lineOffsets(text);
  let end = 0;
  for (let token = lexer.next(); token.kind === 'identifier'; token = lexer.next()) {
    if (token.name.toLowerCase() !== 'require') break;
    const names: string[] = [];
    let next = lexer.next();
    if (next.kind === '[') {
      for (next = lexer.next(); next.kind === 'string' || next.kind === ','; next = lexer.next()) {
        if (next.kind === 'string') names.push(next.value);
      }
      if (next.kind !== ']') break;
      next = lexer.next();
    } else if (next.kind === 'string') {
      names.push(next.value);
      next = lexer.next();
    }
    if (next.kind !== ';' || sink.errors > 0) break;
    for (const name of names) capabilities.add(name);
    end = lineStarts[next.line - 1]! + next.column;
    // The rest of the require's line goes with it when it is blank.
    const lineEnd = /^[ \t\r]*\n/.exec(text.slice(end));
    if (lineEnd) end += lineEnd[0].length;
  }
  text = text.slice(end);
  return { capabilities, rest: text };
}

function lineOffsets(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

/** A piece of script as a model rule, or null when it is not exactly what the model writes. */
function readRule(piece: string): Rule | null {
  const newline = piece.indexOf('\n');
  if (newline < 0) return null;
  const marker = readMarker(piece.slice(0, newline));
  if (!marker) return null;
  const body = piece.slice(newline + 1);
  const parsed = parseScript(body);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return null;
  const rule = ruleFromCommands(marker, parsed.script.commands, lineOffsets(body), body);
  if (!rule) return null;
  return ruleToSieve(rule, new Set()) === piece ? rule : null;
}

interface Marker {
  readonly name: string;
  readonly fields: ReadonlyMap<string, string>;
}

function readMarker(line: string): Marker | null {
  let name = '';
  let at = RULE_MARKER.length;
  for (; at < line.length && line[at] !== ']'; at++) {
    if (line[at] === '\\') at++;
    name += line[at] ?? '';
  }
  if (line[at] !== ']') return null;
  const fields = new Map<string, string>();
  for (const field of line
    .slice(at + 1)
    .trim()
    .split(/\s+/)) {
    const equals = field.indexOf('=');
    if (equals > 0) fields.set(field.slice(0, equals), field.slice(equals + 1));
  }
  return { name, fields };
}

function ruleFromCommands(
  marker: Marker,
  commands: readonly CommandNode[],
  lineStarts: number[],
  body: string,
): Rule | null {
  const enabled = marker.fields.get('enabled') !== '0';
  const kind = marker.fields.get('kind') ?? 'user';
  let list = commands;
  if (kind === 'out-of-office' && enabled) {
    if (!isCommand(list[0], 'set')) return null;
    list = list.slice(1);
  }
  if (list.length !== 1) return null;
  const command = list[0]!;
  if (!isCommand(command, 'if') || command.tests.length !== 1 || !command.block) return null;
  const test = enabled ? command.tests[0]! : disabledTest(command.tests[0]!);
  if (!test) return null;
  switch (kind) {
    case 'spam':
      return marker.name === SPAM_RULE_NAME ? spamRule(enabled, test, command.block) : null;
    case 'out-of-office':
      return marker.name === OUT_OF_OFFICE_RULE_NAME
        ? outOfOfficeRule(enabled, command.block)
        : null;
    case 'user': {
      const operator = marker.fields.get('op') === 'or' ? 'or' : 'and';
      const joined = operator === 'and' ? 'allof' : 'anyof';
      const tests = isTest(test, joined) && test.tests.length > 1 ? test.tests : [test];
      const conditions: RuleCondition[] = [];
      for (const each of tests) {
        const condition = readCondition(each, lineStarts, body);
        if (!condition) return null;
        conditions.push(condition);
      }
      const actions = readActions(command.block);
      if (!actions) return null;
      return { kind: 'user', name: marker.name, enabled, operator, conditions, actions };
    }
    default:
      return null;
  }
}

/** `allof(false, T)` is a disabled rule's T. */
function disabledTest(test: TestNode): TestNode | null {
  return isTest(test, 'allof') && test.tests.length === 2 && isTest(test.tests[0], 'false')
    ? test.tests[1]!
    : null;
}

function spamRule(enabled: boolean, test: TestNode, block: readonly CommandNode[]): Rule | null {
  const parts = isTest(test, 'allof') ? test.tests : [test];
  let trustedSenders: readonly string[] = [];
  let trustContacts = false;
  for (const part of parts.slice(1)) {
    const inner = isTest(part, 'not') ? part.tests[0] : undefined;
    const args = inner && isTest(inner, 'address') ? inner.arguments : [];
    if (hasTag(args, 'list')) trustContacts = true;
    else trustedSenders = stringsOf(args[args.length - 1]) ?? [];
  }
  const folder = isCommand(block[0], 'fileinto')
    ? stringsOf(block[0].arguments[0])?.[0]
    : undefined;
  if (folder === undefined) return null;
  return { kind: 'spam', enabled, folder, trustedSenders, trustContacts };
}

function outOfOfficeRule(enabled: boolean, block: readonly CommandNode[]): Rule | null {
  const vacation = block.find((command) => isCommand(command, 'vacation'));
  if (!vacation) return null;
  const args = vacation.arguments;
  const text = stringsOf(args[args.length - 1])?.[0];
  if (text === undefined) return null;
  const at = args.findIndex((arg) => arg.type === 'tag' && arg.name.toLowerCase() === 'addresses');
  const addresses = at >= 0 ? (stringsOf(args[at + 1]) ?? []) : [];
  return { kind: 'out-of-office', enabled, text, addresses };
}

const ADDRESS_LINES: Record<string, AddressLine> = {
  'to,cc': 'recipient',
  from: 'from',
  to: 'to',
  cc: 'cc',
  sender: 'sender',
};

function readCondition(test: TestNode, lineStarts: number[], body: string): RuleCondition | null {
  const negated = isTest(test, 'not');
  const inner = negated ? test.tests[0] : test;
  if (!inner) return null;
  const args = inner.arguments;
  const match = readMatch(args, negated);
  if (isTest(inner, 'address') && match) {
    const headers = stringsOf(args[args.length - 2]);
    const line = headers && ADDRESS_LINES[headers.join(',').toLowerCase()];
    const keys = stringsOf(args[args.length - 1]);
    return line && keys ? { kind: 'address', line, match, keys } : null;
  }
  if (isTest(inner, 'header') && !negated) {
    if (hasTag(args, 'mime')) return { kind: 'has-attachment' };
    const header = stringsOf(args[args.length - 2])?.[0]?.toLowerCase();
    if (header === 'x-spam-flag') return { kind: 'spam' };
  }
  if (isTest(inner, 'header') && match) {
    const keys = stringsOf(args[args.length - 1]);
    return keys ? { kind: 'subject', match, keys } : null;
  }
  if (isTest(inner, 'size') && !negated) {
    const number = args[args.length - 1];
    if (number?.type !== 'number') return null;
    // The node holds octets; the unit the user chose is in how the number was written.
    const written = /^(\d+)([KkMm]?)/.exec(
      body.slice(lineStarts[number.line - 1]! + number.column - 1),
    );
    if (!written) return null;
    const unit: SizeUnit =
      written[2] === '' ? 'B' : written[2]!.toUpperCase() === 'K' ? 'KB' : 'MB';
    return { kind: 'size-over', size: Number(written[1]), unit };
  }
  if (isTest(inner, 'true') && !negated) return { kind: 'all-messages' };
  return null;
}

function readMatch(args: readonly ArgumentNode[], negated: boolean): RuleMatch | null {
  for (const [match, [not, tag]] of Object.entries(MATCH_FORMS) as [
    RuleMatch,
    [boolean, string],
  ][]) {
    if (not === negated && hasTag(args, tag)) return match;
  }
  return null;
}

function readActions(block: readonly CommandNode[]): RuleActions | null {
  const actions: {
    -readonly [K in keyof RuleActions]: RuleActions[K];
  } = {};
  const forwardTo: string[] = [];
  for (const command of block) {
    const text = stringsOf(command.arguments[command.arguments.length - 1])?.[0];
    switch (command.name.toLowerCase()) {
      case 'fileinto':
        actions.moveTo = text;
        break;
      case 'redirect':
        if (text !== undefined) forwardTo.push(text);
        break;
      case 'reject':
        actions.reject = text;
        break;
      case 'keep':
        actions.keepInInbox = true;
        break;
      case 'discard':
        actions.discard = true;
        break;
      case 'stop':
        actions.stop = true;
        break;
      case 'notify': {
        const message = command.arguments.findIndex(
          (arg) => arg.type === 'tag' && arg.name.toLowerCase() === 'message',
        );
        const body = stringsOf(command.arguments[message + 1])?.[0];
        if (message < 0 || body === undefined || !text?.startsWith('mailto:')) return null;
        actions.notify = { address: text.slice('mailto:'.length), text: body };
        break;
      }
      case 'if': {
        const vacation = command.block?.find((inner) => isCommand(inner, 'vacation'));
        const reason = vacation && stringsOf(vacation.arguments[vacation.arguments.length - 1]);
        if (!reason) return null;
        actions.autoreply = reason[0];
        break;
      }
      default:
        return null;
    }
  }
  if (forwardTo.length > 0) actions.forwardTo = forwardTo;
  return actions;
}

function isCommand(command: CommandNode | undefined, name: string): command is CommandNode {
  return command !== undefined && command.name.toLowerCase() === name;
}

function isTest(test: TestNode | undefined, name: string): test is TestNode {
  return test !== undefined && test.name.toLowerCase() === name;
}

function hasTag(args: readonly ArgumentNode[], name: string): boolean {
  return args.some((arg) => arg.type === 'tag' && arg.name.toLowerCase() === name);
}

function stringsOf(arg: ArgumentNode | undefined): string[] | null {
  if (arg?.type === 'string') return [arg.value];
  if (arg?.type === 'string-list') return arg.items.map((item) => item.value);
  return null;
}
