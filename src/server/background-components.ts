// Side-effect imports: each module registers its background component with
// registerBackground() (see background.ts). One line per component.
import '../scanner/scanner.background.js';
import '../workers/workers.background.js';
import '../provider/provider.cleanup.js';
import '../integrations/completion-notifier.js';
export {};
