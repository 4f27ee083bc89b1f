// Checks an HTTP response against the OpenAPI document that describes it: the status must be
// declared for the operation, the content type must be one it lists, and the body must match
// the schema. Every API test goes through this, so the spec and the code cannot drift apart.
import { expect } from 'vitest';
import { loadSpec, validatorAt, describeErrors, type SpecName } from '../../node/schema/validators.js';

type Operation = { responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> };

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function templatePath(spec: SpecName, concretePath: string): string {
  const paths = Object.keys(loadSpec(spec).paths as Record<string, unknown>);
  const found = paths.find((template) => {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(concretePath);
  });
  if (!found) throw new Error(`${concretePath} is not a path of spec/${spec}.yaml`);
  return found;
}

/** Returns the parsed body (JSON) or text, after checking it against the spec. */
export async function expectMatchesSpec(
  spec: SpecName,
  method: string,
  url: string,
  response: Response,
): Promise<unknown> {
  const path = templatePath(spec, new URL(url, 'http://x').pathname);
  const doc = loadSpec(spec) as { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, Operation['responses'][string]> } };
  const operation = doc.paths[path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} is not in spec/${spec}.yaml`).toBeDefined();
  const status = String(response.status);
  let declared = operation!.responses[status];
  expect(declared, `${method} ${path} does not declare status ${status}`).toBeDefined();
  let pointerBase = `/paths/${escape(path)}/${method.toLowerCase()}/responses/${status}`;
  if (declared!.$ref) {
    const name = declared!.$ref.split('/').pop()!;
    declared = doc.components.responses[name];
    pointerBase = `/components/responses/${name}`;
  }
  const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  // A response declared without content (204) must come without a body.
  if (!declared!.content) {
    expect(await response.text(), `${method} ${path} ${status}: a body where none is declared`).toBe('');
    return undefined;
  }
  const content = declared!.content;
  expect(Object.keys(content), `${method} ${path} ${status}: content type ${contentType} is not declared`).toContain(contentType);
  const text = await response.text();
  const body = contentType.endsWith('json') ? JSON.parse(text) : text;
  const validate = validatorAt(spec, `${pointerBase}/content/${escape(contentType)}/schema`);
  const valid = validate(body);
  expect(valid, `${method} ${path} ${status} body does not match the spec: ${JSON.stringify(describeErrors(validate.errors))}`).toBe(true);
  return body;
}
