/**
 * Why a message does not honour the event contract. Every code is fatal for the message:
 * retrying cannot fix bytes or headers, so consumers send it to `<topic>.dlq` at once
 * instead of blocking the partition.
 * A const object rather than a TS enum so that callers may also write the plain string
 * ('MALFORMED_PAYLOAD'); a switch over the type is still checked for exhaustiveness.
 */
export const ContractErrorCode = {
  /** The topic has no protobuf schema in TOPICS (a typo, or an ingestion topic). */
  UnknownTopic: 'UNKNOWN_TOPIC',
  /** The record value is not a valid encoding of the topic's message, or breaks its rules. */
  MalformedPayload: 'MALFORMED_PAYLOAD',
  /** A producer tried to publish an event that breaks the contract (caught before Kafka). */
  InvalidEvent: 'INVALID_EVENT',
  /** The `event-type` header (or the message) names another message than the topic's. */
  EventTypeMismatch: 'EVENT_TYPE_MISMATCH',
  /** The `schema-version` header disagrees with the topic's major version. */
  SchemaVersionMismatch: 'SCHEMA_VERSION_MISMATCH',
  /** The `content-type` header is not the one the topic is published with. */
  UnsupportedContentType: 'UNSUPPORTED_CONTENT_TYPE',
  /** The record key is not the event's customer id, so per-customer ordering is broken. */
  KeyMismatch: 'KEY_MISMATCH',
  /** A required header is absent or empty. */
  MissingHeader: 'MISSING_HEADER',
  /** A header is present but its value is not well-formed. */
  InvalidHeader: 'INVALID_HEADER',
} as const;

export type ContractErrorCode = (typeof ContractErrorCode)[keyof typeof ContractErrorCode];

/** What the error is about, for logs and the DLQ record; all optional. */
export interface ContractErrorDetails {
  readonly topic?: string;
  readonly header?: string;
  /** Dotted protobuf field path inside the event, e.g. `allocations[0].applied.amount`. */
  readonly field?: string;
  readonly cause?: unknown;
}

/** A message (or a message about to be produced) does not honour the event contract. */
export class ContractError extends Error {
  override readonly name = 'ContractError';

  constructor(
    readonly code: ContractErrorCode,
    message: string,
    readonly details: ContractErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

export function isContractError(error: unknown): error is ContractError {
  return error instanceof ContractError;
}
