// docs/protocol.md explains the protocol to implementers with values from the test vectors and
// references into spec/federation.yaml. Neither may drift: every block marked
// `<!-- vector: <file>#<JSON pointer> -->` must show the value at that pointer of
// spec/vectors/<file>, every value shortened with "…" must be the start of a vector value, every
// `(spec: …)` must name a `## ` heading of the spec's info.description or one of its schemas, and
// every problem type named in backticks must be one of ProblemType.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpec, projectRoot } from '../../node/schema/validators.js';

const DOC = 'docs/protocol.md';
const VECTORS = join(projectRoot(), 'spec', 'vectors');
const PROBLEM_PREFIX = 'urn:refnet:problem:';

interface Spec {
  info: { description: string };
  components: { schemas: Record<string, unknown> & { ProblemType: { enum: string[] }; MessageType: { description: string } } };
}

const spec = loadSpec('federation') as unknown as Spec;
const lines = readFileSync(join(projectRoot(), DOC), 'utf8').split('\n');

const MARKER = /^<!-- vector: ([A-Za-z0-9._-]+\.json)#(\S*) -->$/;
const FENCE = /^(`{3,}|~{3,})/;

interface Marker {
  line: number; // 1-based, for messages
  file: string;
  pointer: string;
  block: { content: string } | { error: string };
}

/** The fenced code block that opens on line index `start`, or why there is none. */
function blockAt(start: number): { content: string; end: number } | { error: string } {
  const opening = FENCE.exec(lines[start] ?? '');
  if (!opening) return { error: 'is not followed on the next line by a fenced code block (```)' };
  const fence = opening[1]!;
  const closing = new RegExp(`^\\${fence[0]}{${fence.length},}\\s*$`);
  for (let i = start + 1; i < lines.length; i++) {
    if (closing.test(lines[i]!)) return { content: lines.slice(start + 1, i).join('\n'), end: i };
  }
  return { error: 'opens a code block that is never closed' };
}

/** Lines outside fenced code blocks, with their 1-based numbers; and every marker. */
const prose: { line: number; text: string }[] = [];
const markers: Marker[] = [];
const malformedMarkers: string[] = [];
for (let i = 0; i < lines.length; i++) {
  const line = lines[i]!;
  if (FENCE.test(line)) {
    const block = blockAt(i);
    if ('end' in block) {
      i = block.end;
      continue;
    }
  }
  const marker = MARKER.exec(line.trim());
  if (marker) {
    const block = blockAt(i + 1);
    markers.push({ line: i + 1, file: marker[1]!, pointer: marker[2]!, block: 'end' in block ? { content: block.content } : block });
    if ('end' in block) i = block.end;
    continue;
  }
  if (/<!--\s*vector\b/.test(line)) malformedMarkers.push(`${DOC}:${i + 1}: a vector marker is written \`<!-- vector: <file>.json#/json/pointer -->\`, alone on its line`);
  prose.push({ line: i + 1, text: line });
}

type Resolved = { found: true; value: unknown } | { found: false; why: string };

/** RFC 6901: the value at `pointer` in `document`. */
function resolvePointer(document: unknown, pointer: string): Resolved {
  if (pointer === '') return { found: true, value: document };
  if (!pointer.startsWith('/')) return { found: false, why: 'a JSON pointer starts with "/"' };
  let value: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= value.length) return { found: false, why: `no item "${token}"` };
      value = value[Number(token)];
    } else if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, token)) {
      value = (value as Record<string, unknown>)[token];
    } else {
      return { found: false, why: `no member "${token}"` };
    }
  }
  return { found: true, value };
}

const vectorFiles = new Map<string, unknown>(
  readdirSync(VECTORS)
    .filter((name) => name.endsWith('.json'))
    .map((name) => [name, JSON.parse(readFileSync(join(VECTORS, name), 'utf8')) as unknown]),
);

function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) stringsIn(item, into);
  return into;
}

describe('the vector values in docs/protocol.md', () => {
  it('are at least ten, each marked as the vector it comes from', () => {
    expect(malformedMarkers).toEqual([]);
    expect(markers.length, `${DOC} should show at least 10 values from spec/vectors/, each after a <!-- vector: … --> marker`).toBeGreaterThanOrEqual(10);
  });

  it('each follow their marker at once, in a fenced code block', () => {
    const missing = markers.flatMap((m) => ('error' in m.block ? [`${DOC}:${m.line}: <!-- vector: ${m.file}#${m.pointer} --> ${m.block.error}`] : []));
    expect(missing).toEqual([]);
  });

  it('are the values the vector files hold now', () => {
    const wrong: string[] = [];
    for (const m of markers) {
      const where = `${DOC}:${m.line}: <!-- vector: ${m.file}#${m.pointer} -->`;
      if (!existsSync(join(VECTORS, m.file)) || !vectorFiles.has(m.file)) {
        wrong.push(`${where} names spec/vectors/${m.file}, which does not exist`);
        continue;
      }
      const resolved = resolvePointer(vectorFiles.get(m.file), m.pointer);
      if (!resolved.found) {
        wrong.push(`${where}: spec/vectors/${m.file} has nothing at ${m.pointer} (${resolved.why}); point the marker at a value that exists`);
        continue;
      }
      if ('error' in m.block) continue; // reported by the test above
      const expected = typeof resolved.value === 'string' ? resolved.value : JSON.stringify(resolved.value, null, 2);
      // A code block cannot end in a newline, so surrounding white space is not compared.
      if (m.block.content.trim() !== expected.trim()) {
        wrong.push(
          `${where}: the block differs from spec/vectors/${m.file} at ${m.pointer}. If the vectors changed on purpose ` +
            `(\`npm run gen:vectors\`), put their new value in the block in ${DOC}; if not, run \`npm run gen:vectors\` and review the diff. ` +
            `The vector holds:\n${expected}`,
        );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('shortened with "…" are each the start of a value in the vectors', () => {
    const values = [...vectorFiles.values()].flatMap((document) => stringsIn(document));
    const stale: string[] = [];
    lines.forEach((line, index) => {
      for (const match of line.matchAll(/([A-Za-z0-9_+/=-]{8,})…/g)) {
        const start = match[1]!;
        if (!/[0-9]/.test(start)) continue; // words and parameter names, not encoded values
        if (!values.some((value) => value.startsWith(start))) {
          stale.push(`${DOC}:${index + 1}: "${start}…" is not how any value in spec/vectors/ starts: take it from the vectors again`);
        }
      }
    });
    expect(stale).toEqual([]);
  });
});

/** Every `## ` heading of info.description. */
const headings = new Set(
  spec.info.description
    .split('\n')
    .map((line) => /^## (.+)$/.exec(line.trim())?.[1]?.trim())
    .filter((heading): heading is string => heading !== undefined),
);
const schemas = new Set(Object.keys(spec.components.schemas));

/** Each `(spec: …)` in the prose, with its parentheses balanced (headings have parentheses too). */
function specReferences(): { line: number; target: string | undefined }[] {
  const found: { line: number; target: string | undefined }[] = [];
  for (const { line, text } of prose) {
    let from = 0;
    for (;;) {
      const at = text.indexOf('(spec:', from);
      if (at < 0) break;
      let depth = 0;
      let end = -1;
      for (let i = at; i < text.length; i++) {
        if (text[i] === '(') depth += 1;
        else if (text[i] === ')' && --depth === 0) {
          end = i;
          break;
        }
      }
      found.push({ line, target: end < 0 ? undefined : text.slice(at + '(spec:'.length, end).trim() });
      from = end < 0 ? text.length : end + 1;
    }
  }
  return found;
}

describe('the spec references in docs/protocol.md', () => {
  const references = specReferences();

  it('name a heading of info.description or a schema of spec/federation.yaml', () => {
    const broken: string[] = [];
    for (const { line, target } of references) {
      if (target === undefined) broken.push(`${DOC}:${line}: a "(spec:" reference is not closed on its line`);
      else if (target.startsWith('#/components/schemas/')) {
        const name = target.slice('#/components/schemas/'.length);
        if (!schemas.has(name)) broken.push(`${DOC}:${line}: (spec: ${target}) names no schema of spec/federation.yaml`);
      } else if (!headings.has(target)) {
        broken.push(`${DOC}:${line}: (spec: ${target}) is not a "## " heading of spec/federation.yaml's info.description (it has: ${[...headings].join('; ')})`);
      }
    }
    expect(references.length).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });

  it('are all written as (spec: …)', () => {
    const loose = prose.flatMap(({ line, text }) =>
      [...text.matchAll(/(.)?spec: /g)].filter((m) => m[1] !== '(').map(() => `${DOC}:${line}: write a spec reference as "(spec: <heading>)" or "(spec: #/components/schemas/<Name>)"`),
    );
    expect(loose).toEqual([]);
  });

  it('link every section of the document to the part of the spec it explains', () => {
    const sections: { heading: string; references: number }[] = [];
    for (const { line, text } of prose) {
      if (text.startsWith('## ')) sections.push({ heading: text, references: 0 });
      const current = sections[sections.length - 1];
      if (current) current.references += references.filter((r) => r.line === line).length;
    }
    expect(sections.filter((s) => s.references === 0).map((s) => `${s.heading} has no (spec: …) reference`)).toEqual([]);
  });
});

/** Every string in an `enum` or `const` of the spec's schemas, ProblemType's left out. */
function otherSpecTerms(): Set<string> {
  const terms = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'enum' && Array.isArray(item)) item.filter((v): v is string => typeof v === 'string').forEach((v) => terms.add(v));
        else if (key === 'const' && typeof item === 'string') terms.add(item);
        else walk(item);
      }
    }
  };
  for (const [name, schema] of Object.entries(spec.components.schemas)) if (name !== 'ProblemType') walk(schema);
  // The referral states: the "from" and "to" columns of the lifecycle tables in MessageType.
  for (const row of spec.components.schemas.MessageType.description.split('\n')) {
    const cells = row.trim().startsWith('| `') ? row.split('|').slice(3, 5) : [];
    for (const cell of cells) for (const state of cell.matchAll(/`([a-z-]+)`/g)) terms.add(state[1]!);
  }
  return terms;
}

describe('the problem types named in docs/protocol.md', () => {
  it('are all of ProblemType (no stale names)', () => {
    const problems = new Set(spec.components.schemas.ProblemType.enum.map((type) => type.replace(PROBLEM_PREFIX, '')));
    const others = otherSpecTerms();
    const stale: string[] = [];
    let named = 0;
    for (const { line, text } of prose) {
      for (const span of text.matchAll(/`([^`]+)`/g)) {
        const code = span[1]!;
        const urn = code.startsWith(PROBLEM_PREFIX) ? code.slice(PROBLEM_PREFIX.length) : undefined;
        if (urn !== undefined) {
          if (/^[a-z0-9-]+$/.test(urn) && !problems.has(urn)) stale.push(`${DOC}:${line}: \`${code}\` is not in ProblemType`);
          continue;
        }
        if (!/^[a-z0-9]+(-[a-z0-9]+)+$/.test(code)) continue; // not a kebab-case name
        if (problems.has(code)) named += 1;
        else if (!others.has(code)) {
          stale.push(`${DOC}:${line}: \`${code}\` is not a problem type of ProblemType (nor a state or value spec/federation.yaml defines): a stale name?`);
        }
      }
    }
    expect(named).toBeGreaterThan(20);
    expect(stale).toEqual([]);
  });
});
