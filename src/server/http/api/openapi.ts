/**
 * The OpenAPI 3.1 description of the REST API, served at `/api/v1/openapi.json`. Written
 * by hand next to the routes; `test/integration/rest-openapi.test.ts` checks that every
 * route of `API_ROUTES` is described here and nothing else is.
 */
import { AUDIT_EVENTS } from '../../store/store.js';
import { MIN_API_KEY_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/account-schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });

/** Which reusable response describes an error status. */
const ERROR_RESPONSES: Record<number, string> = {
  400: 'Invalid',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  429: 'RateLimited',
};

/** The error responses of an operation, by status. */
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { $ref: `#/components/responses/${ERROR_RESPONSES[status] ?? 'Error'}` },
    ]),
  );
const groupIdParam = {
  name: 'groupId',
  in: 'path',
  required: true,
  description: 'Group id (4–6 digits).',
  schema: { type: 'string', pattern: '^[0-9]{4,6}$' },
};
const siteParam = {
  name: 'site',
  in: 'path',
  required: true,
  description: 'Which settings: those of the `staging` or of the `production` site.',
  schema: { type: 'string', enum: ['staging', 'production'] },
};
const agentIdParam = {
  name: 'agentId',
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 1 },
};
const queryParam = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const privileges = {
  type: 'object',
  additionalProperties: false,
  properties: {
    view: { type: 'boolean', description: 'May view sessions.' },
    remoteControl: { type: 'boolean', description: 'May ask for remote control.' },
    navigate: { type: 'boolean', description: 'May navigate the visitor.' },
    screenShare: { type: 'boolean', description: 'May show their own screen.' },
  },
};

const agentFields = {
  username: {
    type: 'string',
    maxLength: 100,
    pattern: '^[A-Za-z0-9._@+-]+$',
    description: 'Sign-in name, unique in the installation.',
  },
  displayName: { type: 'string', maxLength: 100 },
  email: { type: 'string', description: 'An email address, or empty.' },
  title: { type: 'string', maxLength: 100 },
  partnerUserId: {
    type: 'string',
    maxLength: 200,
    description:
      'The CRM’s id of the agent (Glance `partneruserid`), unique in the group; empty for none.',
  },
  password: {
    type: ['string', 'null'],
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: 1000,
    description: 'Password; `null` or left out: the agent signs in by SSO only. Never returned.',
  },
  role: {
    type: 'string',
    enum: ['admin', 'agent', 'viewer'],
    description:
      '`admin` manages the installation (not with a group API key); `viewer` only views.',
  },
  privileges: {
    ...privileges,
    description: 'Default: all for `admin` and `agent`, `view` only for `viewer`.',
  },
  disabled: { type: 'boolean', description: 'A disabled agent cannot sign in or join.' },
};

const settingsFields = {
  maskedSelectors: {
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 1000 },
    maxItems: 500,
    description: 'CSS selectors masked in the visitor’s browser (besides `glance_masked` markup).',
  },
  trustedDomains: {
    type: 'array',
    items: { type: 'string', examples: ['shop.example.com', '*.example.com', 'https://shop.example.com/cobrowse-helper.html'] },
    maxItems: 500,
    description:
      'Hosts the agent may navigate the visitor to and the session may follow, or URLs of cross-domain helper pages (pages with the tag and `script=XDOM`), whose host is trusted too.',
  },
  randomKeyLength: {
    type: 'integer',
    minimum: 4,
    maximum: 9,
    description: 'Digits of a random session code.',
  },
  allowDuplicateKeys: {
    type: 'boolean',
    description: 'Whether two live sessions may share a key.',
  },
  allowRemoteControl: {
    type: 'boolean',
    description: 'Whether agents may ask for remote control.',
  },
  termsText: {
    type: 'string',
    maxLength: 10000,
    description: 'Consent dialog text; empty for the default.',
  },
  termsUrl: {
    type: 'string',
    description: 'Absolute http(s) URL shown in the consent dialog, or empty.',
  },
  sessionCodeExpiryMinutes: {
    type: 'integer',
    minimum: 1,
    maximum: 1440,
    description: 'Minutes a random code stays valid while no agent has joined.',
  },
};

/** The OpenAPI document. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'OpenCobrowse REST API',
    version: '1',
    description:
      'Groups, API keys, settings, agents, login keys and the audit log of an OpenCobrowse installation. ' +
      'Authenticate with a group API key (`Authorization: Bearer <key>`; acts on that group only) or, from a browser, ' +
      'with an administrator’s session cookie plus its CSRF token in `X-CSRF-Token` for every change. See docs/rest-api.md.',
  },
  servers: [{ url: '/' }],
  security: [{ groupApiKey: [] }, { adminSession: [], csrfToken: [] }],
  paths: {
    '/api/v1/groups': {
      get: {
        operationId: 'listGroups',
        summary: 'Groups the caller may see (a group key: its own).',
        responses: {
          '200': {
            description: 'The groups.',
            content: json({
              type: 'object',
              required: ['groups'],
              properties: { groups: { type: 'array', items: ref('Group') } },
            }),
          },
          ...errors(401, 403, 429),
        },
      },
      post: {
        operationId: 'createGroup',
        summary: 'Create a group (administrators only). Its API key is in this answer only.',
        requestBody: { required: true, content: json(ref('NewGroup')) },
        responses: {
          '201': { description: 'Created.', content: json(ref('GroupWithKey')) },
          ...errors(400, 401, 403, 409, 429),
        },
      },
    },
    '/api/v1/groups/{groupId}': {
      parameters: [groupIdParam],
      get: {
        operationId: 'getGroup',
        summary: 'One group.',
        responses: {
          '200': { description: 'The group.', content: json(ref('Group')) },
          ...errors(401, 403, 404, 429),
        },
      },
      patch: {
        operationId: 'updateGroup',
        summary: 'Rename a group.',
        requestBody: { required: true, content: json(ref('GroupPatch')) },
        responses: {
          '200': { description: 'The group.', content: json(ref('Group')) },
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    '/api/v1/groups/{groupId}/api-key': {
      parameters: [groupIdParam],
      post: {
        operationId: 'rotateApiKey',
        summary:
          'Replace the group’s API key. The old key stops working at once (login keys it signed too).',
        responses: {
          '200': {
            description: 'The new key, shown this once.',
            content: json(ref('GroupWithKey')),
          },
          ...errors(401, 403, 404, 429),
        },
      },
    },
    '/api/v1/groups/{groupId}/settings/{site}': {
      parameters: [groupIdParam, siteParam],
      get: {
        operationId: 'getSettings',
        summary: 'A site’s settings, defaults filled in.',
        responses: {
          '200': { description: 'The settings.', content: json(ref('SiteSettings')) },
          ...errors(401, 403, 404, 429),
        },
      },
      patch: {
        operationId: 'updateSettings',
        summary:
          'Change some settings; the others keep their value. They apply from the next session start.',
        requestBody: { required: true, content: json(ref('SiteSettingsPatch')) },
        responses: {
          '200': {
            description: 'The settings after the change.',
            content: json(ref('SiteSettings')),
          },
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    '/api/v1/groups/{groupId}/agents': {
      parameters: [groupIdParam],
      get: {
        operationId: 'listAgents',
        summary: 'The group’s agents.',
        responses: {
          '200': {
            description: 'The agents.',
            content: json({
              type: 'object',
              required: ['agents'],
              properties: { agents: { type: 'array', items: ref('Agent') } },
            }),
          },
          ...errors(401, 403, 404, 429),
        },
      },
      post: {
        operationId: 'createAgent',
        summary: 'Add an agent to the group.',
        requestBody: { required: true, content: json(ref('NewAgent')) },
        responses: {
          '201': { description: 'Created.', content: json(ref('Agent')) },
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
    },
    '/api/v1/groups/{groupId}/login-keys': {
      parameters: [groupIdParam],
      post: {
        operationId: 'issueLoginKey',
        summary:
          'Make a login key for an agent of the group (for CRMs that do not sign their own, and for tests).',
        requestBody: { required: true, content: json(ref('LoginKeyRequest')) },
        responses: {
          '201': { description: 'The login key.', content: json(ref('LoginKey')) },
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
    },
    '/api/v1/agents/{agentId}': {
      parameters: [agentIdParam],
      get: {
        operationId: 'getAgent',
        summary: 'One agent.',
        responses: {
          '200': { description: 'The agent.', content: json(ref('Agent')) },
          ...errors(401, 403, 404, 429),
        },
      },
      patch: {
        operationId: 'updateAgent',
        summary: 'Change an agent. A new password or disabling signs the agent out everywhere.',
        requestBody: { required: true, content: json(ref('AgentPatch')) },
        responses: {
          '200': { description: 'The agent.', content: json(ref('Agent')) },
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
      delete: {
        operationId: 'deleteAgent',
        summary: 'Delete an agent (their audit entries stay).',
        responses: { '204': { description: 'Deleted.' }, ...errors(401, 403, 404, 429) },
      },
    },
    '/api/v1/audit': {
      get: {
        operationId: 'listAudit',
        summary: 'Audit entries, newest first, filtered; page with `next` → `before`.',
        parameters: [
          queryParam('groupId', 'Only this group (a group key sees only its own).'),
          queryParam('agentId', 'Only entries of this agent.', { type: 'integer', minimum: 1 }),
          queryParam('sessionKey', 'Only this session key.'),
          queryParam('event', 'Only this event.', { type: 'string', enum: [...AUDIT_EVENTS] }),
          queryParam(
            'from',
            'From this time: `YYYY-MM-DD` (UTC day start), ISO 8601, or ms since 1970.',
          ),
          queryParam(
            'to',
            'Until this time, inclusive: `YYYY-MM-DD` (whole UTC day), ISO 8601, or ms.',
          ),
          queryParam('before', 'The `next` cursor of the previous page.'),
          queryParam('limit', 'Entries per page (default 100).', {
            type: 'integer',
            minimum: 1,
            maximum: 1000,
          }),
        ],
        responses: {
          '200': { description: 'A page of entries.', content: json(ref('AuditPage')) },
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document.',
        security: [],
        responses: {
          '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      groupApiKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'A group’s API key; acts on that group only and cannot create administrators.',
      },
      adminSession: {
        type: 'apiKey',
        in: 'cookie',
        name: 'oc_session',
        description: 'The session cookie of a signed-in administrator.',
      },
      csrfToken: {
        type: 'apiKey',
        in: 'header',
        name: 'X-CSRF-Token',
        description:
          'With a session cookie: the session’s CSRF token, required for POST, PATCH and DELETE.',
      },
    },
    responses: Object.fromEntries(
      [
        ['Error', 'An error.'],
        ['Invalid', 'The input is invalid; `issues` names every field at fault.'],
        ['Unauthorized', 'No valid API key or session.'],
        ['Forbidden', 'Not allowed for this caller (or a missing CSRF token).'],
        [
          'NotFound',
          'No such group, agent or site — also for another group’s, seen with a group key.',
        ],
        ['Conflict', 'Taken (group id, username, partner user id, API key) or not possible now.'],
        ['RateLimited', 'Too many invalid API keys from this address; try again later.'],
      ].map(([name, description]) => [name, { description, content: json(ref('Error')) }]),
    ),
    schemas: {
      Error: {
        type: 'object',
        required: ['error', 'message'],
        properties: {
          error: {
            type: 'string',
            examples: [
              'invalid',
              'unauthorized',
              'forbidden',
              'not-found',
              'conflict',
              'csrf',
              'rate_limited',
            ],
          },
          message: { type: 'string', description: 'What went wrong, for people.' },
          field: { type: 'string', description: 'The field at fault.' },
          issues: {
            type: 'array',
            items: {
              type: 'object',
              required: ['field', 'message'],
              properties: { field: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
      Group: {
        type: 'object',
        required: ['id', 'name', 'hasApiKey', 'createdAt'],
        properties: {
          id: { type: 'string', pattern: '^[0-9]{4,6}$' },
          name: { type: 'string' },
          hasApiKey: { type: 'boolean' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      GroupWithKey: {
        type: 'object',
        required: ['group', 'apiKey'],
        properties: {
          group: ref('Group'),
          apiKey: { type: 'string', description: 'Shown only in this answer: store it now.' },
        },
      },
      NewGroup: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: {
          id: { type: 'string', pattern: '^[0-9]{4,6}$' },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          apiKey: {
            type: 'string',
            minLength: MIN_API_KEY_LENGTH,
            maxLength: 256,
            description: 'Default: generated (recommended).',
          },
        },
      },
      GroupPatch: {
        type: 'object',
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
      },
      SiteSettings: {
        type: 'object',
        required: Object.keys(settingsFields),
        properties: settingsFields,
      },
      SiteSettingsPatch: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: settingsFields,
      },
      Agent: {
        type: 'object',
        required: [
          'id',
          'groupId',
          'username',
          'displayName',
          'email',
          'title',
          'partnerUserId',
          'role',
          'privileges',
          'disabled',
          'hasPassword',
          'createdAt',
        ],
        properties: {
          id: { type: 'integer' },
          groupId: { type: 'string' },
          ...Object.fromEntries(
            Object.entries(agentFields).filter(([name]) => name !== 'password'),
          ),
          hasPassword: { type: 'boolean' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      NewAgent: {
        type: 'object',
        additionalProperties: false,
        required: ['username'],
        properties: agentFields,
      },
      AgentPatch: { type: 'object', additionalProperties: false, properties: agentFields },
      LoginKeyRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['partnerUserId'],
        properties: {
          partnerUserId: { type: 'string', minLength: 1 },
          expiresIn: {
            type: 'integer',
            minimum: 1,
            maximum: 86400,
            default: 3600,
            description: 'Lifetime, seconds.',
          },
          sessionKey: {
            type: 'string',
            pattern: '^[A-Za-z0-9_-]{1,50}$',
            description: 'When given, `viewerUrl` opens this session.',
          },
        },
      },
      LoginKey: {
        type: 'object',
        required: ['loginKey', 'expires', 'expiresAt', 'partnerId', 'partnerUserId', 'agentId'],
        properties: {
          loginKey: {
            type: 'string',
            examples: ['$1$1392680360$YsT2Kj8rOp6FaJOG69o3QOj-GUacRiOo7Gw6l1EPVB8'],
          },
          expires: { type: 'integer', description: 'Unix seconds.' },
          expiresAt: { type: 'string', format: 'date-time' },
          partnerId: { type: 'string' },
          partnerUserId: { type: 'string' },
          agentId: { type: 'integer' },
          viewerUrl: {
            type: 'string',
            description: 'The viewer URL that signs the agent in and opens `sessionKey`.',
          },
        },
      },
      AuditEntry: {
        type: 'object',
        required: ['id', 'at', 'groupId', 'event', 'sessionId', 'sessionKey', 'agentId', 'detail'],
        properties: {
          id: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          groupId: { type: 'string' },
          event: { type: 'string', enum: [...AUDIT_EVENTS] },
          sessionId: { type: ['string', 'null'] },
          sessionKey: { type: ['string', 'null'] },
          agentId: {
            type: ['integer', 'null'],
            description: 'The agent who acted (admin events: the administrator).',
          },
          detail: {
            type: 'object',
            description: 'Reason, URL, who made an admin change (`by`), …',
          },
        },
      },
      AuditPage: {
        type: 'object',
        required: ['entries', 'next'],
        properties: {
          entries: { type: 'array', items: ref('AuditEntry') },
          next: {
            type: ['string', 'null'],
            description: 'Pass as `before` for the next page; null on the last.',
          },
        },
      },
    },
  },
} as const;
