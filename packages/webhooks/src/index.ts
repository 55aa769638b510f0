/**
 * `@scimkit/webhooks`: scimkit's durable change feed delivered over HTTP, as
 * Standard Webhooks or as RFC 9967 security event tokens (pushed per RFC 8935 or
 * polled per RFC 8936). Built on `createChangeConsumer` from `@scimkit/core`.
 */

export { changeId } from "./change-id";
export {
  createWebhookConsumer,
  createWebhookSender,
  type WebhookConsumerOptions,
  type WebhookSenderOptions,
} from "./create-webhook-consumer";
export type { DeliveryConsumerOptions, DeliveryReport } from "./delivery-consumer";
export { DeliveryError, EndpointGoneError, PermanentDeliveryError } from "./http-delivery";
export {
  createSecurityEventIssuer,
  type IssuedSecurityEvent,
  type ResourceTypeEndpoints,
  type SecurityEventIssuerOptions,
} from "./security-events/create-security-event-issuer";
export {
  createSetPollEndpoint,
  type SetPollEndpoint,
  type SetPollEndpointOptions,
} from "./security-events/create-set-poll-endpoint";
export {
  createSetPushConsumer,
  createSetPushSender,
  type SetPushConsumerOptions,
  type SetPushSenderOptions,
} from "./security-events/create-set-push-consumer";
export {
  type SecurityEventClaims,
  type SetAlgorithm,
  type SetSigningKey,
  type SetVerificationKey,
  type VerifySetError,
  type VerifySetOptions,
  type VerifySetResult,
  verifySecurityEventToken,
} from "./security-events/jws";
export {
  SCIM_EVENT_URIS,
  type ScimSecurityEvent,
  type SecurityEventMode,
  scimSecurityEvent,
  securityEventUris,
} from "./security-events/scim-security-event";
export { securityEventsConfig } from "./security-events/security-events-config";
export {
  generateWebhookSecret,
  signWebhook,
  type VerifyWebhookError,
  type VerifyWebhookOptions,
  type VerifyWebhookResult,
  verifyWebhook,
  WEBHOOK_SECRET_PREFIX,
  type WebhookRequestHeaders,
} from "./standard-webhooks";
export type { WebhookPayload } from "./webhook-payload";
