import { Hono } from 'hono'
import { callerOf, requireAction } from '../auth/middleware.js'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { INVALID, UNAUTHORIZED } from '../http/responses.js'
import { validate } from '../http/validate.js'
import { PageQuery } from '../lib/page-query.js'
import { listDeliveries, retryDelivery } from './deliveries.js'
import {
  CreatedWebhook,
  CreateWebhookInput,
  Delivery,
  DeliveryList,
  ListDeliveriesQuery,
  RotatedWebhook,
  RotateSecretInput,
  UpdateWebhookInput,
  Webhook,
  WebhookList,
} from './schema.js'
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
} from './webhooks.js'

const WEBHOOK_NOT_FOUND = {
  404: { description: 'No such webhook (another partner\u2019s webhooks do not exist for you)' },
}
const BAD_URL =
  'Validation failed (`invalid_request`): a bad field, an unknown story, or a refused URL (only http/https; private, loopback and link-local targets are refused)'

export function webhookRoutes() {
  const app = new Hono<AppEnv>()
  const tag = 'Webhooks'
  const guard = requireAction('webhooks:manage')
  const common = { ...UNAUTHORIZED, 403: { description: 'Editors may not manage webhooks' } }

  app.post(
    '/webhooks',
    describe({
      operationId: 'createWebhook',
      tag,
      access: 'partner',
      summary: 'Register a webhook endpoint',
      description:
        'Each event of the chosen stories (`["*"]`: every story) is POSTed to `url`, one Event per request, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The `secret` is shown only in this response. Partners never receive events of draft stories. See docs/webhooks.md.',
      responses: {
        201: { description: 'Registered', schema: CreatedWebhook },
        400: { description: BAD_URL },
        ...common,
        409: { description: 'This key has as many webhooks as allowed (`webhook_limit_reached`)' },
      },
    }),
    guard,
    validate('json', CreateWebhookInput),
    async (c) => {
      return jsonAnswer(c, await createWebhook(c.var.deps, callerOf(c), c.req.valid('json')), 201)
    },
  )

  app.get(
    '/webhooks',
    describe({
      operationId: 'listWebhooks',
      tag,
      access: 'partner',
      summary: 'List webhooks (a partner\u2019s own; an admin sees all), newest first',
      responses: { 200: { description: 'A page of webhooks', schema: WebhookList }, ...INVALID, ...common },
    }),
    guard,
    validate('query', PageQuery),
    async (c) => {
      return jsonAnswer(c, await listWebhooks(c.var.deps, callerOf(c), c.req.valid('query')))
    },
  )

  app.get(
    '/webhooks/:id',
    describe({
      operationId: 'getWebhook',
      tag,
      access: 'partner',
      summary: 'Get a webhook (never its secret)',
      description: '`disabledAt` and `disabledReason` say whether and why deliveries stopped.',
      responses: { 200: { description: 'The webhook', schema: Webhook }, ...common, ...WEBHOOK_NOT_FOUND },
    }),
    guard,
    async (c) => {
      return jsonAnswer(c, await getWebhook(c.var.deps, callerOf(c), c.req.param('id')))
    },
  )

  app.patch(
    '/webhooks/:id',
    describe({
      operationId: 'updateWebhook',
      tag,
      access: 'partner',
      summary: 'Change a webhook, or re-enable (`enabled: true`) or pause (`enabled: false`) it',
      description:
        'Re-enabling clears `disabledAt` and `disabledReason`; deliveries still pending resume in order. Events from while the endpoint was disabled are not queued: catch up with `GET /v1/stories/:story/events?since=`.',
      responses: {
        200: { description: 'The webhook', schema: Webhook },
        400: { description: BAD_URL },
        ...common,
        ...WEBHOOK_NOT_FOUND,
      },
    }),
    guard,
    validate('json', UpdateWebhookInput),
    async (c) => {
      return jsonAnswer(
        c,
        await updateWebhook(c.var.deps, callerOf(c), c.req.param('id'), c.req.valid('json')),
      )
    },
  )

  app.post(
    '/webhooks/:id/secret',
    describe({
      operationId: 'rotateWebhookSecret',
      tag,
      access: 'partner',
      summary: 'Rotate the signing secret, with an overlap during which both secrets sign',
      description:
        'Body `{}` or `{"overlapSeconds": n}` (0 to 604800, i.e. 7 days; default 86400). The new `secret` is shown only in this response. Until `previousSecretExpiresAt` every delivery carries two signatures in `webhook-signature` (space-separated, as Standard Webhooks allows): one with the new secret, one with the old; after it, only the new one. Standard Webhooks libraries accept a delivery when any signature matches, so a receiver can switch to the new secret at any time within the overlap. Rotating again drops the older secret at once. See docs/webhooks.md.',
      responses: {
        200: { description: 'Rotated', schema: RotatedWebhook },
        ...INVALID,
        ...common,
        ...WEBHOOK_NOT_FOUND,
      },
    }),
    guard,
    validate('json', RotateSecretInput),
    async (c) => {
      return jsonAnswer(
        c,
        await rotateWebhookSecret(c.var.deps, callerOf(c), c.req.param('id'), c.req.valid('json')),
      )
    },
  )

  app.delete(
    '/webhooks/:id',
    describe({
      operationId: 'deleteWebhook',
      tag,
      access: 'partner',
      summary: 'Delete a webhook with its pending deliveries and history',
      responses: { 204: { description: 'Deleted' }, ...common, ...WEBHOOK_NOT_FOUND },
    }),
    guard,
    async (c) => {
      await deleteWebhook(c.var.deps, callerOf(c), c.req.param('id'))
      return c.body(null, 204)
    },
  )

  app.get(
    '/webhooks/:id/deliveries',
    describe({
      operationId: 'listDeliveries',
      tag,
      access: 'partner',
      summary: 'List deliveries, newest first, with their attempts (status code, latency, error)',
      responses: {
        200: { description: 'A page of deliveries', schema: DeliveryList },
        ...INVALID,
        ...common,
        ...WEBHOOK_NOT_FOUND,
      },
    }),
    guard,
    validate('query', ListDeliveriesQuery),
    async (c) => {
      return jsonAnswer(
        c,
        await listDeliveries(c.var.deps, callerOf(c), c.req.param('id'), c.req.valid('query')),
      )
    },
  )

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/retry',
    describe({
      operationId: 'retryDelivery',
      tag,
      access: 'partner',
      summary: 'Send a delivery again (same webhook-id), with a fresh retry schedule',
      description:
        'Queues the delivery at once whatever its status. A resend of an old event may arrive after newer ones.',
      responses: {
        202: { description: 'Queued', schema: Delivery },
        ...common,
        404: { description: 'No such webhook or delivery' },
        409: { description: 'The webhook is disabled (`webhook_disabled`): re-enable it first' },
      },
    }),
    guard,
    async (c) => {
      const { id, deliveryId } = c.req.param()
      return jsonAnswer(c, await retryDelivery(c.var.deps, callerOf(c), id, deliveryId), 202)
    },
  )

  return app
}
