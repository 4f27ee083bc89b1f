// Why a service fits, in the caseworker's language. The matcher (node/directory/matching.ts)
// says it in English sentences of a few fixed shapes, each under a criterion; they are read back
// here into their parts (categories, countries, languages, numbers) and said again with the
// catalogue's sentences and the locale's names. A sentence of a shape not known here is shown as
// the matcher wrote it, marked as English.
import { taxonomy } from '../../../node/directory/taxonomy.js';
import type { MatchResult } from '../../../node/directory/matching.js';
import { format, formatNumber, type Language, type Messages } from '../../i18n/catalogue.js';
import { categoryLabel, countryName, languageName } from './flow.js';

type Reason = MatchResult['reasons'][number];

/** A sentence, and whether it is the matcher's own English. */
export interface Said {
  text: string;
  english: boolean;
}

let byEnglishLabel: Map<string, string> | undefined;
const codeOfLabel = (label: string) => (byEnglishLabel ??= new Map(taxonomy().categories.map((c) => [c.labels.en, c.code]))).get(label);

const MODES = ['in-person', 'online', 'phone'] as const;
const LEGAL_STATUSES = ['eu-citizen', 'asylum-seeker', 'international-protection', 'residence-permit', 'undocumented', 'refugee', 'subsidiary-protection', 'other'] as const;

/** Says a reason (or a misfit) of a match in the user's language. */
export function sayReason(t: Messages, language: Language, reason: Reason): Said {
  const said = (text: string | undefined): Said => (text === undefined ? { text: reason.detail, english: true } : { text, english: false });
  const category = (label: string) => {
    const code = codeOfLabel(label);
    return code ? categoryLabel(code, language) : undefined;
  };
  const place = (name: string) => (/^[A-Z]{2}$/.test(name) ? countryName(name, language) : name);
  const list = (text: string, one: (item: string) => string | undefined) => {
    const items = text.split(', ').map(one);
    return items.every((i) => i !== undefined) ? new Intl.ListFormat(language, { type: 'conjunction' }).format(items as string[]) : undefined;
  };
  const languages = (text: string) => list(text, (code) => (/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(code) ? languageName(code, language) : undefined));
  const mode = (m: string) => ((MODES as readonly string[]).includes(m) ? t[`nr.mode.${m}` as keyof Messages] : undefined);
  const status = (s: string) => ((LEGAL_STATUSES as readonly string[]).includes(s) ? t[`nr.legal.${s}` as keyof Messages] : undefined);
  const either = (text: string, one: (item: string) => string | undefined) => {
    const items = text.split(/, | or /).map(one);
    return items.every((i) => i !== undefined) ? new Intl.ListFormat(language, { type: 'disjunction' }).format(items as string[]) : undefined;
  };
  const { detail } = reason;
  let m: RegExpExecArray | null;
  const fill = (text: string, values: Record<string, string | undefined>) => (Object.values(values).every((v) => v !== undefined) ? format(text, values as Record<string, string>) : undefined);

  switch (reason.criterion) {
    case 'need':
      if ((m = /^does not offer (.+)$/.exec(detail))) return said(fill(t.nrMisfitNeed, { need: category(m[1]!) }));
      if ((m = /^(.+) \(a kind of (.+)\)$/.exec(detail))) return said(fill(t.nrReasonNeedNarrower, { category: category(m[1]!), need: category(m[2]!) }));
      if ((m = /^(.+) \(broader than (.+)\)$/.exec(detail))) return said(fill(t.nrReasonNeedBroader, { category: category(m[1]!), need: category(m[2]!) }));
      return said(fill(t.nrReasonNeed, { category: category(detail) }));
    case 'place':
      if ((m = /^in ([A-Z]{2}), not ([A-Z]{2}); given (.+)$/.exec(detail))) {
        return said(fill(t.nrMisfitPlaceElsewhere, { country: place(m[1]!), asked: place(m[2]!), modes: either(m[3]!, mode) }));
      }
      if ((m = /^not in (.+) \(in (.+)\)$/.exec(detail))) return said(format(t.nrMisfitPlaceIn, { place: m[1]!, actual: m[2]! }));
      if ((m = /^not in (.+)$/.exec(detail))) return said(format(t.nrMisfitPlace, { place: m[1]! }));
      if ((m = /^in (.+)$/.exec(detail))) return said(format(t.nrReasonPlace, { place: place(m[1]!) }));
      return said(undefined);
    case 'language':
      if ((m = /^works in (.+), not (.+)$/.exec(detail))) return said(fill(t.nrMisfitLanguage, { languages: languages(m[1]!), asked: languages(m[2]!) }));
      if ((m = /^works in (.+)$/.exec(detail))) return said(fill(t.nrReasonLanguage, { languages: languages(m[1]!) }));
      return said(undefined);
    case 'eligibility':
      if (detail === 'for women') return said(t.nrReasonWomen);
      if (detail === 'for women only') return said(t.nrMisfitWomenOnly);
      if ((m = /^from age (\d+)$/.exec(detail))) return said(format(t.nrMisfitMinimumAge, { age: formatNumber(Number(m[1]), language) }));
      if ((m = /^up to age (\d+)$/.exec(detail))) return said(format(t.nrMisfitMaximumAge, { age: formatNumber(Number(m[1]), language) }));
      if ((m = /^age (\d+) within its range$/.exec(detail))) return said(format(t.nrReasonAge, { age: formatNumber(Number(m[1]), language) }));
      if ((m = /^serves (.+), not (.+)$/.exec(detail))) return said(fill(t.nrMisfitStatus, { statuses: list(m[1]!, status), status: status(m[2]!) }));
      if ((m = /^serves (.+)$/.exec(detail))) return said(fill(t.nrReasonStatus, { status: status(m[1]!) }));
      return said(undefined);
    case 'children':
      if (detail === 'children can come too') return said(t.nrReasonChildren);
      if (detail === 'children cannot come') return said(t.nrMisfitChildren);
      return said(undefined);
    case 'mode':
      if ((m = /^given (.+), not (.+)$/.exec(detail))) return said(fill(t.nrMisfitMode, { modes: list(m[1]!, mode), mode: mode(m[2]!) }));
      return said(fill(t.nrReasonMode, { mode: mode(detail) }));
    case 'availability':
      if (detail === 'not taking referrals now') return said(t.nrMisfitNotAccepting);
      if (detail === 'no place free now') return said(t.nrMisfitNoPlace);
      if ((m = /^(\d+) places? free$/.exec(detail))) return said(format(t.nrReasonPlacesFree, { count: formatNumber(Number(m[1]), language) }));
      return said(undefined);
  }
  return said(undefined);
}

/** A list of reasons or misfits, each as a sentence. */
export function Reasons(props: { t: Messages; language: Language; reasons: readonly Reason[]; title: string; class?: string }) {
  if (props.reasons.length === 0) return null;
  return (
    <div class={props.class}>
      <p class="nr-reasons-title">{props.title}</p>
      <ul>
        {props.reasons.map((reason) => {
          const said = sayReason(props.t, props.language, reason);
          return <li>{said.english ? <span lang="en">{said.text}</span> : said.text}</li>;
        })}
      </ul>
    </div>
  );
}
