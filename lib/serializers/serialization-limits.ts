/**
 * Deepest nesting of arrays and dictionaries that the serializers accept on decode and produce on
 * encode. The WAMP message array itself is level 1, so a CALL's `Arguments` list is level 2.
 *
 * Why a limit: every format can express nesting far deeper than a recursive walker (ours, msgpackr's,
 * `JSON.stringify`, the router's own validation) can follow before the stack overflows. A peer could
 * otherwise send a frame that decodes fine and only blows up later, while the router re-encodes it for
 * other peers. Rejecting it once, where the frame comes in, keeps failure at the sender. 256 is well
 * above what real payloads use, and well below the stack depth of any of those walkers.
 */
export const MAX_NESTING_DEPTH = 256;
