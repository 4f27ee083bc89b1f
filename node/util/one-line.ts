// A short text a person gives on one line (a display name, a pseudonym): trimmed, runs of spaces
// made one, no control characters, at most `max` characters (as people count them).
export type OneLineProblem = 'empty' | 'too-long' | 'control-characters';

export function oneLineText(given: string, max: number): { ok: true; text: string } | { ok: false; problem: OneLineProblem } {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(given)) return { ok: false, problem: 'control-characters' };
  const text = given.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (text === '') return { ok: false, problem: 'empty' };
  if ([...text].length > max) return { ok: false, problem: 'too-long' };
  return { ok: true, text };
}
