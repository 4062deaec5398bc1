/**
 * URI of the ERROR a request gets when it needs the other instances of a cluster and the backplane could not be
 * reached: a REGISTER whose URI could not be claimed, an acknowledged PUBLISH the backplane did not take. Not a
 * spec URI (the spec has no clusters); the client may try again.
 */
export const CLUSTER_UNAVAILABLE_URI = 'nestjs_wamp.error.cluster_unavailable';
