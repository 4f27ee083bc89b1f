// Small pieces the services and directory pages share: a service's category, language and
// country names in the reader's language, its state in words, a text of the directory in the
// reader's language when it was written in it, and the CSRF field.
import type { Service } from '../../../node/directory/services.js';
import { format, formatDate, formatNumber, type Language, type Messages } from '../../i18n/catalogue.js';
import { directoryText } from '../../i18n/names.js';

export { categoryLabel, countryName, directoryText, languageName } from '../../i18n/names.js';

export type LegalStatus = NonNullable<NonNullable<Service['eligibility']>['legal_statuses']>[number];
export type Mode = Service['modes'][number];

export const MODES: readonly Mode[] = ['in-person', 'online', 'phone'];
export const LEGAL_STATUSES: readonly LegalStatus[] = ['eu-citizen', 'asylum-seeker', 'international-protection', 'residence-permit', 'undocumented'];

/** Languages offered as checkboxes: the network's six and those most often asked for by the women it serves. */
export const COMMON_LANGUAGES = ['en', 'de', 'el', 'it', 'ro', 'bg', 'fr', 'es', 'pt', 'ar', 'fa', 'ps', 'ur', 'tr', 'ku', 'sq', 'ru', 'uk', 'ti', 'so', 'am', 'ha', 'yo', 'ig', 'zh', 'vi', 'bn', 'hu', 'pl', 'sr'];

/** Countries offered in the selects: Europe and its neighbours, where the network's organisations work. */
export const COUNTRIES = [
  'AL', 'AT', 'BA', 'BE', 'BG', 'CH', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GB', 'GR', 'HR', 'HU', 'IE', 'IS',
  'IT', 'LI', 'LT', 'LU', 'LV', 'MD', 'ME', 'MK', 'MT', 'NL', 'NO', 'PL', 'PT', 'RO', 'RS', 'SE', 'SI', 'SK', 'TR', 'UA', 'XK',
];

export const modeName = (t: Messages, mode: Mode): string => ({ 'in-person': t['svc.mode.in-person'], online: t['svc.mode.online'], phone: t['svc.mode.phone'] })[mode];

export const legalStatusName = (t: Messages, status: LegalStatus): string =>
  ({
    'eu-citizen': t['svc.legal.eu-citizen'],
    'asylum-seeker': t['svc.legal.asylum-seeker'],
    'international-protection': t['svc.legal.international-protection'],
    'residence-permit': t['svc.legal.residence-permit'],
    undocumented: t['svc.legal.undocumented'],
  })[status];

/** A text of the directory, marked with its language when that is not the page's. */
export function DirectoryText(props: { text: Readonly<Record<string, string>> | undefined; language: Language }) {
  const { text, lang } = directoryText(props.text, props.language);
  return lang ? <span lang={lang}>{text}</span> : <>{text}</>;
}

/** Published or paused, in words in a badge (the words carry the meaning, the colour only repeats it). */
export function ServiceStateBadge(props: { t: Messages; status: Service['status'] }) {
  return props.status === 'paused' ? <span class="badge bad">{props.t.svcStatePaused}</span> : <span class="badge good">{props.t.svcStatePublished}</span>;
}

/** How many places are free (of how many), or undefined when the service does not count them. */
export function placesText(t: Messages, language: Language, capacity: Service['capacity']): string | undefined {
  if (!capacity) return undefined;
  return capacity.maximum !== undefined
    ? format(t.svcPlacesOf, { available: formatNumber(capacity.available, language), maximum: formatNumber(capacity.maximum, language) })
    : format(t.svcPlacesFree, { available: formatNumber(capacity.available, language) });
}

/** Whether it takes referrals now and how many places are free, in one line. */
export function availabilityText(t: Messages, language: Language, service: Pick<Service, 'accepting_referrals' | 'capacity'>): string {
  const taking = service.accepting_referrals ? t.svcTakingReferrals : t.svcNotTakingReferrals;
  const places = placesText(t, language, service.capacity);
  return places ? `${taking} ${places}` : taking;
}

export function When(props: { at: string | undefined; language: Language; t: Messages }) {
  return props.at ? <time datetime={props.at}>{formatDate(props.at, props.language)}</time> : <span class="muted">{props.t.svcNever}</span>;
}

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}
