// The directory's texts (names, descriptions) come in several languages; this is how one of them
// is chosen where only one can be shown. Apart from services.ts so that the command line can
// describe a service without loading the service store.

/** A text of the directory in one language: English if it was written in English, else its first. */
export function inOneLanguage(text: Readonly<Record<string, string>>): string {
  return text.en ?? Object.values(text)[0] ?? '';
}
