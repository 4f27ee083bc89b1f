// Why a service fits, in the caseworker's language. The matcher (node/directory/matching.ts)
// gives each reason a `code` (which kind of reason) and its `values` (taxonomy codes, country
// codes, language tags, places, numbers); each code is said here with one of the catalogue's
// sentences, the taxonomy's labels and the locale's names. The English `detail` is never read:
// its wording may change. `SAY` is a Record of every code, so a kind of reason the matcher gains
// does not type-check until it is said here (and the catalogue has each sentence in every
// language). Only a reason missing one of its values (which the matcher does not give) is shown
// as the matcher wrote it, marked as English.
import type { MatchReasonCode, MatchResult } from '../../../node/directory/matching.js';
import { format, formatNumber, type Language, type Messages } from '../../i18n/catalogue.js';
import { categoryLabel, countryName, languageName } from './flow.js';

type Reason = MatchResult['reasons'][number];

/** A sentence, and whether it is the matcher's own English. */
export interface Said {
  text: string;
  english: boolean;
}

const MODES = ['in-person', 'online', 'phone'] as const;
const LEGAL_STATUSES = ['eu-citizen', 'asylum-seeker', 'international-protection', 'residence-permit', 'undocumented', 'refugee', 'subsidiary-protection', 'other'] as const;

/** Reads a reason's values in the user's language; each throws `Missing` when the value is not there. */
class Parts {
  constructor(
    readonly t: Messages,
    readonly language: Language,
    private readonly values: Readonly<Record<string, string>>,
  ) {}
  raw(name: string): string {
    const value = this.values[name];
    if (value === undefined || value === '') throw new Missing();
    return value;
  }
  has = (name: string) => this.values[name] !== undefined && this.values[name] !== '';
  private codes = (name: string) => this.raw(name).split(',');
  private list = (items: string[], type: 'conjunction' | 'disjunction') => new Intl.ListFormat(this.language, { type }).format(items);
  category = (name: string) => categoryLabel(this.raw(name), this.language);
  country = (name: string) => countryName(this.raw(name), this.language);
  languages = (name: string) => this.list(this.codes(name).map((l) => languageName(l, this.language)), 'conjunction');
  private modeName = (m: string) => ((MODES as readonly string[]).includes(m) ? this.t[`nr.mode.${m as (typeof MODES)[number]}`] : m);
  mode = (name: string) => this.modeName(this.raw(name));
  modes = (name: string, type: 'conjunction' | 'disjunction') => this.list(this.codes(name).map(this.modeName), type);
  private statusName = (s: string) => ((LEGAL_STATUSES as readonly string[]).includes(s) ? this.t[`nr.legal.${s as (typeof LEGAL_STATUSES)[number]}`] : s);
  status = (name: string) => this.statusName(this.raw(name));
  statuses = (name: string) => this.list(this.codes(name).map(this.statusName), 'conjunction');
  number = (name: string) => formatNumber(Number(this.raw(name)), this.language);
}

class Missing extends Error {}

/** Each kind of reason in the user's language. */
const SAY: Readonly<Record<MatchReasonCode, (p: Parts, t: Messages) => string>> = {
  'need-exact': (p, t) => format(t.nrReasonNeed, { category: p.category('category') }),
  'need-narrower': (p, t) => format(t.nrReasonNeedNarrower, { category: p.category('category'), need: p.category('need') }),
  'need-broader': (p, t) => format(t.nrReasonNeedBroader, { category: p.category('category'), need: p.category('need') }),
  'need-unmet': (p, t) => format(t.nrMisfitNeed, { need: p.category('need') }),
  'place-country': (p, t) => format(t.nrReasonPlace, { place: p.country('country') }),
  'place-elsewhere': (p, t) => format(t.nrMisfitPlaceElsewhere, { country: p.country('country'), asked: p.country('asked'), modes: p.modes('modes', 'disjunction') }),
  'place-region': (p, t) => format(t.nrReasonPlace, { place: p.raw('place') }),
  'place-city': (p, t) => format(t.nrReasonPlace, { place: p.raw('place') }),
  'place-not-region': (p, t) => (p.has('actual') ? format(t.nrMisfitPlaceIn, { place: p.raw('place'), actual: p.raw('actual') }) : format(t.nrMisfitPlace, { place: p.raw('place') })),
  'place-not-city': (p, t) => (p.has('actual') ? format(t.nrMisfitPlaceIn, { place: p.raw('place'), actual: p.raw('actual') }) : format(t.nrMisfitPlace, { place: p.raw('place') })),
  'language-shared': (p, t) => format(t.nrReasonLanguage, { languages: p.languages('languages') }),
  'language-none': (p, t) => format(t.nrMisfitLanguage, { languages: p.languages('languages'), asked: p.languages('asked') }),
  women: (_p, t) => t.nrReasonWomen,
  'women-only': (_p, t) => t.nrMisfitWomenOnly,
  'age-within': (p, t) => format(t.nrReasonAge, { age: p.number('age') }),
  'age-below-minimum': (p, t) => format(t.nrMisfitMinimumAge, { age: p.number('age') }),
  'age-above-maximum': (p, t) => format(t.nrMisfitMaximumAge, { age: p.number('age') }),
  'status-served': (p, t) => format(t.nrReasonStatus, { status: p.status('status') }),
  'status-not-served': (p, t) => format(t.nrMisfitStatus, { statuses: p.statuses('statuses'), status: p.status('status') }),
  'children-welcome': (_p, t) => t.nrReasonChildren,
  'children-not-accepted': (_p, t) => t.nrMisfitChildren,
  'mode-offered': (p, t) => format(t.nrReasonMode, { mode: p.mode('mode') }),
  'mode-not-offered': (p, t) => format(t.nrMisfitMode, { modes: p.modes('modes', 'conjunction'), mode: p.mode('mode') }),
  'not-accepting': (_p, t) => t.nrMisfitNotAccepting,
  'places-free': (p, t) => format(t.nrReasonPlacesFree, { count: p.number('count') }),
  'no-place-free': (_p, t) => t.nrMisfitNoPlace,
};

/** Says a reason (or a misfit) of a match in the user's language. */
export function sayReason(t: Messages, language: Language, reason: Reason): Said {
  const say = SAY[reason.code];
  try {
    if (say) return { text: say(new Parts(t, language, reason.values), t), english: false };
  } catch (error) {
    if (!(error instanceof Missing)) throw error;
  }
  return { text: reason.detail, english: true };
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
