import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';

/**
 * Whether `topic` matches `pattern` under `match`: exact equality, string prefix (as Crossbar and Autobahn
 * match prefixes), or wildcard (same number of components, an empty pattern component matches any one).
 * Used where one pattern meets one topic (retained events, hooks); publishing uses the indexed table.
 */
export function topicMatches(topic: string, pattern: string, match: WampMatchPolicy): boolean {
  switch (match) {
    case 'exact':
      return topic === pattern;
    case 'prefix':
      return topic.startsWith(pattern);
    case 'wildcard': {
      const topicComponents = topic.split('.');
      const patternComponents = pattern.split('.');
      if (topicComponents.length !== patternComponents.length) return false;
      for (let index = 0; index < patternComponents.length; index++) {
        const component = patternComponents[index];
        if (component !== '' && component !== topicComponents[index]) return false;
      }
      return true;
    }
  }
}
