// Types of build-state.js (plain JavaScript: bin/ runs before anything is compiled).
export const BUILD_STAMP: string;
export const SOURCE_FOLDERS: string[];
export function newestSource(root: string): { path: string | undefined; mtimeMs: number };
export function buildProblem(root: string): string | undefined;
export function markBuilt(root: string, startedMs: number): void;
