/**
 * Error and close reason URIs defined by the WAMP v2 specification (spec spelling).
 *
 * @example
 * session.abort(WampErrorUri.NO_SUCH_REALM, 'Realm "x" does not exist.');
 */
export const WampErrorUri = {
  INVALID_URI: 'wamp.error.invalid_uri',
  NO_SUCH_PROCEDURE: 'wamp.error.no_such_procedure',
  PROCEDURE_ALREADY_EXISTS: 'wamp.error.procedure_already_exists',
  PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY: 'wamp.error.procedure_exists_with_different_invocation_policy',
  NO_SUCH_REGISTRATION: 'wamp.error.no_such_registration',
  NO_SUCH_SUBSCRIPTION: 'wamp.error.no_such_subscription',
  INVALID_ARGUMENT: 'wamp.error.invalid_argument',
  CANCELED: 'wamp.error.canceled',
  TIMEOUT: 'wamp.error.timeout',
  PAYLOAD_SIZE_EXCEEDED: 'wamp.error.payload_size_exceeded',
  PROTOCOL_VIOLATION: 'wamp.error.protocol_violation',
  NOT_AUTHORIZED: 'wamp.error.not_authorized',
  AUTHORIZATION_FAILED: 'wamp.error.authorization_failed',
  NO_SUCH_REALM: 'wamp.error.no_such_realm',
  NO_SUCH_ROLE: 'wamp.error.no_such_role',
  NO_MATCHING_AUTH_METHOD: 'wamp.error.no_matching_auth_method',
  AUTHENTICATION_FAILED: 'wamp.error.authentication_failed',
  AUTHENTICATION_DENIED: 'wamp.error.authentication_denied',
  NO_SUCH_PRINCIPAL: 'wamp.error.no_such_principal',
  FEATURE_NOT_SUPPORTED: 'wamp.error.feature_not_supported',
  NO_SUCH_SESSION: 'wamp.error.no_such_session',
  RUNTIME_ERROR: 'wamp.error.runtime_error',
} as const;

/** Close reasons carried by GOODBYE (and ABORT). */
export const WampCloseUri = {
  SYSTEM_SHUTDOWN: 'wamp.close.system_shutdown',
  CLOSE_REALM: 'wamp.close.close_realm',
  GOODBYE_AND_OUT: 'wamp.close.goodbye_and_out',
  KILLED: 'wamp.close.killed',
  NORMAL: 'wamp.close.normal',
} as const;
