// Structured logs (pino, JSON lines on stdout). Log lines carry ids, types and states only:
// never referral content, names, contact details or secrets. The redaction list is a second
// line of defence, not the first.
import { pino, type Logger } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'referral-node' },
      redact: { paths: ['client', '*.client', 'password', '*.password', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}
