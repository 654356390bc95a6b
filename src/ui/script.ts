/**
 * /ui/app.js: the page's one script, assembled from its parts in one function scope (strict mode,
 * nothing on `window`). The examples are serialised from typed objects, so the tester's sample
 * requests are checked by the compiler like any other code.
 */
import { CAMPAIGNS_JS } from './script-campaigns';
import { DOM_JS } from './script-dom';
import { TESTER_JS } from './script-tester';
import { UI_EXAMPLES } from './examples';

export const UI_SCRIPT = [
  '(function () {',
  "'use strict';",
  `const EXAMPLES = ${JSON.stringify(UI_EXAMPLES)};`,
  DOM_JS,
  CAMPAIGNS_JS,
  TESTER_JS,
  '})();',
  '',
].join('\n');
