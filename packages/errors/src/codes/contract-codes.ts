import { type ErrorSpec, ExitCode } from '../error-spec.ts';

const failed = ExitCode.failed;

/** Declaring processors and contracts, registering schemas, producing events. */
export const contractCodes = {
  CONTRACT_INVALID: {
    description:
      'A contract declaration cannot work: an illegal topic name, a bad partition count, a duplicate or unknown event type.',
    httpStatus: 500,
    exitCode: failed,
  },
  PROCESSOR_DEFINITION_INVALID: {
    description:
      'A processor declaration cannot work: its name, a route declared twice, route policies, schedules; the message lists every problem.',
    httpStatus: 500,
    exitCode: failed,
  },
  DUPLICATE_EVENT_TYPE: {
    description:
      'Two different definitions of one event type were given to one codec: define each type once.',
    httpStatus: 500,
    exitCode: failed,
  },
  REGISTRATION_FAILED: {
    description:
      'Registering an event’s schema failed (the registry refused it, e.g. as incompatible with the subject’s compatibility level).',
    httpStatus: 500,
    exitCode: failed,
  },
  NOT_REGISTERED: {
    description:
      'An event type has no schema ID: it is not among the codec’s events, or `registerAll()` has not run.',
    httpStatus: 500,
    exitCode: failed,
  },
  REGISTRY_ERROR: {
    description:
      'The Schema Registry refused or failed a request. No answer, 408, 429 and 5xx are transient (retried); other 4xx are final.',
    httpStatus: 502,
    exitCode: failed,
  },
  UNKNOWN_EVENT_TYPE: {
    description: 'The producer was asked to publish an event type that is not among its `events`.',
    httpStatus: 500,
    exitCode: failed,
  },
  NOT_CONNECTED: {
    description: 'The producer is not connected: await `connect()` before publishing.',
    httpStatus: 500,
    exitCode: failed,
  },
} as const satisfies Record<string, ErrorSpec>;
