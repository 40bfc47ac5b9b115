/**
 * The shape of a REST route: a method, a Fastify URL and a handler that gets the caller's
 * `Actor` and returns a status and body. `routes.ts` registers the table; `openapi.ts`
 * documents the same table (a test keeps the two in step).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GenericSchema, InferOutput } from 'valibot';
import { parseInput } from '../../auth/account-schemas.js';
import type { Actor } from '../../auth/accounts.js';
import type { HttpDeps } from '../context.js';
import { invalidInput } from './json.js';

/** What a handler works with. */
export interface ApiContext {
  request: FastifyRequest;
  reply: FastifyReply;
  deps: HttpDeps;
  actor: Actor;
  /** Path parameters. */
  params: Record<string, string>;
  /** Query parameters (the first value of each). */
  query: Record<string, string>;
}

/** What a handler answers. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/** One REST route. */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Fastify syntax: `/api/v1/groups/:groupId`. */
  url: string;
  handler(context: ApiContext): Promise<ApiResponse>;
}

/** The request body parsed with `schema`, or a 400 naming the fields. */
export function bodyOf<S extends GenericSchema>(context: ApiContext, schema: S): InferOutput<S> {
  const body = context.request.body ?? {};
  const result = parseInput(schema, body);
  if (!result.ok) throw invalidInput(result.issues);
  return result.value;
}

/** A path parameter ('' when absent; the handlers answer 404 for one that names nothing). */
export function paramOf(context: ApiContext, name: string): string {
  return context.params[name] ?? '';
}

/** `{ status: 200, body }`. */
export function ok(body: unknown, status = 200): ApiResponse {
  return { status, body };
}
