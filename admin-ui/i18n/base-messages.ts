// The shape of the sign-in and frame texts (en.ts and its siblings), in a module of its own: the
// language files name it, and the catalogue that merges them imports them, so it cannot live there
// without an import cycle.
import type { en } from './en.js';

export type BaseMessages = { readonly [K in keyof typeof en]: string };
