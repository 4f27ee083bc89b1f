// What a notification e-mail says, in the six languages of the interface: the node's name, the
// kinds of event with how many of each, and the one link to the notifications page. Nothing else
// can be put in: there is no place for a name, a need, a note, a case or an organisation.
import type { NotificationKind } from './kinds.js';

export const MAIL_LANGUAGES = ['en', 'de', 'el', 'it', 'ro', 'bg'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

export const isMailLanguage = (value: unknown): value is MailLanguage => typeof value === 'string' && (MAIL_LANGUAGES as readonly string[]).includes(value);

interface MailTexts {
  /** `{node}`: the node's name; `{count}`: how many notifications the mail counts. */
  subjectImmediate: string;
  subjectDaily: string;
  introImmediate: string;
  introDaily: string;
  /** `{link}`: the notifications page. */
  open: string;
  why: string;
  kinds: Readonly<Record<NotificationKind, string>>;
}

export const MAIL_TEXTS: Readonly<Record<MailLanguage, MailTexts>> = {
  en: {
    subjectImmediate: '{node}: new notifications ({count})',
    subjectDaily: '{node}: the day’s notifications ({count})',
    introImmediate: 'There is news for you at {node}:',
    introDaily: 'Since the last summary, there is news for you at {node}:',
    open: 'Sign in to see it: {link}',
    why: 'This e-mail names no person and no case: what it is about is shown only after you sign in. You receive it because you chose to in your notification settings, where you can turn it off.',
    kinds: {
      'referral-received': 'New referrals received',
      'inquiry-received': 'New inquiries received',
      'information-requested': 'Information asked of you',
      'information-given': 'Information given to you',
      'inquiry-answered': 'Your inquiries answered',
      accepted: 'Referrals accepted',
      declined: 'Referrals declined',
      completed: 'Referrals completed',
      withdrawn: 'Referrals withdrawn',
      'consent-withdrawn': 'Consents withdrawn',
      'reply-by-tomorrow': 'Answers due within a day',
      'delivery-failed': 'Messages that could not be delivered',
      'erasure-outstanding': 'Erasures not yet confirmed',
    },
  },
  de: {
    subjectImmediate: '{node}: neue Benachrichtigungen ({count})',
    subjectDaily: '{node}: die Benachrichtigungen des Tages ({count})',
    introImmediate: 'Bei {node} gibt es Neues für Sie:',
    introDaily: 'Seit der letzten Zusammenfassung gibt es bei {node} Neues für Sie:',
    open: 'Melden Sie sich an, um es zu sehen: {link}',
    why: 'Diese E-Mail nennt keine Person und keinen Fall: Worum es geht, sehen Sie erst nach der Anmeldung. Sie erhalten sie, weil Sie das in Ihren Einstellungen für Benachrichtigungen gewählt haben; dort können Sie sie abstellen.',
    kinds: {
      'referral-received': 'Neue Vermittlungen erhalten',
      'inquiry-received': 'Neue Anfragen erhalten',
      'information-requested': 'Von Ihnen erbetene Informationen',
      'information-given': 'Ihnen gegebene Informationen',
      'inquiry-answered': 'Beantwortete Anfragen von Ihnen',
      accepted: 'Angenommene Vermittlungen',
      declined: 'Abgelehnte Vermittlungen',
      completed: 'Abgeschlossene Vermittlungen',
      withdrawn: 'Zurückgezogene Vermittlungen',
      'consent-withdrawn': 'Widerrufene Einwilligungen',
      'reply-by-tomorrow': 'Innerhalb eines Tages fällige Antworten',
      'delivery-failed': 'Nachrichten, die nicht zugestellt werden konnten',
      'erasure-outstanding': 'Noch nicht bestätigte Löschungen',
    },
  },
  el: {
    subjectImmediate: '{node}: νέες ειδοποιήσεις ({count})',
    subjectDaily: '{node}: οι ειδοποιήσεις της ημέρας ({count})',
    introImmediate: 'Υπάρχουν νέα για εσάς στο {node}:',
    introDaily: 'Από την τελευταία σύνοψη, υπάρχουν νέα για εσάς στο {node}:',
    open: 'Συνδεθείτε για να τα δείτε: {link}',
    why: 'Αυτό το μήνυμα δεν αναφέρει κανένα πρόσωπο και καμία υπόθεση: το περιεχόμενο φαίνεται μόνο αφού συνδεθείτε. Το λαμβάνετε επειδή το επιλέξατε στις ρυθμίσεις ειδοποιήσεων, όπου μπορείτε και να το απενεργοποιήσετε.',
    kinds: {
      'referral-received': 'Νέες παραπομπές που ελήφθησαν',
      'inquiry-received': 'Νέα ερωτήματα που ελήφθησαν',
      'information-requested': 'Πληροφορίες που σας ζητήθηκαν',
      'information-given': 'Πληροφορίες που σας δόθηκαν',
      'inquiry-answered': 'Ερωτήματά σας που απαντήθηκαν',
      accepted: 'Παραπομπές που έγιναν δεκτές',
      declined: 'Παραπομπές που απορρίφθηκαν',
      completed: 'Παραπομπές που ολοκληρώθηκαν',
      withdrawn: 'Παραπομπές που ανακλήθηκαν',
      'consent-withdrawn': 'Συναινέσεις που ανακλήθηκαν',
      'reply-by-tomorrow': 'Απαντήσεις που οφείλονται μέσα σε μία ημέρα',
      'delivery-failed': 'Μηνύματα που δεν μπόρεσαν να παραδοθούν',
      'erasure-outstanding': 'Διαγραφές που δεν επιβεβαιώθηκαν ακόμη',
    },
  },
  it: {
    subjectImmediate: '{node}: nuove notifiche ({count})',
    subjectDaily: '{node}: le notifiche del giorno ({count})',
    introImmediate: 'Ci sono novità per te su {node}:',
    introDaily: 'Dall’ultimo riepilogo ci sono novità per te su {node}:',
    open: 'Accedi per vederle: {link}',
    why: 'Questa e-mail non nomina nessuna persona e nessun caso: di che cosa si tratta si vede solo dopo l’accesso. La ricevi perché l’hai scelto nelle impostazioni delle notifiche, dove puoi anche disattivarla.',
    kinds: {
      'referral-received': 'Nuovi invii ricevuti',
      'inquiry-received': 'Nuove richieste ricevute',
      'information-requested': 'Informazioni richieste a te',
      'information-given': 'Informazioni date a te',
      'inquiry-answered': 'Tue richieste con risposta',
      accepted: 'Invii accettati',
      declined: 'Invii rifiutati',
      completed: 'Invii conclusi',
      withdrawn: 'Invii ritirati',
      'consent-withdrawn': 'Consensi revocati',
      'reply-by-tomorrow': 'Risposte dovute entro un giorno',
      'delivery-failed': 'Messaggi che non è stato possibile consegnare',
      'erasure-outstanding': 'Cancellazioni non ancora confermate',
    },
  },
  ro: {
    subjectImmediate: '{node}: notificări noi ({count})',
    subjectDaily: '{node}: notificările zilei ({count})',
    introImmediate: 'Aveți noutăți la {node}:',
    introDaily: 'De la ultimul rezumat, aveți noutăți la {node}:',
    open: 'Autentificați-vă pentru a le vedea: {link}',
    why: 'Acest e-mail nu numește nicio persoană și niciun caz: despre ce este vorba se vede doar după autentificare. Îl primiți pentru că ați ales acest lucru în setările de notificări, unde îl puteți și opri.',
    kinds: {
      'referral-received': 'Trimiteri noi primite',
      'inquiry-received': 'Solicitări noi primite',
      'information-requested': 'Informații cerute de la dumneavoastră',
      'information-given': 'Informații primite de dumneavoastră',
      'inquiry-answered': 'Solicitările dumneavoastră care au primit răspuns',
      accepted: 'Trimiteri acceptate',
      declined: 'Trimiteri refuzate',
      completed: 'Trimiteri finalizate',
      withdrawn: 'Trimiteri retrase',
      'consent-withdrawn': 'Consimțăminte retrase',
      'reply-by-tomorrow': 'Răspunsuri datorate în cel mult o zi',
      'delivery-failed': 'Mesaje care nu au putut fi livrate',
      'erasure-outstanding': 'Ștergeri neconfirmate încă',
    },
  },
  bg: {
    subjectImmediate: '{node}: нови известия ({count})',
    subjectDaily: '{node}: известията за деня ({count})',
    introImmediate: 'Имате новини в {node}:',
    introDaily: 'От последното обобщение имате новини в {node}:',
    open: 'Влезте, за да ги видите: {link}',
    why: 'Това писмо не назовава нито човек, нито случай: за какво става дума се вижда само след влизане. Получавате го, защото сте го избрали в настройките за известия, където можете и да го изключите.',
    kinds: {
      'referral-received': 'Получени нови насочвания',
      'inquiry-received': 'Получени нови запитвания',
      'information-requested': 'Поискана от вас информация',
      'information-given': 'Дадена ви информация',
      'inquiry-answered': 'Отговорени ваши запитвания',
      accepted: 'Приети насочвания',
      declined: 'Отказани насочвания',
      completed: 'Завършени насочвания',
      withdrawn: 'Оттеглени насочвания',
      'consent-withdrawn': 'Оттеглени съгласия',
      'reply-by-tomorrow': 'Отговори с краен срок до един ден',
      'delivery-failed': 'Съобщения, които не можаха да бъдат доставени',
      'erasure-outstanding': 'Непотвърдени изтривания',
    },
  },
};

const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (whole, key: string) => (values[key] === undefined ? whole : String(values[key])));

export interface NotificationMail {
  subject: string;
  text: string;
}

/**
 * The mail of `counts` (kind by kind, in the order of the kinds' list) for a user reading
 * `language`: subject and plain text, nothing but the node's name, the kinds, their counts and
 * `link`.
 */
export function composeMail(
  language: MailLanguage,
  mail: { nodeName: string; daily: boolean; counts: ReadonlyMap<NotificationKind, number>; link: string },
  kindsInOrder: readonly NotificationKind[],
): NotificationMail {
  const t = MAIL_TEXTS[language];
  const total = [...mail.counts.values()].reduce((sum, n) => sum + n, 0);
  const lines = kindsInOrder.filter((kind) => (mail.counts.get(kind) ?? 0) > 0).map((kind) => `- ${t.kinds[kind]}: ${mail.counts.get(kind)!}`);
  const subject = fill(mail.daily ? t.subjectDaily : t.subjectImmediate, { node: mail.nodeName, count: total });
  const text = [fill(mail.daily ? t.introDaily : t.introImmediate, { node: mail.nodeName }), '', ...lines, '', fill(t.open, { link: mail.link }), '', '-- ', t.why, ''].join('\n');
  return { subject, text };
}
