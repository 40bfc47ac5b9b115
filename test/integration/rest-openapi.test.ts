/**
 * The OpenAPI document stays true to the API: every registered REST route is described,
 * nothing else is, every `$ref` resolves, and the server serves the document.
 */
import { describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '../../src/server/http/api/openapi.js';
import { API_ROUTES, OPENAPI_PATH } from '../../src/server/http/api/routes.js';
import { startTestServer } from '../helpers/start-server.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `/api/v1/groups/:groupId` → `/api/v1/groups/{groupId}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

function documented(): string[] {
  const operations: string[] = [];
  for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
    for (const method of METHODS)
      if (method in item) operations.push(`${method.toUpperCase()} ${path}`);
  }
  return operations.sort();
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  it('describes exactly the registered routes', () => {
    const registered = [
      ...API_ROUTES.map((route) => `${route.method} ${openApiPath(route.url)}`),
      `GET ${OPENAPI_PATH}`,
    ].sort();
    expect(documented()).toEqual(registered);
  });

  it('documents every path parameter of every route', () => {
    for (const route of API_ROUTES) {
      const item = OPENAPI_DOCUMENT.paths[
        openApiPath(route.url) as keyof typeof OPENAPI_DOCUMENT.paths
      ] as {
        parameters?: { name: string; in: string }[];
      };
      const names = (item.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      const expected = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
      expect(names, route.url).toEqual(expected);
    }
  });

  it('has only references that resolve', () => {
    for (const ref of refsIn(OPENAPI_DOCUMENT)) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref) ?? [];
      expect(section, ref).toBeDefined();
      const components = OPENAPI_DOCUMENT.components as unknown as Record<
        string,
        Record<string, unknown>
      >;
      expect(components[section!]?.[name!], ref).toBeDefined();
    }
  });

  it('is served as OpenAPI 3.1 at /api/v1/openapi.json without authentication', async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.baseUrl}${OPENAPI_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi: string };
    expect(document.openapi).toBe('3.1.0');
    expect(document).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
  });
});
