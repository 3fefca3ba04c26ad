import type { PositionSetText } from './position-set-pattern.js';
import { PositionSetPattern } from './position-set-pattern.js';

/**
 * __FILL_THIS_FORM_LONG2 and __FILL_THIS_FORM_SHORT2 (under __FILL_THIS_FORM_LONG and
 * __FILL_THIS_FORM_SHORT, and so FILL_THIS_FORM, FORM_FRAUD_* and the money forms): a form
 * field (`<FF_YOUR><FF_ALL><FF_SUFFIX>` then a blank or "and/or") five and three times over.
 * re2js runs them slowly: their words (one, age, res, ate...) are in most paragraphs, so no
 * literal skips them, and the count of five written out is some 14,000 characters of pattern
 * that its NFA steps through at every character. Here each field is run over sets of positions
 * (position-set-pattern.ts): from every position once, then from where the fields found end,
 * which are few, so the text is read about once per field.
 *
 * The tags as Debian's 72_active.cf defines them (`\#` there is `#`, the file's comment mark);
 * test/fill-this-form-patterns.test.ts checks the keys against the rules ReplaceTags expands.
 */
const ANDOR = String.raw`(?:\s?[\/&+,]\s?|\sor\s|\sand?\s)`;
const NUMBER = String.raw`(?:(?:ruf)?num(?:[bm]er)?\(?s?\)?|nos?\.|no\b|n[\xb0]|#s?|nbrs?\.?)`;
const FF_YOUR = String.raw`(?:a?\s?copy\sof\s)?(?:(?:your|din|seu|twoje)[\s,:]{1,5})?(?:present\s|c[uo]rrent\s|full(?:st[\xe4]ndigt)?\s?|complete\s|direct\s|private?\s|valid\s|personal\s|nuvarande\s|vollst[\xe4]ndige\s|aktuelle\s|pe\s(?:ne\s)?){0,3}`;
const FF_SUFFIX = String.raw`(?:\sin\s(?:full|words)|\scompleto)?:?(?:\s?[({][^)}]{1,30}[)}])?`;
const FF_BLANK2 = String.raw`(?:[^-=_.,:;*\w]{0,3}(?:[-=_.,:;*\s\x85]|&#\d{1,3};|[\xe2][\x80][\xa6]){1,100})`;
const FF_A1 = String.raw`(?:(?:countr?y|city|province|ter+itory|(?:zip|post(?:al)?)(?:\s?code)?|st?ates?|ad+res+e?)${ANDOR}?){1,3}(?:\sof\s(?:residence|birth|employment|citizenship|origin))?`;
const FF_A2 = String.raw`(?:(?:contact|full|house|home|resident[ia]+l|busines+|mailing|work|delivery|ship+ing|post(?:al)?|of+ice|e-?mail|bostads|wohn)${ANDOR}?){0,3}\s?(?:ad+res+[es]{0,2}|location|endere[\xe7]o)(?:\sline)?(?:\s[0-9])?`;
const FF_N1 = String.raw`(?:company|first|last|all|busines+|legal|ben[ei]ficiary|user|vollstaendigen)?\s?(?:name?[sn]?|navne|nome|nazwy)(?:${ANDOR}ad+res+)?`;
const FF_P1 = String.raw`(?:(?:(?:busines+|contact|fax|voice|house|home|mobile?|cel+(?:ular)?|of+ice|tel+e?(?:\s?(?:ph|f)one?)?|(?:ph|f)one|private)(?:\s(?:ph|f)one)?${ANDOR}?){1,3}(?:\s?${NUMBER})?${ANDOR}?){1,3}`;
const FF_M1 = String.raw`(?:(?:ages?|marital\s?statu[se]|sex|gender|male\sor\sfemale|(?:date\s(?:of\s)?)?birth|religion|nationality|(?:user )?email|next\sof\skin|alter|staatsangehoerigkeit|nationalitet|idade|weik)${ANDOR}?){1,3}`;
const FF_L1 = String.raw`(?:(?:previous\s)?work(?:ing)\s?experience|employment|position|profes+ion|(?:monthly|an+ual)?\s?income|purpose\sof\sl(?:oa|ao)n|an+ual\sturn\s?over|l(?:oa|ao)n\sduration|oc+up[ae]tion(?:\/position)?s?|(?:l(?:oa|ao)n\s|the\s)?amount(?:\sneed(ed)?|\sdesired)?(?:\s(?:as|of)\sloan)?|beruf|zaw(?:=F3|[\xf3])d)`;
const FF_F1 = String.raw`(?:(?:bank(?:ing)?|beneficiary|billing|acc(?:oun)?t|rout(?:ing)?|swift|receiver|user)${ANDOR}?){1,3}\s(?:(?:name|ad+res+(?:es)?|location|code|details|institution|a\/c|${NUMBER})${ANDOR}?){1,3}`;
const FF_F2 = String.raw`(?:(?:(?:international\s)?driver'?s?\sli[sc]+(?:en[sc]e)?|pas+\s?port|id\scard|[ia]d(?:entification|entity)(?:\s(?:card|${NUMBER}|papers?))?)${ANDOR}?){1,3}(?:\s${NUMBER})?`;
const FF_F3 = String.raw`(?:picture|zdj\scie|test\squestion|answer|amount\swon|(?:inheritance\s)?funds?\svalue|(?:e-?mail\s)?pas+word|e-?mai?l\sid|amount\s[\w\s]{0,30}lost[\w\s]{0,15})`;
const FF_F4 = String.raw`(?:log[-\s]?in|(?:e-?mail\s)?user)\s?names?`;
const FF_F5 = String.raw`(?:ref(?:erence)?|batch|win+ing|award|billet)[-\s]?${NUMBER}`;
const FF_ALL = `(?:${FF_A1}|${FF_A2}|${FF_N1}|${FF_P1}|${FF_M1}|${FF_F1}|${FF_F2}|${FF_F3}|${FF_F4}|${FF_F5}|${FF_L1})`;

/** What ends a field: a blank (and, in the long form, a "P..." run after it), or "and/or". */
const LONG_END = String.raw`(?:${FF_BLANK2}(?:P[a-z\.\s]{10,30})?|${ANDOR})`;
const SHORT_END = `(?:${FF_BLANK2}|${ANDOR})`;

/**
 * A search for `(?:<FF_YOUR><field><end>){count}`, caseless: where the first field can end
 * (from anywhere, screened by its first characters), then from there the next, `count` times.
 */
function countedFields(end: string, count: number): (text: PositionSetText) => boolean {
  const field = PositionSetPattern.compile(`${FF_YOUR}${FF_ALL}${FF_SUFFIX}${end}`, true);
  return (text) => {
    let ends = field.endsAnywhere(text);
    for (let more = 1; more < count && ends.length > 0; more++) ends = field.ends(text, ends);
    return ends.length > 0;
  };
}

/** The two patterns as the rules hold them (ReplaceTags expanded, `/i` as `(?i)`). */
export const FILL_THIS_FORM_LONG2 = `(?i)(?:${FF_YOUR}${FF_ALL}${FF_SUFFIX}${LONG_END}){5}`;
export const FILL_THIS_FORM_SHORT2 = `(?i)(?:${FF_YOUR}${FF_ALL}${FF_SUFFIX}${SHORT_END}){3}`;

/** The searches, on texts prepared caseless (tests read the work they count). */
export const FILL_THIS_FORM_SEARCHES: ReadonlyMap<string, (text: PositionSetText) => boolean> =
  new Map([
    [FILL_THIS_FORM_LONG2, countedFields(LONG_END, 5)],
    [FILL_THIS_FORM_SHORT2, countedFields(SHORT_END, 3)],
  ]);
