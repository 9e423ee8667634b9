// Side-effect imports: each module registers its background component with
// registerBackground() (see background.ts). One line per component.
import '../workers/workers.background.js';
export {};
